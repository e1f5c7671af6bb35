/**
 * `comity ledger …` end to end on a SQLite node, and interoperability: the checkpoint and the
 * .tlog-proof Comity writes are checked by an independent verifier written here from RFC 6962
 * §2.1.1, RFC 9162 §2.1.3.2, c2sp.org/signed-note, tlog-checkpoint and tlog-proof — sharing no
 * code with src/ledger.
 */
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { smallYoungGeneration } from '../../src/cli/ledger.js';
import { createApiToken, createAuthContext, createSecretBox, createUser, type Role } from '../../src/auth/index.js';
import { openDatabase, resolveDbConfig } from '../../src/db/index.js';
import { DEMO_AUTHORITIES, DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { appendLeaf } from '../../src/ledger/index.js';

const dir = mkdtempSync(join(tmpdir(), 'comity-cli-ledger-'));
const file = (name: string, value: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
};

async function run(...args: string[]) {
  const io = captureIo();
  const code = await main(['node', 'comity', ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr };
}

/** An independent verifier, from the texts of the RFCs and C2SP specifications. */
const independent = {
  sha256: (...parts: Buffer[]): Buffer => {
    const h = createHash('sha256');
    for (const p of parts) h.update(p);
    return h.digest();
  },
  /** RFC 6962 §2.1.1: the root from a leaf and its audit path, by recursion on the split point. */
  rootFromPath(index: number, size: number, leaf: Buffer, path: Buffer[]): Buffer {
    // Rebuild bottom-up: the path lists siblings from the leaf upward; the recursion PATH(m, D[n])
    // appends the sibling subtree after the sub-path, so we consume it from the end going down.
    const descend = (m: number, n: number, rest: Buffer[]): Buffer => {
      if (n === 1) {
        assert.equal(rest.length, 0, 'path too long');
        return leaf;
      }
      let k = 1;
      while (k * 2 < n) k *= 2;
      const sibling = rest[rest.length - 1];
      assert.ok(sibling, 'path too short');
      const below = rest.slice(0, -1);
      return m < k ? this.sha256(Buffer.from([1]), descend(m, k, below), sibling) : this.sha256(Buffer.from([1]), sibling, descend(m - k, n - k, below));
    };
    return descend(index, size, path);
  },
  /** c2sp.org/signed-note with one Ed25519 key given as a vkey. */
  openNote(note: string, vkey: string): string {
    const [name, idHex, keyB64] = [vkey.slice(0, vkey.indexOf('+')), vkey.split('+')[1] as string, vkey.split('+').slice(2).join('+')];
    const material = Buffer.from(keyB64, 'base64');
    assert.equal(material[0], 0x01, 'Ed25519 note key');
    const raw = material.subarray(1);
    const id = this.sha256(Buffer.from(name), Buffer.from([0x0a, 0x01]), raw).subarray(0, 4);
    assert.equal(id.toString('hex'), idHex);
    const split = note.lastIndexOf('\n\n');
    const text = note.slice(0, split + 1);
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    let ok = false;
    for (const line of note.slice(split + 2).split('\n').filter(Boolean)) {
      const [dash, who, sig] = line.split(' ');
      assert.equal(dash, '\u2014');
      const bytes = Buffer.from(sig as string, 'base64');
      if (who !== name || !bytes.subarray(0, 4).equals(id)) continue;
      ok = verify(null, Buffer.from(text), key, bytes.subarray(4));
      assert.ok(ok, 'known key signature fails');
    }
    assert.ok(ok, 'not signed by the log');
    return text;
  },
  /** c2sp.org/tlog-proof@v1. */
  verifyProof(proofFile: string, vkey: string): { index: number; entry: Buffer; size: number } {
    const [head, ...rest] = proofFile.split('\n\n');
    const checkpointNote = rest.join('\n\n');
    const lines = (head as string).split('\n');
    assert.equal(lines[0], 'c2sp.org/tlog-proof@v1');
    assert.ok(lines[1]?.startsWith('extra '));
    const entry = Buffer.from((lines[1] as string).slice(6), 'base64');
    const index = Number((lines[2] as string).replace(/^index /, ''));
    const path = lines.slice(3).map((l) => Buffer.from(l, 'base64'));
    const body = this.openNote(checkpointNote, vkey).split('\n');
    const size = Number(body[1]);
    const root = Buffer.from(body[2] as string, 'base64');
    const leaf = this.sha256(Buffer.from([0]), entry);
    assert.ok(this.rootFromPath(index, size, leaf, path).equals(root), 'inclusion proof does not reach the checkpoint root');
    return { index, entry, size };
  },
};

async function addUserWithToken(email: string, authorityId: string, roles: Role[]): Promise<string> {
  const handle = await openDatabase(resolveDbConfig(process.env));
  try {
    const auth = createAuthContext(handle.db, createSecretBox(Buffer.from('11'.repeat(32), 'hex')));
    const user = await createUser(auth, { id: 'system', authorityId: null }, { email, displayName: email, authorityId, roles, password: 'a long enough passphrase 42' });
    return (await createApiToken(auth, { id: user.id, authorityId }, { userId: user.id, name: 'cli', scopes: ['cases:read', 'cases:write'], expiresInDays: 1 })).token;
  } finally {
    await handle.close();
  }
}

describe('comity ledger', () => {
  let eventId = '';
  before(async () => {
    process.env.COMITY_DATA_DIR = join(dir, 'data');
    process.env.COMITY_LOG_ORIGIN = 'comity.cli.example/log';
    // The master key from the environment (README, "Operating a node").
    process.env.COMITY_SECRET_KEY = '11'.repeat(32);
    delete process.env.DATABASE_URL;
    for (const [i, authority] of DEMO_AUTHORITIES.entries()) assert.equal((await run('authorities', 'create', file(`authority-${i}.json`, authority))).code, 0);
    // Cases are made by real users through their API tokens (the CLI acts as nobody for free).
    const drafter = await addUserWithToken('officer@ledger.test', 'fr-ca', ['drafter', 'central-authority-officer']);
    const judge = await addUserWithToken('judge@ledger.test', 'fr-ca', ['reviewer']);
    for (let i = 0; i < 5; i += 1) {
      const createdRun = await run('cases', 'create', file(`request-${i}.json`, preservationRequestFrToUs()), '--json', '--token', drafter);
      assert.equal(createdRun.code, 0, createdRun.stderr.join('\n'));
      const created = JSON.parse(createdRun.stdout) as { id: string };
      const approved = await run('cases', 'transition', created.id, 'approve', '--data', file('review.json', { review: DEMO_REVIEW }), '--token', judge);
      assert.equal(approved.code, 0, approved.stderr.join('\n'));
    }
  });

  test('checkpoint, proof, verify-proof (also by an independent verifier), verify, status', async () => {
    const checkpoint = await run('ledger', 'checkpoint', '--json');
    assert.equal(checkpoint.code, 0, checkpoint.stderr.join('\n'));
    const cp = JSON.parse(checkpoint.stdout) as { origin: string; size: number; note: string };
    assert.equal(cp.origin, 'comity.cli.example/log');
    assert.ok(cp.size >= 10);

    const status = JSON.parse((await run('ledger', 'status', '--json')).stdout) as { verifierKey: string; incidents: unknown[] };
    assert.deepEqual(status.incidents, []);
    const vkey = status.verifierKey;
    assert.match(vkey, /^comity\.cli\.example\/log\+[0-9a-f]{8}\+/);

    const handle = await openDatabase(resolveDbConfig(process.env));

    // The log keeps its name: a command run without COMITY_LOG_ORIGIN (from a shell without the
    // server's environment, or in a container whose host name changed) works on the origin the log
    // signs under — before, it took `comity.<host name>/log` and signed the grown log under it.
    const configured = process.env.COMITY_LOG_ORIGIN;
    delete process.env.COMITY_LOG_ORIGIN;
    try {
      const bare = JSON.parse((await run('ledger', 'status', '--json')).stdout) as { origin: string; verifierKey: string };
      assert.deepEqual([bare.origin, bare.verifierKey], ['comity.cli.example/log', vkey]);
      await handle.db.transaction().execute((trx) => appendLeaf(trx, { log: 'test', id: 'origin-kept', digest: 'c'.repeat(64) }));
      const grown = await run('ledger', 'checkpoint', '--json');
      assert.equal(grown.code, 0, grown.stderr.join('\n'));
      assert.deepEqual((({ origin, size }) => ({ origin, size }))(JSON.parse(grown.stdout) as { origin: string; size: number }), { origin: 'comity.cli.example/log', size: cp.size + 1 });
      const origins = await handle.db.selectFrom('ledger_checkpoints').select('origin').distinct().execute();
      assert.deepEqual(origins.map((o) => o.origin), ['comity.cli.example/log']);
    } finally {
      process.env.COMITY_LOG_ORIGIN = configured;
    }
    eventId = (await handle.db.selectFrom('audit_events').select('id').orderBy('seq').offset(3).limit(1).executeTakeFirstOrThrow()).id;
    const out = join(dir, 'event.tlog-proof');
    const proof = await run('ledger', 'proof', eventId, '--out', out);
    assert.equal(proof.code, 0, proof.stderr.join('\n'));
    const text = readFileSync(out, 'utf8');

    // Interoperability: an implementation sharing no code with Comity accepts the proof and checkpoint.
    const checked = independent.verifyProof(text, vkey);
    assert.equal(JSON.parse(checked.entry.toString()).id, eventId);
    assert.equal(independent.openNote(cp.note, vkey).split('\n')[0], 'comity.cli.example/log');

    const ok = await run('ledger', 'verify-proof', out, '--key', vkey, '--json');
    assert.equal(ok.code, 0, ok.stderr.join('\n'));
    assert.equal((JSON.parse(ok.stdout) as { entry: { id: string } }).entry.id, eventId);

    // A flipped hash, another key, a bad key: rejected (exit 1) or refused (exit 2), one line each.
    const lines = text.split('\n');
    const hashLine = lines.findIndex((l) => /^[A-Za-z0-9+/]{43}=$/.test(l));
    lines[hashLine] = Buffer.alloc(32, 9).toString('base64');
    const bad = await run('ledger', 'verify-proof', file('bad.tlog-proof', lines.join('\n')), '--key', vkey);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.length, 1);
    assert.match(bad.stderr[0] ?? '', /proof REJECTED: invalid-proof/);
    const wrongKey = await run('ledger', 'verify-proof', out, '--key', 'comity.cli.example/log+00000000+AQ==');
    assert.equal(wrongKey.code, 2);
    assert.equal(wrongKey.stderr.length, 1);

    const verified = await run('ledger', 'verify', '--json');
    assert.equal(verified.code, 0, verified.stderr.join('\n'));
    assert.equal((JSON.parse(verified.stdout) as { ok: boolean }).ok, true);
    assert.equal(verified.stderr.length, 0);
    // A young generation kept small (the server unit's NODE_OPTIONS) doubles the verification's CPU: said on stderr.
    const options = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = '--max-semi-space-size=2';
    try {
      const noted = await run('ledger', 'verify', '--json');
      assert.equal(noted.code, 0);
      assert.equal((JSON.parse(noted.stdout) as { ok: boolean }).ok, true);
      assert.match(noted.stderr.join('\n'), /note: --max-semi-space-size=2 .* about twice as slow/);
    } finally {
      if (options === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = options;
    }
    assert.equal(smallYoungGeneration('--max-semi-space-size=16'), null);
    assert.equal(smallYoungGeneration('--max-semi-space-size 2 --max-old-space-size=512'), 2);
    assert.equal(smallYoungGeneration('--max-semi-space-size=2 --max-semi-space-size=32'), null);
    assert.equal(smallYoungGeneration(''), null);
    const twoThreads = await run('ledger', 'verify', '--threads', '2', '--json');
    assert.equal(twoThreads.code, 0, twoThreads.stderr.join('\n'));
    assert.equal((JSON.parse(twoThreads.stdout) as { ok: boolean }).ok, true);
    for (const threads of ['0', 'two', '-1', '100']) {
      const refused = await run('ledger', 'verify', '--threads', threads);
      assert.equal(refused.code, 2, `--threads ${threads}`);
      assert.equal(refused.stderr.length, 1);
      assert.match(refused.stderr[0] ?? '', /--threads is a whole number from 1 to 64/);
    }

    // Tampering with an audit event: verify names the entry and exits 1.
    await handle.db.updateTable('audit_events').set({ action: 'case.forged' }).where('id', '=', eventId).execute();
    await handle.close();
    const failed = await run('ledger', 'verify');
    assert.equal(failed.code, 1);
    assert.equal(failed.stderr.length, 1);
    assert.match(failed.stderr[0] ?? '', /verification FAILED \(first entry that does not match: \d+\): log entry \d+: the recorded row does not match the logged leaf/);
    const unknown = await run('ledger', 'proof', '01900000-0000-7000-8000-00000000abcd');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr[0] ?? '', /unknown-entry/);
  });
});
