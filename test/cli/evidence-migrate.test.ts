/**
 * `comity evidence migrate-attachments` on the node's own database (SQLite file and PostgreSQL):
 * release-0.1 attachments written by the release-0.1 use case (plaintext bytes in
 * `case_attachments`) become evidence items with the same bytes and digests, each with a signed
 * `received` custody event by the requested side; an attachment altered after upload is reported
 * and left; a second run changes nothing (same items, custody, audit, blobs); bad input is one
 * line on stderr and exit 2.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { addAttachment } from '../../src/cases/attachments.js';
import { withEvidence } from '../../src/cli/evidence.js';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { blobPlaintext } from '../../src/evidence/items.js';
import { listCustody, listEvidence } from '../../src/evidence/index.js';
import { parseCustodyLine } from '../../src/evidence/custody-line.js';
import { forEachDatabase } from '../db/dialects.js';
import { acceptedCaseDirect, FIXED_MASTER_KEY, US } from '../evidence/node-fixture.js';

async function run(...args: string[]) {
  const io = captureIo();
  const code = await main(['node', 'comity', ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr };
}

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
}

interface Move {
  attachmentId: string;
  caseId: string;
  itemId: string | null;
  problem: string | null;
}

forEachDatabase('comity evidence migrate-attachments', (target) => {
  // The CLI opens the node's database by itself: an in-memory PGlite cannot be shared with it.
  const skip = target.kind === 'pglite' ? 'the CLI opens its own connection; an in-memory PGlite is not shareable' : false;
  it('moves release-0.1 attachments once, with digests and signed custody; a second run changes nothing; bad input exits 2', { skip }, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'comity-migrate-attachments-'));
    const saved = { DATABASE_URL: process.env.DATABASE_URL, COMITY_DATA_DIR: process.env.COMITY_DATA_DIR, COMITY_SECRET_KEY: process.env.COMITY_SECRET_KEY };
    t.after(async () => {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
      await rm(dir, { recursive: true, force: true });
    });
    process.env.COMITY_DATA_DIR = join(dir, 'data');
    process.env.COMITY_SECRET_KEY = FIXED_MASTER_KEY.toString('hex');
    if (target.kind === 'postgres') {
      const config = await target.createConfig();
      assert.equal(config.kind, 'postgres');
      process.env.DATABASE_URL = config.url;
    } else delete process.env.DATABASE_URL;

    // Legacy rows, as release 0.1 wrote them (its use case, still in src/cases/attachments.ts).
    const files = [
      { name: 'confirmation é.txt', bytes: Buffer.from('Preservation confirmed on 2026-11-02.\n') },
      { name: 'export.bin', bytes: randomBytes(1024 * 1024 + 17) },
      { name: 'altered.txt', bytes: Buffer.from('original bytes') },
    ];
    const { caseId, other, ids } = await withEvidence(async (ev) => {
      const caseId = await acceptedCaseDirect(ev, 'MIGRATE-CLI');
      const other = await acceptedCaseDirect(ev, 'MIGRATE-CLI-2');
      const ids: string[] = [];
      for (const f of files) ids.push((await addAttachment(ev.cases, US, caseId, { name: f.name, mediaType: 'application/octet-stream', contentBase64: f.bytes.toString('base64') })).id);
      await addAttachment(ev.cases, US, other, { name: 'other.txt', mediaType: 'text/plain', contentBase64: Buffer.from('another case\n').toString('base64') });
      // The third attachment's bytes changed in the database after upload.
      await ev.cases.db.updateTable('case_attachments').set({ content: Buffer.from('altered bytes!') }).where('id', '=', ids[2] as string).execute();
      return { caseId, other, ids };
    });

    const first = await run('evidence', 'migrate-attachments', '--case', caseId, '--json');
    assert.equal(first.code, 0, first.stderr.join('\n'));
    const moves = JSON.parse(first.stdout) as Move[];
    assert.deepEqual(moves.map((m) => m.attachmentId), ids);
    assert.ok(moves[0]?.itemId && moves[1]?.itemId);
    assert.equal(moves[2]?.itemId, null);
    assert.match(moves[2]?.problem ?? '', /differ from those recorded at upload/);

    const snapshot = () =>
      withEvidence(async (ev) => {
        const items = await listEvidence(ev, caseId);
        const custody = await listCustody(ev.cases.db, caseId);
        const audit = await ev.cases.db.selectFrom('audit_events').select(['id', 'action']).where('object_id', '=', caseId).orderBy('id').execute();
        const links = await ev.cases.db.selectFrom('case_attachments').select(['id', 'evidence_item_id']).where('case_id', '=', caseId).orderBy('id').execute();
        const contents: Buffer[] = [];
        for (const item of items) {
          const row = await ev.cases.db.selectFrom('evidence_items').selectAll().where('id', '=', item.id).executeTakeFirstOrThrow();
          const chunks: Buffer[] = [];
          for await (const c of await blobPlaintext(ev, row)) chunks.push(c as Buffer);
          contents.push(Buffer.concat(chunks));
        }
        return { items, custody, audit, links, contents, blobs: await filesUnder(join(dir, 'data', 'evidence', 'blobs')) };
      });
    const before = await snapshot();
    // Digests: each item holds exactly the attachment's bytes, under the SHA-256 recorded at upload.
    assert.equal(before.items.length, 2);
    for (const [i, move] of moves.slice(0, 2).entries()) {
      const file = files[i] as { name: string; bytes: Buffer };
      const index = before.items.findIndex((x) => x.id === move.itemId);
      const item = before.items[index];
      assert.ok(item);
      assert.equal(item.name, file.name);
      assert.equal(item.size, file.bytes.length);
      assert.equal(item.sha256, createHash('sha256').update(file.bytes).digest('hex'));
      assert.ok(before.contents[index]?.equals(file.bytes), 'the sealed blob decrypts to the same bytes');
      // Custody: one signed received line naming the same digest and size, by the requested side.
      const received = before.custody.filter((r) => r.event === 'received' && r.itemId === item.id);
      assert.equal(received.length, 1);
      assert.equal(received[0]?.authorityId, 'us-doj-oia');
      const statement = parseCustodyLine(received[0]?.line ?? '');
      assert.deepEqual(statement?.item, { id: item.id, sha256: item.sha256, size: item.size });
    }
    assert.deepEqual(before.links.map((l) => [l.id, l.evidence_item_id]), [
      [ids[0], moves[0]?.itemId],
      [ids[1], moves[1]?.itemId],
      [ids[2], null],
    ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)));
    assert.equal(before.audit.filter((a) => a.action === 'evidence.attachment-moved').length, 2);
    // The case's stored evidence agrees with its signed chain, and every blob with its digest.
    const check = await run('evidence', 'check', caseId, '--deep');
    assert.equal(check.code, 0, check.stdout);
    // --case: the other case's attachment was not touched.
    const untouched = await withEvidence((ev) => ev.cases.db.selectFrom('case_attachments').select('evidence_item_id').where('case_id', '=', other).execute());
    assert.deepEqual(untouched, [{ evidence_item_id: null }]);

    // Idempotent: running again moves nothing and changes nothing (the altered one is reported again).
    const second = await run('evidence', 'migrate-attachments', '--case', caseId);
    assert.equal(second.code, 0, second.stderr.join('\n'));
    assert.match(second.stdout, /^NOT moved: attachment .* differ from those recorded at upload/m);
    assert.match(second.stdout, /^0 attachment\(s\) moved, 1 not moved$/m);
    assert.deepEqual(await snapshot(), before);

    // Bad input: one line on stderr, exit 2, nothing changed.
    for (const args of [
      ['--case', 'no-such-case'],
      ['--case', '../etc/passwd'],
      ['--bogus'],
    ]) {
      const bad = await run('evidence', 'migrate-attachments', ...args);
      assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stdout}`);
      assert.equal(bad.stderr.length, 1, bad.stderr.join('\n'));
      assert.equal(bad.stderr[0]?.includes('\n'), false);
    }
    assert.deepEqual(await snapshot(), before);
  });
});
