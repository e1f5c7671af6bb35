/**
 * @module test/evidence/node-fixture
 * A node's evidence context on a SQLite file under a data directory with a fixed master key, so
 * that several processes (a test and its child, or a benchmark and its server) open the same
 * node. `acceptedCaseDirect` drives a French request to the United States to `accepted` through
 * the use cases. `generated` yields reproducible content of any length from any offset.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createSecretBox } from '../../src/auth/index.js';
import { createAuthority, createCase, createCaseContext, getAuthority, transitionCase, type Actor } from '../../src/cases/index.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/index.js';
import { DEMO_AUTHORITIES, DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { createEvidenceContext, type EvidenceContext } from '../../src/evidence/index.js';
import { createDbKeyStore } from '../../src/keys/index.js';
import { loadKnowledgeBase } from '../../src/law/index.js';

export const FIXED_MASTER_KEY = Buffer.alloc(32, 7);
export const US: Actor = { id: 'test:officer@us', authorityId: 'us-doj-oia' };

export async function openNode(dataDir: string): Promise<{ handle: DatabaseHandle; ev: EvidenceContext }> {
  const handle = await openDatabase({ kind: 'sqlite', file: join(dataDir, 'comity.sqlite') });
  await handle.migrate();
  const cases = createCaseContext(handle.db, loadKnowledgeBase());
  const ev = await createEvidenceContext({ cases, keys: createDbKeyStore(handle.db, createSecretBox(FIXED_MASTER_KEY)), dataDir });
  return { handle, ev };
}

export async function acceptedCaseDirect(ev: EvidenceContext, reference: string): Promise<string> {
  const ctx = ev.cases;
  const admin: Actor = { id: 'test:admin', authorityId: null };
  for (const authority of DEMO_AUTHORITIES) if ((await getAuthority(ctx.db, authority.id)) === null) await createAuthority(ctx, admin, authority);
  const fr: Actor = { id: 'test:officer@fr', authorityId: 'fr-ca' };
  const created = await createCase(ctx, fr, preservationRequestFrToUs({ references: { requesting: reference } }));
  await transitionCase(ctx, fr, created.id, 'approve', { review: DEMO_REVIEW });
  await transitionCase(ctx, fr, created.id, 'send');
  for (const event of ['receive', 'acknowledge', 'start-assessment'] as const) await transitionCase(ctx, US, created.id, event);
  const grounds = [{ ground: 'political-offence', applies: false }, { ground: 'essential-interests', applies: false }];
  await transitionCase(ctx, US, created.id, 'accept', { assessment: { grounds, decision: 'accept' } });
  return created.id;
}

/** A 1 MiB + 7 block of pseudo-random bytes; content byte i is BLOCK[i mod its length]. */
const BLOCK = (() => {
  const parts: Buffer[] = [];
  let seed = Buffer.from('comity evidence test content');
  let total = 0;
  while (total < 1024 * 1024 + 7) {
    seed = createHash('sha256').update(seed).digest();
    parts.push(seed);
    total += seed.length;
  }
  return Buffer.concat(parts).subarray(0, 1024 * 1024 + 7);
})();

/** Content bytes [from, to) in pieces of at most `piece` bytes. */
export function* generated(from: number, to: number, piece = 256 * 1024): Generator<Buffer> {
  let at = from;
  while (at < to) {
    const start = at % BLOCK.length;
    const n = Math.min(piece, to - at, BLOCK.length - start);
    yield BLOCK.subarray(start, start + n);
    at += n;
  }
}

export function generatedSha256(length: number): string {
  const hash = createHash('sha256');
  for (const piece of generated(0, length, 4 * 1024 * 1024)) hash.update(piece);
  return hash.digest('hex');
}
