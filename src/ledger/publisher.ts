/**
 * @module ledger/publisher
 * Publishing the log: integrate what is sequenced, then sign a checkpoint of the tree with the
 * node's log key (c2sp.org/tlog-checkpoint) — but never one inconsistent with a checkpoint
 * signed before ("A log MUST not sign any checkpoint which is inconsistent with any checkpoint
 * it previously signed", tlog-checkpoint). The previous checkpoints are those in the database
 * and the last one kept outside it (a file beside the master key): a database restored from an
 * older copy, truncated or edited is caught by the file even when its own checkpoints went back
 * in time with it. A refusal is an incident, open until an administrator resolves it
 * (`comity ledger resolve`), and the node is not ready meanwhile.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { NODE_OWNER, type KeyStore } from '../keys/index.js';
import { checkpointOfNote, signCheckpoint, type Checkpoint } from './checkpoint.js';
import { LedgerError } from './errors.js';
import { ed25519Signer, parseVerifierKey, verifierKeyText, type NoteSigner, type NoteVerifier } from './note.js';
import { integrate, rootAt, type TreeHead } from './store.js';

/** The node's log identity: origin, signer and verifier key (vkey). */
export interface LogIdentity {
  origin: string;
  keyId: string;
  signer: NoteSigner;
  vkey: string;
  verifier: NoteVerifier;
}

/** The log key (created on first use, sealed at rest by the key store); its note key name is the origin. */
export async function logIdentity(keys: KeyStore, origin: string, now: Date): Promise<LogIdentity> {
  const key = await keys.ensure(NODE_OWNER, 'log', 'Ed25519', now);
  const privateKey = await keys.privateKey(key.id, 'sign');
  const publicKey = await keys.publicKey(key.id);
  return identityOf(origin, key.id, privateKey, publicKey);
}

export function identityOf(origin: string, keyId: string, privateKey: KeyObject, publicKey: KeyObject): LogIdentity {
  const vkey = verifierKeyText(origin, publicKey);
  return { origin, keyId, signer: ed25519Signer(origin, privateKey, publicKey), vkey, verifier: parseVerifierKey(vkey) };
}

/** Verifiers of every log key the node has had (active, retired or revoked), for old checkpoints. */
export async function logVerifiers(keys: KeyStore, origin: string): Promise<NoteVerifier[]> {
  const list = await keys.list({ owner: NODE_OWNER, purpose: 'log' });
  const out: NoteVerifier[] = [];
  for (const key of list) out.push(parseVerifierKey(verifierKeyText(origin, await keys.publicKey(key.id))));
  return out;
}

/** Where the last signed checkpoint is kept outside the database. */
export interface CheckpointMemory {
  read(): string | null;
  write(note: string): void;
}

/** A file (written atomically, owner-only). */
export function fileMemory(path: string): CheckpointMemory {
  return {
    read: () => (existsSync(path) ? readFileSync(path, 'utf8') : null),
    write: (note) => {
      writeFileSync(`${path}.tmp`, note, { mode: 0o600 });
      renameSync(`${path}.tmp`, path);
    },
  };
}

export function memoryInProcess(): CheckpointMemory {
  let note: string | null = null;
  return { read: () => note, write: (n) => void (note = n) };
}

export interface StoredCheckpoint extends Checkpoint {
  note: string;
  signedAt: string;
}

/** The latest checkpoint signed for `origin`, from the database. */
export async function latestCheckpoint(db: Kysely<Database>, origin?: string): Promise<StoredCheckpoint | undefined> {
  let query = db.selectFrom('ledger_checkpoints').select(['note', 'signed_at']).orderBy('size', 'desc').limit(1);
  if (origin !== undefined) query = query.where('origin', '=', origin);
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : { ...checkpointOfNote(row.note), note: row.note, signedAt: row.signed_at };
}

/** Why the tree is inconsistent with a checkpoint signed before, or null. */
export async function inconsistency(db: Kysely<Database>, head: TreeHead, origin: string, memory: CheckpointMemory): Promise<string | null> {
  const previous: Array<{ from: string; checkpoint: Checkpoint }> = [];
  const stored = await latestCheckpoint(db, origin);
  if (stored !== undefined) previous.push({ from: 'the database', checkpoint: stored });
  const remembered = memory.read();
  if (remembered !== null) {
    const checkpoint = checkpointOfNote(remembered);
    if (checkpoint.origin === origin) previous.push({ from: 'the checkpoint file', checkpoint });
  }
  for (const { from, checkpoint } of previous) {
    if (checkpoint.size > head.size) return `the log has ${head.size} entries but a checkpoint of size ${checkpoint.size} was signed before (${from}): the database was restored from an older copy or truncated`;
    const root = await rootAt(db, checkpoint.size).catch(() => null);
    if (root === null || !root.equals(checkpoint.root)) return `the first ${checkpoint.size} entries no longer hash to the root of the checkpoint signed before (${from}): the log was altered`;
  }
  return null;
}

export interface OpenIncident {
  id: string;
  raisedAt: string;
  reason: string;
}

export async function openIncidents(db: Kysely<Database>): Promise<OpenIncident[]> {
  const rows = await db.selectFrom('ledger_incidents').select(['id', 'raised_at', 'reason']).where('resolved_at', 'is', null).orderBy('raised_at').execute();
  return rows.map((r) => ({ id: r.id, raisedAt: r.raised_at, reason: r.reason }));
}

export interface PublishOptions {
  now: Date;
  newId: () => string;
  memory: CheckpointMemory;
  /** Called once per refusal (a log line, a metric). */
  onRefusal?: (reason: string) => void;
}

export interface Published {
  checkpoint: StoredCheckpoint;
  /** Whether a new checkpoint was signed (false: the tree had not grown). */
  signed: boolean;
}

/**
 * Integrates and signs a checkpoint of the tree, unless it is inconsistent with one signed
 * before or an incident is open: then it raises (or keeps) the incident and throws
 * `inconsistent-checkpoint`.
 */
export async function publishCheckpoint(db: Kysely<Database>, log: LogIdentity, options: PublishOptions): Promise<Published> {
  const head = await integrate(db);
  const reason = await inconsistency(db, head, log.origin, options.memory);
  if (reason !== null) {
    const open = await openIncidents(db);
    if (!open.some((i) => i.reason === reason)) {
      await db.insertInto('ledger_incidents').values({ id: options.newId(), raised_at: options.now.toISOString(), reason, resolved_at: null, resolution: null }).execute();
    }
    options.onRefusal?.(reason);
    throw new LedgerError('inconsistent-checkpoint', `refusing to sign a checkpoint: ${reason}`);
  }
  const open = await openIncidents(db);
  if (open.length > 0) throw new LedgerError('inconsistent-checkpoint', `refusing to sign a checkpoint until an administrator resolves: ${(open[0] as OpenIncident).reason}`);
  const latest = await latestCheckpoint(db, log.origin);
  if (latest !== undefined && latest.size === head.size) {
    if (options.memory.read() !== latest.note) options.memory.write(latest.note);
    return { checkpoint: latest, signed: false };
  }
  const note = signCheckpoint({ origin: log.origin, size: head.size, root: head.root }, log.signer);
  const signedAt = options.now.toISOString();
  // Two publishers at once (several processes on PostgreSQL): the first checkpoint of a size wins.
  await db
    .insertInto('ledger_checkpoints')
    .values({ size: head.size, origin: log.origin, root: head.root, note, key_id: log.keyId, signed_at: signedAt })
    .onConflict((oc) => oc.columns(['origin', 'size']).doNothing())
    .execute();
  const stored = (await latestCheckpoint(db, log.origin)) as StoredCheckpoint;
  options.memory.write(stored.note);
  return { checkpoint: stored, signed: stored.note === note };
}

/**
 * Resolves open incidents once the cause is gone: the database holds the log again (the latest
 * backup restored) or the node now runs a new log (another origin, COMITY_LOG_ORIGIN). Throws
 * `inconsistent-checkpoint` while the tree is still inconsistent. Returns how many it resolved.
 */
export async function resolveIncidents(db: Kysely<Database>, log: LogIdentity, options: { now: Date; memory: CheckpointMemory; resolution: string }): Promise<number> {
  const head = await integrate(db);
  const reason = await inconsistency(db, head, log.origin, options.memory);
  if (reason !== null) throw new LedgerError('inconsistent-checkpoint', `still inconsistent: ${reason}. Restore the latest backup, or start a new log with another origin (COMITY_LOG_ORIGIN)`);
  const result = await db.updateTable('ledger_incidents').set({ resolved_at: options.now.toISOString(), resolution: options.resolution }).where('resolved_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
