/**
 * Tamper tests on stored evidence: thousands of random single-byte changes to sealed blobs on
 * disk, to evidence rows and to custody rows — each one detected by reading the blob (GCM and
 * digest) or by `checkCaseEvidence` (rows against the signed chain); the test prints how many.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkCaseEvidence } from '../../src/evidence/index.js';
import { Readable } from 'node:stream';
import { streamReader } from '../../src/evidence/blob-store.js';
import { caseKey } from '../../src/evidence/case-keys.js';
import { blobPlaintext, checkedPlaintext } from '../../src/evidence/items.js';
import { buildTestApp, type TestApp } from '../http/harness.js';
import { xorshift } from './bytes.js';
import { acceptedCase, upload } from './fixture.js';

describe('tamper: stored evidence [sqlite]', () => {
  let t: TestApp;
  let caseId: string;
  before(async () => {
    t = await buildTestApp('sqlite');
    caseId = await acceptedCase(t, 'TAMPER-1');
    const us = await t.as('officer@us.demo');
    await upload(us, caseId, 'logs.txt', Buffer.from('2026-11-01 login from 192.0.2.1\n'.repeat(2000)));
    await upload(us, caseId, 'dump.bin', randomBytes(40_000), { dataCategory: 'traffic' });
    const fr = await t.as('officer@fr.demo');
    const list = await fr.get(`/api/cases/${caseId}/evidence`);
    await fr.get(`/api/cases/${caseId}/evidence/${list.json<{ id: string }[]>()[0]?.id}/content`);
    assert.deepEqual(await checkCaseEvidence(t.evidence, caseId, { deep: true }), []);
  });
  after(() => t?.close());

  it('single-byte changes to sealed blobs on disk are all detected when read', async () => {
    const row = await t.handle.db.selectFrom('evidence_items').selectAll().where('case_id', '=', caseId).where('original_name', '=', 'dump.bin').executeTakeFirstOrThrow();
    const path = join(t.evidence.stagingDir, '..', 'blobs', row.blob_key);
    const original = await readFile(path);
    const key = await caseKey(t.handle.db, t.evidence.keys, caseId, new Date());
    // The file on disk, altered, is refused by a real read too.
    const altered = Buffer.from(original);
    altered[original.length - 5] = (altered[original.length - 5] as number) ^ 0x10;
    await writeFile(path, altered);
    await assert.rejects(async () => {
      for await (const chunk of await blobPlaintext(t.evidence, row)) void chunk;
    });
    const random = xorshift(42);
    let tried = 0;
    const accepted: number[] = [];
    try {
      for (let n = 0; n < 2000; n += 1) {
        const at = n < 64 ? n : (random.next().value as number) % original.length;
        const bytes = Buffer.from(original);
        bytes[at] = (bytes[at] as number) ^ (1 + ((random.next().value as number) % 255));
        tried += 1;
        // What a read does (blobPlaintext), on the bytes in memory: GCM chunk by chunk, then the digest.
        try {
          for await (const pieces of checkedPlaintext(key, streamReader(Readable.from([bytes])), row.sha256, Number(row.size))) void pieces;
          accepted.push(at);
        } catch {
          // detected
        }
      }
    } finally {
      await writeFile(path, original);
    }
    console.log(`blob tamper: ${tried} single-byte changes tried on a ${original.length}-byte sealed blob, ${tried - accepted.length} detected`);
    assert.deepEqual(accepted, []);
  });

  it('a blob swapped for another blob of the same case is refused: its chunks authenticate under the case key, its digest is not the recorded one', async () => {
    const rows = await t.handle.db.selectFrom('evidence_items').selectAll().where('case_id', '=', caseId).execute();
    const dump = rows.find((r) => r.original_name === 'dump.bin');
    const logs = rows.find((r) => r.original_name === 'logs.txt');
    assert.ok(dump && logs);
    const blobs = join(t.evidence.stagingDir, '..', 'blobs');
    const original = await readFile(join(blobs, dump.blob_key));
    await writeFile(join(blobs, dump.blob_key), await readFile(join(blobs, logs.blob_key)));
    try {
      let given = 0;
      await assert.rejects(async () => {
        for await (const chunk of await blobPlaintext(t.evidence, dump)) given += (chunk as Buffer).length;
      }, /does not match its recorded digest/);
      // The swapped blob is one chunk, its last: none of its bytes was given before the digest was checked.
      assert.equal(given, 0);
    } finally {
      await writeFile(join(blobs, dump.blob_key), original);
    }
  });

  it('single-byte changes to evidence rows and custody rows are all detected against the signed chain', async () => {
    const db = t.handle.db;
    const items = await db.selectFrom('evidence_items').selectAll().where('case_id', '=', caseId).execute();
    const custody = await db.selectFrom('evidence_custody').selectAll().where('case_id', '=', caseId).execute();
    const itemColumns = ['sha256', 'media_type', 'original_name', 'data_category', 'producer', 'received_at', 'received_by', 'blob_key'] as const;
    const custodyColumns = ['line', 'signature', 'key_id', 'event', 'at', 'actor'] as const;
    const random = xorshift(7);
    const pick = <T>(list: readonly T[]): T => list[(random.next().value as number) % list.length] as T;
    const flip = (text: string): string => {
      const at = (random.next().value as number) % text.length;
      const code = text.charCodeAt(at);
      // Another printable ASCII character (the byte changes; the text stays text).
      const next = 33 + ((code - 33 + 1 + ((random.next().value as number) % 93)) % 94);
      return text.slice(0, at) + String.fromCharCode(next) + text.slice(at + 1);
    };
    let tried = 0;
    const accepted: string[] = [];
    for (let n = 0; n < 1500; n += 1) {
      if (n % 2 === 0) {
        const row = pick(items);
        const column = pick(itemColumns);
        const before = row[column] as string;
        const changed = flip(before);
        await db.updateTable('evidence_items').set({ [column]: changed }).where('id', '=', row.id).execute();
        if ((await checkCaseEvidence(t.evidence, caseId)).length === 0) accepted.push(`item.${column}`);
        await db.updateTable('evidence_items').set({ [column]: before }).where('id', '=', row.id).execute();
      } else {
        const row = pick(custody);
        const column = pick(custodyColumns);
        const before = row[column];
        const changed = flip(before);
        await db.updateTable('evidence_custody').set({ [column]: changed }).where('id', '=', row.id).execute();
        if ((await checkCaseEvidence(t.evidence, caseId)).length === 0) accepted.push(`custody.${column}`);
        await db.updateTable('evidence_custody').set({ [column]: before }).where('id', '=', row.id).execute();
      }
      tried += 1;
    }
    // The log index of a custody line (once the log integrated it) points at another entry: detected.
    const size = (await t.ledger.publish()).checkpoint.size;
    for (const row of custody) {
      for (const delta of [1, -1, 3]) {
        if (Number(row.ledger_index) + delta < 0 || Number(row.ledger_index) + delta >= size) continue;
        tried += 1;
        await db.updateTable('evidence_custody').set({ ledger_index: Number(row.ledger_index) + delta }).where('id', '=', row.id).execute();
        if ((await checkCaseEvidence(t.evidence, caseId)).length === 0) accepted.push('custody.ledger_index');
        await db.updateTable('evidence_custody').set({ ledger_index: row.ledger_index }).where('id', '=', row.id).execute();
      }
    }
    // The size column is a number: every other value is detected too.
    for (const row of items) {
      for (const delta of [1, -1, 1024, 7]) {
        await db.updateTable('evidence_items').set({ size: Number(row.size) + delta }).where('id', '=', row.id).execute();
        if ((await checkCaseEvidence(t.evidence, caseId)).length === 0) accepted.push('item.size');
        tried += 1;
      }
      await db.updateTable('evidence_items').set({ size: row.size }).where('id', '=', row.id).execute();
    }
    console.log(`row tamper: ${tried} single-byte changes tried on evidence and custody rows, ${tried - accepted.length} detected`);
    assert.deepEqual(accepted, []);
    assert.deepEqual(await checkCaseEvidence(t.evidence, caseId, { deep: true }), []);
  });

  it('custody rows removed from the end of the chain, or all of them, are detected against the transparency log', async () => {
    const db = t.handle.db;
    const custody = await db.selectFrom('evidence_custody').selectAll().where('case_id', '=', caseId).orderBy('seq').execute();
    assert.ok(custody.length >= 3, `${custody.length} custody lines`);
    // The chain alone cannot see these: each remaining row still follows the one before it.
    for (const keep of [custody.length - 1, 1, 0]) {
      const removed = custody.slice(keep);
      await db.deleteFrom('evidence_custody').where('id', 'in', removed.map((r) => r.id)).execute();
      try {
        const problems = await checkCaseEvidence(t.evidence, caseId);
        assert.ok(problems.some((p) => p.where === `custody ${keep + 1}` && /its row is missing/.test(p.problem)), `${keep} kept: ${JSON.stringify(problems)}`);
      } finally {
        await db.insertInto('evidence_custody').values(removed).execute();
      }
    }
    assert.deepEqual(await checkCaseEvidence(t.evidence, caseId), []);
  });

  it('an id that names no case is refused, not reported as evidence without a problem', async () => {
    await assert.rejects(checkCaseEvidence(t.evidence, '0190a000-0000-7000-8000-0000000000ff'), /no case 0190a000-0000-7000-8000-0000000000ff/);
  });
});
