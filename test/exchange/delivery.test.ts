/**
 * Exactly-once delivery between two nodes over real HTTP on loopback: the receiving node runs on
 * every database engine, the sending node on SQLite. The business effect is a row in a test
 * table with the message id as primary key, written by the handler in the inbox transaction.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/index.js';
import { openDatabase } from '../../src/db/index.js';
import { requireNodeIdentity } from '../../src/exchange/index.js';
import { MessageRejected, type MessageHandler } from '../../src/exchange/inbox.js';
import { deliveriesOf, stuckMessages } from '../../src/exchange/outbox.js';
import { createExchangeRuntime, type ExchangeRuntime, type MessageDraft } from '../../src/exchange/runtime.js';
import { createHttpTransport, type Transport } from '../../src/exchange/transport.js';
import { forEachDatabase } from '../db/dialects.js';
import { createTestNode, trustEachOther } from './nodes.js';
import { closeServer } from './federated.js';

/** The business effect: one row per applied message; `refuse` in the body makes the workflow say no. */
const effects: MessageHandler = {
  async apply(trx, opened) {
    if (opened.message.body.refuse === true) throw new MessageRejected('transition-not-allowed', 'the case is closed');
    await trx.insertInto('test_effects' as never).values({ message_id: opened.message.id, body: JSON.stringify(opened.message.body) } as never).execute();
  },
};

async function effectRows(db: Kysely<Database>): Promise<{ message_id: string; body: string }[]> {
  return (await sql<{ message_id: string; body: string }>`select message_id, body from test_effects order by rowid_order`.execute(db)).rows;
}

async function addEffectsTable(db: Kysely<Database>, kind: string): Promise<void> {
  const serial = kind === 'sqlite' ? sql`integer primary key autoincrement` : sql`serial primary key`;
  await sql`create table test_effects (rowid_order ${serial}, message_id text not null unique, body text not null)`.execute(db);
}

/** A node:http server in front of the runtime's inbox, as the API route is. */
async function serve(runtime: () => ExchangeRuntime | undefined): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const current = runtime();
      if (current === undefined) return void res.writeHead(503).end();
      current.receive(Buffer.concat(chunks).toString('utf8')).then(
        (answer) => res.writeHead(200, { 'content-type': 'application/jose' }).end(answer.receipt),
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function draft(body: Record<string, unknown>, overrides: Partial<MessageDraft> = {}): MessageDraft {
  return { from: { authority: 'fr-ca' }, to: { authority: 'us-doj-oia' }, inReplyTo: null, conversation: '0190a000-0000-7000-8000-000000000001', type: 'request', instrument: 'ETS185', action: 'send', emergency: false, body, ...overrides };
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

forEachDatabase('exchange delivery', (target) => {
  it('delivers exactly once in order, with receipts; duplicates, id reuse, refusals, unknown outcomes, loopback, stuck messages', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-delivery-'));
    const usHandle = await target.create(t);
    let usRuntime: ExchangeRuntime | undefined;
    const usServer = await serve(() => usRuntime);
    t.after(() => closeServer(usServer.server));
    const us = await createTestNode('us', usHandle, usServer.url);
    const fr = await createTestNode('fr', await openDatabase({ kind: 'sqlite', file: join(dir, 'fr.db') }), 'http://127.0.0.1:1');
    t.after(() => fr.handle.close());
    await addEffectsTable(us.db, usHandle.kind);
    await addEffectsTable(fr.db, 'sqlite');
    await trustEachOther([fr, us]);

    // The US node is down at first (503): the outcome of each attempt is unknown; the order is kept.
    let loseAnswers = 0;
    const http = createHttpTransport({ timeoutMs: 5000 });
    const lossy: Transport = {
      async deliver(peer, envelope) {
        const result = await http.deliver(peer, envelope);
        if (loseAnswers > 0 && result.kind === 'answered') {
          loseAnswers--;
          return { kind: 'unknown', error: 'answer lost' };
        }
        return result;
      },
    };
    const frRuntime = createExchangeRuntime({ db: fr.db, keys: fr.keys, identity: await requireNodeIdentity(fr.db), handler: effects, remote: lossy, relay: { baseDelayMs: 10, maxDelayMs: 50, pollMs: 20 } });
    t.after(() => frRuntime.stop());
    const sent = [];
    for (let i = 0; i < 12; i++) sent.push((await frRuntime.send(draft({ n: i }), { caseId: 'case-1' })).message);
    await waitFor(async () => (await deliveriesOf(fr.db, { caseId: 'case-1' })).every((d) => d.state === 'outcome-unknown' || d.state === 'queued') && (await deliveriesOf(fr.db, { caseId: 'case-1' }))[0]!.attempts >= 2, 'attempts while the peer is down');
    const early = await deliveriesOf(fr.db, { caseId: 'case-1' });
    assert.equal(early[0]?.state, 'outcome-unknown'); // HTTP 503: maybe received
    assert.equal(early[1]?.state, 'queued'); // head of line: never attempted yet
    assert.equal(early[1]?.attempts, 0);

    // The node comes up; the first two answers are lost on the way back (their effect happened).
    loseAnswers = 2;
    usRuntime = createExchangeRuntime({ db: us.db, keys: us.keys, identity: await requireNodeIdentity(us.db), handler: effects, relay: { autostart: false } });
    await waitFor(async () => (await deliveriesOf(fr.db, { caseId: 'case-1' })).every((d) => d.state === 'delivered'), 'all delivered');
    const applied = await effectRows(us.db);
    assert.deepEqual(applied.map((r) => r.message_id), sent.map((m) => m.id), 'each applied once, in send order');

    // A duplicate of the same bytes gets the byte-identical receipt and changes nothing.
    const firstRow = await fr.db.selectFrom('exchange_outbox').select(['envelope', 'receipt']).where('message_id', '=', sent[0]!.id).executeTakeFirstOrThrow();
    const again = await usRuntime.receive(firstRow.envelope);
    assert.equal(again.outcome, 'duplicate');
    assert.equal(again.receipt, firstRow.receipt);
    assert.equal((await effectRows(us.db)).length, 12);

    // The same id with other bytes: refused, signed, recorded; the original stands.
    const reused = await frRuntime.send(draft({ n: 'other' }, { id: sent[0]!.id }), { caseId: 'case-2' }).catch((e: unknown) => e);
    assert.ok(reused instanceof Error); // the sender's own outbox refuses to queue a second message under one id
    const frTrust = await frRuntime.trust();
    const { sealEnvelope } = await import('../../src/exchange/envelope.js');
    const forged = await sealEnvelope(fr.keys, { ...sent[0]!, body: { n: 'other' } }, frTrust.node('US:oia.justice.gov')!);
    const refusedAnswer = await usRuntime.receive(forged);
    assert.equal(refusedAnswer.outcome, 'refused');
    const refusal = await us.db.selectFrom('exchange_refusals').selectAll().where('claimed_message_id', '=', sent[0]!.id).executeTakeFirstOrThrow();
    assert.equal(refusal.code, 'id-reused');
    assert.equal((await usRuntime.receive(forged)).receipt, refusedAnswer.receipt, 'the same refused bytes get the same rejection');
    assert.equal((await effectRows(us.db)).length, 12);

    // The workflow refuses: a signed rejection with the reason; nothing applied; the sender shows "rejected".
    const { message: refused } = await frRuntime.send(draft({ refuse: true }), { caseId: 'case-3' });
    await waitFor(async () => (await deliveriesOf(fr.db, { caseId: 'case-3' }))[0]?.state === 'rejected', 'rejected');
    assert.match((await deliveriesOf(fr.db, { caseId: 'case-3' }))[0]?.lastError ?? '', /^transition-not-allowed: the case is closed$/);
    assert.equal((await us.db.selectFrom('exchange_inbox').select('outcome').where('message_id', '=', refused.id).executeTakeFirstOrThrow()).outcome, 'rejected');
    assert.equal((await effectRows(us.db)).length, 12);

    // Loopback: two authorities of the French node, through the same envelope path.
    await frRuntime.send(draft({ loop: true }, { to: { authority: 'fr-parquet-paris' }, type: 'notice', action: 'note' }), { caseId: 'case-4' });
    await waitFor(async () => (await deliveriesOf(fr.db, { caseId: 'case-4' }))[0]?.state === 'delivered', 'loopback delivered');
    assert.equal((await effectRows(fr.db)).length, 1);

    // Stuck: an emergency message to an unreachable peer shows after minutes, a normal one after an hour.
    await frRuntime.relay.stop();
    await usRuntime.stop();
    usRuntime = undefined;
    await frRuntime.send(draft({ urgent: true }, { emergency: true }), { caseId: 'case-5', reviewers: ['fr-parquet-paris'] });
    assert.equal((await stuckMessages(fr.db, new Date(Date.now() + 4 * 60_000))).length, 0);
    assert.deepEqual((await stuckMessages(fr.db, new Date(Date.now() + 6 * 60_000))).map((m) => m.caseId), ['case-5']);
  });
});
