/**
 * Witnessing between nodes (c2sp.org/tlog-witness, tlog-cosignature) over real HTTP on loopback:
 * three nodes in this process, each with its own SQLite database, keys and log — a log A and two
 * witnesses W1 and W2 that trust A and each other through signed peer agreements. Each witness
 * serves the production witnessing (exchange/witnessing.ts → ledger/witness.ts) on a real HTTP
 * server; the route itself (src/http/routes/ledger.ts) is exercised by test/exchange/servers.
 *
 * - The happy path: A's checkpoints are cosigned by both, with consistency proofs from the last
 *   size each witness cosigned; `ledger verify` checks the cosignatures with the witness keys of
 *   the agreements.
 * - Every refusal the spec names: 404 unknown origin, 403 no/failed log signature, 400 old size
 *   beyond the checkpoint, 409 wrong old size (text/x.tlog.size body), 422 bad proof / empty
 *   tree with another root / same size with another root.
 * - A fork: A shows W1 one tree and W2 another of the same size. Each witness alone cosigns
 *   (each sees consistent history); comparing views (W2 fetches W1's, A fetches W2's) detects
 *   it, records both signed notes as evidence, and `ledger verify` reports it.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase, uuidv7 } from '../../src/db/index.js';
import { addPeer, exportNode } from '../../src/exchange/index.js';
import { createWitnessing, witnessPeers, type Witnessing } from '../../src/exchange/witnessing.js';
import { appendLeaf, consistencyProof, createLedger, ed25519Signer, leafHash, memoryInProcess, rootFromLeafHashes, signCheckpoint, type Ledger } from '../../src/ledger/index.js';
import { EMPTY_ROOT } from '../../src/ledger/merkle.js';
import { openForks } from '../../src/ledger/witness.js';
import { createTestNode, type NodeName, type TestNode } from '../exchange/nodes.js';
import { generateKeyPairSync } from 'node:crypto';

const dir = mkdtempSync(join(tmpdir(), 'comity-witness-'));
const servers: Server[] = [];

interface WNode {
  node: TestNode;
  ledger: Ledger;
  origin: string;
  witnessing: Witnessing;
  url: string;
}

/** A node whose witnessing answers on a real HTTP server (as the production route does). */
async function start(name: NodeName, label: string): Promise<WNode> {
  const late: { witnessing?: Witnessing } = {};
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      void (async () => {
        const view = /^\/api\/witness\/([0-9a-f]{64})\/checkpoint$/.exec(request.url ?? '');
        if (request.method === 'POST' && request.url === '/api/witness/add-checkpoint') {
          const answer = await (late.witnessing as Witnessing).addCheckpoint(Buffer.concat(chunks));
          response.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
        } else if (request.method === 'GET' && view !== null) {
          const note = await (late.witnessing as Witnessing).view(view[1] as string);
          response.writeHead(note === undefined ? 404 : 200, { 'content-type': 'text/plain' }).end(note ?? 'not found');
        } else response.writeHead(404).end();
      })().catch((error: unknown) => response.writeHead(500).end(String(error)));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const node = await createTestNode(name, await openDatabase({ kind: 'sqlite', file: join(dir, `${label}.sqlite`) }), url);
  const origin = `comity.${label}.test/log`;
  const ledger = createLedger(node.db, node.keys, {
    origin,
    memory: memoryInProcess(),
    now: () => new Date(),
    newId: () => uuidv7(Date.now()),
    witnesses: async () => (await witnessPeers(node.db)).flatMap((p) => (p.witness ? [p.witness] : [])),
  });
  const witnessing = createWitnessing(node.db, node.keys, node.nodeId, ledger, { now: () => new Date(), newId: () => uuidv7(Date.now()) });
  late.witnessing = witnessing;
  return { node, ledger, origin, witnessing, url };
}

async function trust(to: WNode, from: WNode): Promise<void> {
  await addPeer(to.node.db, JSON.stringify(await exportNode(from.node.db, from.node.keys, new Date(), from.origin)), to.node.nodeId, new Date());
}

async function append(n: WNode, count: number, tag: string): Promise<void> {
  await n.node.db.transaction().execute(async (trx) => {
    for (let i = 0; i < count; i += 1) await appendLeaf(trx, { log: 'test', id: `${tag}-${i}`, digest: createHash('sha256').update(`${tag}${i}`).digest('hex') });
  });
}

async function post(w: WNode, body: string): Promise<{ status: number; type: string; text: string }> {
  const response = await fetch(`${w.url}/api/witness/add-checkpoint`, { method: 'POST', body });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

let a: WNode;
let w1: WNode;
let w2: WNode;

before(async () => {
  a = await start('fr', 'a');
  w1 = await start('us', 'w1');
  w2 = await start('ie', 'w2');
  for (const [to, from] of [[w1, a], [w2, a], [a, w1], [a, w2], [w1, w2], [w2, w1]] as const) await trust(to, from);
});

after(async () => {
  for (const s of servers) s.close();
  for (const n of [a, w1, w2]) await n?.node.handle.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('witnessing over HTTP', () => {
  it('the agreement carries the log origin, the log key and the witness key; a wrong one is refused naming the field', async () => {
    const signed = await exportNode(a.node.db, a.node.keys, new Date(), a.origin);
    assert.equal(signed.agreement.ledger?.origin, a.origin);
    assert.match(signed.agreement.ledger?.log ?? '', /^comity\.a\.test\/log\+[0-9a-f]{8}\+/);
    assert.match(signed.agreement.ledger?.witness ?? '', /^witness\/FR:justice\.gouv\.fr\+[0-9a-f]{8}\+/);
    // A log key that is not the node key: refused before the signature is even looked at.
    const other = generateKeyPairSync('ed25519');
    const { verifierKeyText } = await import('../../src/ledger/note.js');
    const forged = { ...signed, agreement: { ...signed.agreement, ledger: { ...signed.agreement.ledger!, log: verifierKeyText(a.origin, other.publicKey) } } };
    await assert.rejects(addPeer(w1.node.db, JSON.stringify(forged), w1.node.nodeId, new Date(Date.now() + 1000)), /field agreement\.ledger\.log/);
  });

  it('cosigns A’s checkpoints with consistency proofs; ledger verify checks the cosignatures', async () => {
    await append(a, 5, 'one');
    await a.ledger.publish();
    let result = await a.witnessing.afterPublish();
    assert.deepEqual(result.submitted.map((s) => s.outcome).sort(), ['cosigned', 'cosigned']);
    await append(a, 7, 'two');
    await a.ledger.publish();
    result = await a.witnessing.afterPublish();
    assert.deepEqual(result.submitted.map((s) => s.outcome).sort(), ['cosigned', 'cosigned']);
    // Nothing new: nothing sent again.
    result = await a.witnessing.afterPublish();
    assert.deepEqual(result.submitted.map((s) => s.outcome), ['already', 'already']);
    const rows = await a.node.db.selectFrom('ledger_cosignatures').selectAll().orderBy('size').execute();
    assert.equal(rows.length, 4);
    assert.deepEqual([...new Set(rows.map((r) => Number(r.size)))], [5, 12]);
    const report = await a.ledger.verify();
    assert.equal(report.ok, true, report.problems.join('; '));
    assert.equal(report.cosignatures.verified, 4);
    assert.deepEqual(report.cosignatures.byWitness, { 'witness/US:oia.justice.gov': 12, 'witness/IE:example-mail.ie': 12 });
    // The witness serves what it cosigned (monitoring), with A's signature and its own.
    const hash = createHash('sha256').update(a.origin).digest('hex');
    const view = await (await fetch(`${w1.url}/api/witness/${hash}/checkpoint`)).text();
    assert.match(view, /^comity\.a\.test\/log\n12\n/);
    assert.equal((view.match(/^\u2014 /gmu) ?? []).length, 2);
    // A cosignature altered in the database is caught by verify.
    const row = rows[0]!;
    const bad = row.signature.replace(/([A-Za-z0-9+/])(=*\n)$/, (_m, c: string, end: string) => `${c === 'A' ? 'B' : 'A'}${end}`);
    await a.node.db.updateTable('ledger_cosignatures').set({ signature: bad }).where('origin', '=', row.origin).where('size', '=', row.size).where('witness', '=', row.witness).execute();
    const tampered = await a.ledger.verify();
    assert.equal(tampered.ok, false);
    assert.equal(tampered.cosignatures.failed, 1);
    await a.node.db.updateTable('ledger_cosignatures').set({ signature: row.signature }).where('origin', '=', row.origin).where('size', '=', row.size).where('witness', '=', row.witness).execute();
  });

  it('refuses as tlog-witness prescribes: 404, 403, 400, 409 with the size, 422', async () => {
    const latest = (await a.ledger.latest())!;
    const identity = await a.ledger.identity();
    // Unknown origin (a log no agreement names), even validly signed by its own key.
    const stranger = generateKeyPairSync('ed25519');
    const strangerNote = signCheckpoint({ origin: 'comity.stranger.test/log', size: 1, root: randomBytes(32) }, ed25519Signer('comity.stranger.test/log', stranger.privateKey, stranger.publicKey));
    assert.equal((await post(w1, `old 0\n\n${strangerNote}`)).status, 404);
    // A's origin signed by another key (unknown key: ignored, so no trusted signature) → 403.
    const impostor = signCheckpoint({ origin: a.origin, size: latest.size + 1, root: randomBytes(32) }, ed25519Signer(a.origin, stranger.privateKey, stranger.publicKey));
    assert.equal((await post(w1, `old ${latest.size}\n\n${impostor}`)).status, 403);
    // A's key name and id but a broken signature → 403.
    const broken = latest.note.replace(/([A-Za-z0-9+/]{10})([A-Za-z0-9+/])/, (_m, p: string, c: string) => `${p}${c === 'A' ? 'B' : 'A'}`);
    assert.equal((await post(w1, `old ${latest.size}\n\n${broken}`)).status, 403);
    // Old size beyond the checkpoint → 400; malformed body → 400.
    assert.equal((await post(w1, `old ${latest.size + 1}\n\n${latest.note}`)).status, 400);
    assert.equal((await post(w1, `old x\n\n${latest.note}`)).status, 400);
    // Wrong old size → 409, body the size last cosigned, text/x.tlog.size.
    const conflict = await post(w1, `old 3\n\n${latest.note}`);
    assert.equal(conflict.status, 409);
    assert.equal(conflict.type, 'text/x.tlog.size');
    assert.equal(conflict.text, `${latest.size}\n`);
    // A larger tree with a proof that does not verify → 422; nothing recorded.
    await append(a, 3, 'three');
    const next = (await a.ledger.publish()).checkpoint;
    assert.equal((await post(w1, `old ${latest.size}\n${randomBytes(32).toString('base64')}\n\n${next.note}`)).status, 422);
    // Size zero with another root than the empty tree's → 422 (the check comes before the state).
    const zero = signCheckpoint({ origin: a.origin, size: 0, root: randomBytes(32) }, identity.signer);
    assert.equal((await post(w1, `old 0\n\n${zero}`)).status, 422);
    assert.notEqual(EMPTY_ROOT.length, 0);
    const state = await w1.node.db.selectFrom('witness_checkpoints').select('size').where('origin', '=', a.origin).orderBy('size', 'desc').executeTakeFirstOrThrow();
    assert.equal(Number(state.size), latest.size, 'refused checkpoints change nothing');
  });

  it('detects a fork: A shows W1 and W2 two different trees of the same size', async () => {
    // Both witnesses are at A's current size (the honest tree).
    await a.witnessing.afterPublish();
    const base = (await a.ledger.latest())!;
    const leaves = (await a.node.db.selectFrom('ledger_leaves').select('leaf').orderBy('idx').execute()).map((r) => leafHash(Buffer.from(r.leaf)));
    assert.equal(leaves.length, base.size);
    // Branch 1 (A's database): 4 more entries, shown to W1 only.
    await append(a, 4, 'honest');
    const honest = (await a.ledger.publish()).checkpoint;
    const { submitToWitnesses } = await import('../../src/ledger/witness.js');
    const peersOfA = await witnessPeers(a.node.db);
    const toW1 = await submitToWitnesses(a.node.db, { origin: a.origin, size: honest.size, note: honest.note }, peersOfA.filter((p) => p.nodeId === w1.node.nodeId), { now: () => new Date(), newId: () => uuidv7(Date.now()) });
    assert.equal(toW1[0]?.outcome, 'cosigned');
    // Branch 2: the same size with other entries, signed with A's log key, shown to W2 with a
    // valid consistency proof from the size W2 cosigned: W2 alone sees nothing wrong.
    const forked = [...leaves, ...[0, 1, 2, 3].map((i) => leafHash(Buffer.from(`{"forged":${i}}`)))];
    const node = (level: number, index: number): Buffer => rootFromLeafHashes(forked.slice(index * 2 ** level, (index + 1) * 2 ** level));
    const forkRoot = rootFromLeafHashes(forked);
    assert.equal(forked.length, honest.size);
    assert.ok(!forkRoot.equals(honest.root));
    const identity = await a.ledger.identity();
    const forkNote = signCheckpoint({ origin: a.origin, size: forked.length, root: forkRoot }, identity.signer);
    const proof = consistencyProof(node, base.size, forked.length);
    const shown = await post(w2, `old ${base.size}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${forkNote}`);
    assert.equal(shown.status, 200, shown.text);
    assert.equal((await openForks(w1.node.db)).length + (await openForks(w2.node.db)).length, 0, 'each witness alone sees consistent history');

    // Comparing views: W2 fetches W1's view of A at the same size → fork, with both signed notes.
    const compared = await w2.witnessing.afterPublish();
    assert.ok(compared.compared.forks >= 1);
    const forks = await openForks(w2.node.db);
    assert.equal(forks.length, 1);
    assert.equal(forks[0]?.origin, a.origin);
    assert.equal(forks[0]?.size, honest.size);
    assert.equal(forks[0]?.evidence.length, 2);
    assert.ok(forks[0]?.evidence.some((n) => n.includes(forkRoot.toString('base64'))) && forks[0]?.evidence.some((n) => n.includes(honest.root.toString('base64'))));
    const w2Report = await w2.ledger.verify();
    assert.equal(w2Report.forks.length, 1);
    assert.equal(w2Report.forks[0]?.ownLog, false);

    // A itself (its auditor) learns it too: W2's view of A's log does not match A's tree.
    await a.witnessing.afterPublish();
    const aReport = await a.ledger.verify();
    assert.equal(aReport.ok, false);
    assert.ok(aReport.forks.some((f) => f.ownLog && f.size === honest.size));
    assert.match(aReport.problems.join('\n'), /split view of this log/);

    // Showing W1 the other branch directly at the same size: refused (422) and kept as evidence.
    const direct = await post(w1, `old ${honest.size}\n\n${forkNote}`);
    assert.equal(direct.status, 422);
    assert.equal((await openForks(w1.node.db)).length, 1);
  });
});
