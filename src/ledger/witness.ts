/**
 * @module ledger/witness
 * Witnessing between nodes, c2sp.org/tlog-witness with c2sp.org/tlog-cosignature (Ed25519,
 * cosignature/v1):
 *
 * - **As a witness** ({@link addCheckpoint}): a peer submits its newest checkpoint with the old
 *   size this node last cosigned for its origin and a consistency proof from it. Only logs this
 *   node knows (origins and log keys from imported peer agreements) are witnessed: an unknown
 *   origin is 404, no verifying log signature 403, old size > size 400, an old size that is not
 *   the last one cosigned 409 (`text/x.tlog.size`), a bad proof or an empty tree with another
 *   root 422. Checking and recording the new state happen atomically (one transaction, and on
 *   PostgreSQL a transaction lock per origin). A checkpoint of the size last cosigned with
 *   another root is a signed contradiction: kept as fork evidence, never cosigned.
 * - **As a log** ({@link submitToWitnesses}): the newest checkpoint goes to every peer witness;
 *   the cosignature returned is verified with the witness key of the peer's agreement and stored.
 * - **Comparing views** ({@link compareWitnessViews}): each witness serves the latest checkpoint
 *   it cosigned per origin (`GET <prefix>/<sha256(origin) hex>/checkpoint`); a node fetches its
 *   peers' views and compares them with its own: a log that showed two witnesses different trees
 *   is caught when both views have one size (see README "Witnessing" for the limits).
 */
import { createHash, type KeyObject } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { sqlFamily } from '../db/dialects/family.js';
import { attemptSignal } from '../net/attempt-signal.js';
import { checkpointOfNote, parseCheckpointBody } from './checkpoint.js';
import { EMPTY_ROOT, HASH_SIZE, verifyConsistency } from './merkle.js';
import { cosignatureSigner, decodeNote, openNote, parseNote, signatureLine, verifierKeyText, SIGNATURE_TYPE_COSIGNATURE_V1, type NoteVerifier } from './note.js';
import { consistencyProofAt, rootAt } from './store.js';

/** The content type of a 409 answer (tlog-witness). */
export const TLOG_SIZE_MEDIA_TYPE = 'text/x.tlog.size';
/** At most this many consistency proof lines (tlog-witness). */
export const MAX_PROOF_LINES = 63;
/** The largest add-checkpoint body accepted (a checkpoint with 100 signatures and 63 proof lines fits). */
export const MAX_ADD_CHECKPOINT_BYTES = 64 * 1024;

/** The cosigner name of a node's witness key. */
export function witnessName(nodeId: string): string {
  return `witness/${nodeId}`;
}

/** The vkey of a witness key (type 0x04, cosignature/v1). */
export function witnessVkey(nodeId: string, publicKey: KeyObject): string {
  return verifierKeyText(witnessName(nodeId), publicKey, SIGNATURE_TYPE_COSIGNATURE_V1);
}

/** A log this node witnesses: a peer's origin and every log key of its agreement. */
export interface WitnessedLog {
  origin: string;
  nodeId: string;
  verifiers: readonly NoteVerifier[];
}

/** This node as a cosigner. */
export interface WitnessKey {
  name: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** The problem codes of refusals (docs/errors.md), by the status tlog-witness prescribes. */
export const WITNESS_REFUSALS = { 400: 'witness-malformed', 403: 'witness-unverified', 404: 'witness-unknown-log', 422: 'witness-inconsistent' } as const;

export interface WitnessAnswer {
  status: 200 | 400 | 403 | 404 | 409 | 422;
  contentType: string;
  /** The cosignature lines (200), the size (409) or what is wrong (other statuses). */
  body: string;
  /** Why it was refused, for the node's log (never sent as a stack). */
  reason?: string;
}

const text = (status: 400 | 403 | 404 | 422, body: string, reason?: string): WitnessAnswer => ({ status, contentType: 'text/plain; charset=utf-8', body: body.trim(), ...(reason ? { reason } : {}) });

interface AddCheckpointRequest {
  oldSize: number;
  proof: Buffer[];
  note: string;
}

/** Parses an add-checkpoint body, or answers why not (400). */
export function parseAddCheckpoint(body: Uint8Array): AddCheckpointRequest | WitnessAnswer {
  let all: string;
  try {
    all = decodeNote(body);
  } catch {
    return text(400, 'the body is not UTF-8 text\n');
  }
  const end = all.indexOf('\n\n');
  if (end < 0) return text(400, 'expected an old size line, proof lines, an empty line and a checkpoint\n');
  const lines = all.slice(0, end).split('\n');
  const old = /^old (0|[1-9][0-9]{0,15})$/.exec(lines[0] ?? '');
  if (old === null || !Number.isSafeInteger(Number(old[1]))) return text(400, 'the first line is "old <size>"\n');
  const proofLines = lines.slice(1);
  if (proofLines.length > MAX_PROOF_LINES) return text(400, `at most ${MAX_PROOF_LINES} consistency proof lines\n`);
  const proof: Buffer[] = [];
  for (const line of proofLines) {
    if (!/^[A-Za-z0-9+/]{43}=$/.test(line)) return text(400, 'a consistency proof line is one base64 SHA-256 hash\n');
    proof.push(Buffer.from(line, 'base64'));
  }
  return { oldSize: Number(old[1]), proof, note: all.slice(end + 2) };
}

/**
 * The add-checkpoint call (tlog-witness), as this node's witness. `logOf` names the logs this
 * node witnesses (from its peers' agreements).
 */
export async function addCheckpoint(db: Kysely<Database>, body: Uint8Array, logOf: (origin: string) => WitnessedLog | undefined, witness: WitnessKey, now: Date, newId: () => string): Promise<WitnessAnswer> {
  const request = parseAddCheckpoint(body);
  if ('status' in request) return request;
  let origin: string;
  let size: number;
  let root: Buffer;
  let noteText: string;
  try {
    const parsed = parseNote(request.note);
    noteText = parsed.text;
    ({ origin, size, root } = parseCheckpointBody(parsed.text));
  } catch (error) {
    return text(400, `malformed checkpoint: ${(error as Error).message}\n`);
  }
  const log = logOf(origin);
  if (log === undefined) return text(404, 'unknown log origin: this node witnesses only the logs of its peers (imported agreements)\n', `unknown origin ${origin}`);
  try {
    const opened = openNote(request.note, log.verifiers);
    if (!opened.verifiedBy.includes(origin)) throw new Error('no signature of the log key');
  } catch (error) {
    return text(403, 'the checkpoint carries no valid signature of the log key\n', `${origin}: ${(error as Error).message}`);
  }
  if (request.oldSize > size) return text(400, 'the old size is larger than the checkpoint size\n');
  if (size === 0 && !root.equals(EMPTY_ROOT)) return text(422, 'a checkpoint of size 0 has the root of the empty tree\n');

  return db.transaction().execute(async (trx) => {
    // Check and record atomically: SQLite has one writer; PostgreSQL takes a lock per origin.
    if (sqlFamily(trx as unknown as Kysely<unknown>) === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`comity-witness:${origin}`}))`.execute(trx);
    const latest = await trx.selectFrom('witness_checkpoints').select(['size', 'root', 'note']).where('origin', '=', origin).orderBy('size', 'desc').limit(1).executeTakeFirst();
    const latestSize = latest === undefined ? 0 : Number(latest.size);
    if (request.oldSize !== latestSize) return { status: 409 as const, contentType: TLOG_SIZE_MEDIA_TYPE, body: `${latestSize}\n`, reason: `${origin}: old size ${request.oldSize}, last cosigned ${latestSize}` };
    if (request.oldSize === 0) {
      if (request.proof.length > 0) return text(422, 'no consistency proof from the empty tree\n');
    } else {
      const oldRoot = Buffer.from((latest as { root: Uint8Array }).root);
      if (request.oldSize === size && !oldRoot.equals(root)) {
        // Two checkpoints of one size, both signed by the log: a proven fork. Kept, never cosigned.
        await recordFork(trx, { origin, size, how: 'witness: the log submitted a checkpoint of the size it had already shown with another root', evidence: [(latest as { note: string }).note, request.note], now, newId });
        return text(422, 'the root differs from the checkpoint of the same size cosigned before\n', `${origin}: fork at size ${size}`);
      }
      if (!verifyConsistency(request.oldSize, size, request.proof, oldRoot, root)) return text(422, 'the consistency proof does not verify\n', `${origin}: bad consistency proof ${request.oldSize}→${size}`);
    }
    const time = Math.floor(now.getTime() / 1000);
    const line = signatureLine(noteText, cosignatureSigner(witness.name, witness.privateKey, witness.publicKey, time));
    const own = parseNote(request.note).signatures.filter((s) => s.name !== witness.name).map((s) => `${s.line}\n`);
    const stored = `${noteText}\n${own.join('')}${line}`;
    await trx
      .insertInto('witness_checkpoints')
      .values({ origin, size, root, node_id: log.nodeId, note: stored, cosigned_at: now.toISOString() })
      .onConflict((oc) => oc.columns(['origin', 'size']).doUpdateSet({ note: stored, cosigned_at: now.toISOString() }))
      .execute();
    return { status: 200 as const, contentType: 'text/plain; charset=utf-8', body: line };
  });
}

/** The latest checkpoint this witness cosigned for the origin whose SHA-256 (hex) is `originHash`. */
export async function witnessedCheckpoint(db: Kysely<Database>, originHash: string): Promise<string | undefined> {
  if (!/^[0-9a-f]{64}$/.test(originHash)) return undefined;
  const origins = await db.selectFrom('witness_checkpoints').select('origin').distinct().execute();
  const origin = origins.find((o) => createHash('sha256').update(o.origin).digest('hex') === originHash)?.origin;
  if (origin === undefined) return undefined;
  const row = await db.selectFrom('witness_checkpoints').select('note').where('origin', '=', origin).orderBy('size', 'desc').limit(1).executeTakeFirst();
  return row?.note;
}

export async function recordFork(db: Kysely<Database>, fork: { origin: string; size: number; how: string; evidence: readonly string[]; now: Date; newId: () => string }): Promise<boolean> {
  const result = await db
    .insertInto('ledger_forks')
    .values({ id: fork.newId(), origin: fork.origin, size: fork.size, detected_at: fork.now.toISOString(), how: fork.how, evidence: JSON.stringify(fork.evidence), resolved_at: null })
    .onConflict((oc) => oc.columns(['origin', 'size', 'how']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export interface OpenFork {
  id: string;
  origin: string;
  size: number;
  detectedAt: string;
  how: string;
  evidence: string[];
}

export async function openForks(db: Kysely<Database>): Promise<OpenFork[]> {
  const rows = await db.selectFrom('ledger_forks').selectAll().where('resolved_at', 'is', null).orderBy('detected_at').execute();
  return rows.map((r) => ({ id: r.id, origin: r.origin, size: Number(r.size), detectedAt: r.detected_at, how: r.how, evidence: JSON.parse(r.evidence) as string[] }));
}

/** A peer as a witness of this node's log, and as a holder of views of other logs. */
export interface WitnessPeer {
  nodeId: string;
  endpoint: string;
  /** The peer's cosigner key (from its agreement), or undefined when its agreement has none. */
  witness: NoteVerifier | undefined;
}

export interface SubmitResult {
  nodeId: string;
  outcome: 'cosigned' | 'already' | 'refused' | 'unreachable' | 'no-witness-key';
  detail?: string;
}

type Fetch = typeof fetch;

/** How long a witness (or a peer asked for its view) has to answer, unless told otherwise. */
export const WITNESS_TIMEOUT_MS = 10_000;

/** What the witnessing calls need: clock, ids, the HTTP client, the time limit per request, and `signal`, aborted when the node stops (the requests in flight end at once, the rest are not made). */
export interface WitnessIo {
  now: () => Date;
  newId: () => string;
  fetch?: Fetch;
  timeoutMs?: number;
  signal?: AbortSignal;
}

function url(endpoint: string, path: string): URL {
  return new URL(path, endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
}

/**
 * Submits the checkpoint `note` of this node's log (origin, size) to every peer witness and
 * stores the cosignatures returned (verified with each witness's key). A 409 is answered once
 * with the size the witness gives (the consistency proof from it). A witness that has cosigned
 * a larger tree of this log than the checkpoint is a fork of this node's log (or this database
 * went back in time): recorded as such.
 */
export async function submitToWitnesses(db: Kysely<Database>, checkpoint: { origin: string; size: number; note: string }, peers: readonly WitnessPeer[], options: WitnessIo): Promise<SubmitResult[]> {
  const doFetch = options.fetch ?? fetch;
  const out: SubmitResult[] = [];
  const noteText = parseNote(checkpoint.note).text;
  for (const peer of peers) {
    if (options.signal?.aborted) break;
    if (peer.witness === undefined) {
      out.push({ nodeId: peer.nodeId, outcome: 'no-witness-key' });
      continue;
    }
    const have = await db.selectFrom('ledger_cosignatures').select('size').where('origin', '=', checkpoint.origin).where('witness', '=', peer.witness.name).orderBy('size', 'desc').limit(1).executeTakeFirst();
    let oldSize = have === undefined ? 0 : Number(have.size);
    if (oldSize === checkpoint.size) {
      out.push({ nodeId: peer.nodeId, outcome: 'already' });
      continue;
    }
    if (oldSize > checkpoint.size) oldSize = 0; // the witness tells us its size in a 409
    let result: SubmitResult | undefined;
    for (let attempt = 0; attempt < 2 && result === undefined; attempt += 1) {
      const proof = oldSize > 0 && oldSize < checkpoint.size ? await consistencyProofAt(db, oldSize, checkpoint.size) : [];
      const body = `old ${oldSize}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${checkpoint.note}`;
      let response: Response;
      let answer: string;
      const request = attemptSignal(options.timeoutMs ?? WITNESS_TIMEOUT_MS, options.signal);
      try {
        response = await doFetch(url(peer.endpoint, 'api/witness/add-checkpoint'), { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body, signal: request.signal });
        answer = await response.text();
      } catch (error) {
        result = { nodeId: peer.nodeId, outcome: 'unreachable', detail: (error as Error).message };
        break;
      } finally {
        request.done();
      }
      if (response.status === 409 && (response.headers.get('content-type') ?? '').startsWith(TLOG_SIZE_MEDIA_TYPE) && attempt === 0) {
        const size = /^(0|[1-9][0-9]{0,15})\n$/.exec(answer);
        if (size === null) {
          result = { nodeId: peer.nodeId, outcome: 'refused', detail: 'malformed 409 answer' };
          break;
        }
        const witnessSize = Number(size[1]);
        if (witnessSize > checkpoint.size) {
          await recordFork(db, { origin: checkpoint.origin, size: witnessSize, how: `witness ${peer.witness.name} cosigned a larger tree (${witnessSize}) of this log than its newest checkpoint (${checkpoint.size})`, evidence: [checkpoint.note], now: options.now(), newId: options.newId });
          result = { nodeId: peer.nodeId, outcome: 'refused', detail: `the witness has size ${witnessSize}, beyond this log` };
          break;
        }
        oldSize = witnessSize;
        continue;
      }
      if (response.status !== 200) {
        result = { nodeId: peer.nodeId, outcome: 'refused', detail: `HTTP ${response.status}: ${answer.slice(0, 200).trim()}` };
        break;
      }
      const lines = answer.split('\n').filter((l) => l !== '');
      let stored = 0;
      for (const line of lines) {
        try {
          const opened = openNote(`${noteText}\n${line}\n`, [peer.witness]);
          if (!opened.verifiedBy.includes(peer.witness.name)) continue;
        } catch {
          continue; // another key, or a signature that does not verify: not kept
        }
        await db
          .insertInto('ledger_cosignatures')
          .values({ origin: checkpoint.origin, size: checkpoint.size, witness: peer.witness.name, node_id: peer.nodeId, signature: `${line}\n`, collected_at: options.now().toISOString() })
          .onConflict((oc) => oc.columns(['origin', 'size', 'witness']).doNothing())
          .execute();
        stored += 1;
      }
      result = stored > 0 ? { nodeId: peer.nodeId, outcome: 'cosigned' } : { nodeId: peer.nodeId, outcome: 'refused', detail: 'no cosignature of the witness key in the answer' };
    }
    // Stopped while waiting for this witness: no outcome to report (it is asked again after the next checkpoint).
    if (options.signal?.aborted) break;
    out.push(result ?? { nodeId: peer.nodeId, outcome: 'refused', detail: 'the witness kept answering 409' });
  }
  return out;
}

export interface ViewComparison {
  compared: number;
  forks: number;
}

/**
 * Fetches each peer's witnessed view of every log this node knows (the peers' logs it witnesses
 * and its own) and compares it with this node's: a view of a log, signed by that log (and
 * cosigned by the peer), whose size this node also has — cosigned as a witness, or its own tree
 * — with another root is a fork, recorded with both notes as evidence. Views of sizes this node
 * has no root for are not comparable (README "Witnessing": limits).
 */
export async function compareWitnessViews(db: Kysely<Database>, input: { own: { origin: string; verifiers: readonly NoteVerifier[] }; logs: readonly WitnessedLog[]; peers: readonly WitnessPeer[] }, options: WitnessIo): Promise<ViewComparison> {
  const doFetch = options.fetch ?? fetch;
  let compared = 0;
  let forks = 0;
  const ownSize = Number((await db.selectFrom('ledger_tree').select('size').where('id', '=', 1).executeTakeFirstOrThrow()).size);
  const targets: Array<{ origin: string; verifiers: readonly NoteVerifier[]; own: boolean }> = [{ ...input.own, own: true }, ...input.logs.map((l) => ({ origin: l.origin, verifiers: l.verifiers, own: false }))];
  for (const peer of input.peers) {
    if (peer.witness === undefined) continue;
    for (const target of targets) {
      if (options.signal?.aborted) return { compared, forks };
      if (!target.own && input.logs.find((l) => l.origin === target.origin)?.nodeId === peer.nodeId) continue; // a log's view of itself proves nothing
      const hash = createHash('sha256').update(target.origin).digest('hex');
      let note: string;
      const attempt = attemptSignal(options.timeoutMs ?? WITNESS_TIMEOUT_MS, options.signal);
      try {
        const response = await doFetch(url(peer.endpoint, `api/witness/${hash}/checkpoint`), { signal: attempt.signal });
        if (response.status !== 200) continue;
        note = await response.text();
        // The view counts only when the log signed it and the peer cosigned it.
        const opened = openNote(note, [...target.verifiers, peer.witness]);
        if (!opened.verifiedBy.includes(target.origin) || !opened.verifiedBy.includes(peer.witness.name)) continue;
      } catch {
        continue;
      } finally {
        attempt.done();
      }
      const view = checkpointOfNote(note);
      if (view.origin !== target.origin || view.root.length !== HASH_SIZE) continue;
      let mine: { root: Buffer; note: string } | undefined;
      if (target.own) {
        if (view.size <= ownSize) {
          const signed = await db.selectFrom('ledger_checkpoints').select('note').where('origin', '=', target.origin).where('size', '=', view.size).executeTakeFirst();
          mine = { root: await rootAt(db, view.size), note: signed?.note ?? `(this node's tree at size ${view.size})` };
        }
      } else {
        const row = await db.selectFrom('witness_checkpoints').select(['root', 'note']).where('origin', '=', target.origin).where('size', '=', view.size).executeTakeFirst();
        if (row !== undefined) mine = { root: Buffer.from(row.root), note: row.note };
      }
      if (mine === undefined) continue;
      compared += 1;
      if (!mine.root.equals(view.root)) {
        const how = target.own
          ? `peer ${peer.nodeId} holds a checkpoint of this node's log, signed with its key, that this node's tree does not match`
          : `peer ${peer.nodeId} cosigned a checkpoint of ${target.origin} that differs from the one this node cosigned at the same size`;
        if (await recordFork(db, { origin: target.origin, size: view.size, how, evidence: [mine.note, note], now: options.now(), newId: options.newId })) forks += 1;
      }
    }
  }
  return { compared, forks };
}
