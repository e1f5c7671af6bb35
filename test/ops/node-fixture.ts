/**
 * @module test/ops/node-fixture
 * A node with something of everything an operator must not lose: the demo authorities and users
 * (passwords hashed, TOTP secrets sealed), an API token, cases in several states with their
 * history, clocks and audit trail, attachments, a key in the key store, and blobs in the data
 * directory. Also the comparison of two databases row by row, across engines.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { createApiToken, createAuthContext, type SecretBox } from '../../src/auth/index.js';
import { addAttachment, createCase, createCaseContext, transitionCase, type Actor, type CaseContext } from '../../src/cases/index.js';
import type { Database } from '../../src/db/index.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import { newDemoPassword, seedDemo, type SeededUser } from '../../src/demo/seed.js';
import { createDbKeyStore, NODE_OWNER } from '../../src/keys/index.js';
import { loadKnowledgeBase } from '../../src/law/index.js';

export const FR: Actor = { id: 'demo:officer@fr.demo', authorityId: 'fr-ca' };
const US: Actor = { id: 'demo:officer@us.demo', authorityId: 'us-doj-oia' };
const kb = loadKnowledgeBase();

export interface FilledNode {
  cases: CaseContext;
  users: SeededUser[];
  apiToken: string;
}

/** Fills a migrated database; `dataDir` gets two blobs. */
export async function fillNode(db: Kysely<Database>, box: SecretBox, dataDir: string, options: { keys?: boolean } = {}): Promise<FilledNode> {
  const cases = createCaseContext(db, kb);
  const auth = createAuthContext(db, box);
  const users = await seedDemo(cases, auth, newDemoPassword());
  const admin = await db.selectFrom('users').select('id').where('email', '=', 'admin@comity.demo').executeTakeFirstOrThrow();
  const { token } = await createApiToken(auth, { id: 'system', authorityId: null }, { userId: admin.id, name: 'backup test', scopes: ['law:read'], expiresInDays: 30 });
  for (let i = 0; i < 2; i++) {
    const created = await createCase(cases, FR, preservationRequestFrToUs({ references: { requesting: `BACKUP-${i}` } }));
    await transitionCase(cases, FR, created.id, 'approve', { review: DEMO_REVIEW });
    await transitionCase(cases, FR, created.id, 'send');
    for (const event of ['receive', 'acknowledge', 'start-assessment'] as const) await transitionCase(cases, US, created.id, event);
    await transitionCase(cases, US, created.id, 'accept', { assessment: { grounds: [{ ground: 'political-offence', applies: false }, { ground: 'essential-interests', applies: false }], decision: 'accept' } });
    await addAttachment(cases, US, created.id, { name: `log-${i}.txt`, mediaType: 'text/plain', contentBase64: Buffer.from(`subscriber record ${i}\n`.repeat(50)).toString('base64') });
    await addAttachment(cases, US, created.id, { name: `image-${i}.bin`, mediaType: 'application/octet-stream', contentBase64: Buffer.from(Array.from({ length: 3000 }, (_, k) => (k * 7 + i) % 256)).toString('base64') });
  }
  // The key store came after release 0.1 (migration 0010).
  if (options.keys !== false) await createDbKeyStore(db, box).ensure(NODE_OWNER, 'log', 'Ed25519', new Date());
  const blobs = join(dataDir, 'blobs', 'ab');
  mkdirSync(blobs, { recursive: true, mode: 0o700 });
  for (const content of ['first blob', 'second blob']) writeFileSync(join(blobs, createHash('sha256').update(content).digest('hex')), content, { mode: 0o600 });
  // The evidence store's layout: finished blobs per case, unfinished uploads in staging (not backed up).
  mkdirSync(join(dataDir, 'evidence', 'blobs', 'case-1'), { recursive: true, mode: 0o700 });
  mkdirSync(join(dataDir, 'evidence', 'staging'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dataDir, 'evidence', 'blobs', 'case-1', createHash('sha256').update('evidence').digest('hex')), 'evidence', { mode: 0o600 });
  writeFileSync(join(dataDir, 'evidence', 'staging', 'upload-1.part'), 'half an upl', { mode: 0o600 });
  return { cases, users, apiToken: token };
}

/** A value as both engines would agree on it: bytes by digest, numbers as text. */
function normal(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return `sha256:${createHash('sha256').update(value).digest('hex')}`;
  return String(value);
}

/** Every row of `table`, keyed by `key` (a column or columns), values normalised. */
export async function rowsOf(db: Kysely<Database>, table: string, key: readonly string[]): Promise<Map<string, Record<string, string | null>>> {
  const result = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
  const map = new Map<string, Record<string, string | null>>();
  for (const row of result.rows) {
    const normalised = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, normal(v)]));
    map.set(key.map((k) => normalised[k]).join('|'), normalised);
  }
  return map;
}

/** The tables compared after a restore or an upgrade, with their keys. */
export const COMPARED: readonly (readonly [string, readonly string[]])[] = [
  ['authorities', ['id']],
  ['cases', ['id']],
  ['case_events', ['id']],
  ['case_deadlines', ['id']],
  ['case_access', ['id']],
  ['case_attachments', ['id']],
  ['audit_events', ['id']],
  ['notifications', ['id']],
  ['users', ['id']],
  ['sessions', ['id']],
  ['api_tokens', ['id']],
  ['idempotency_keys', ['actor', 'key']],
  ['node_keys', ['id']],
];
