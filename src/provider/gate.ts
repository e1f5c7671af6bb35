/**
 * @module provider/gate
 * The provider's node admits only verified orders. It wraps the node's message handler: an
 * order to a provider authority hosted here is verified (verify.ts) before the case handler may
 * create its case; a verified order is recorded and handed on (it becomes answerable through its
 * case); an order that fails any check is recorded in quarantine with its reasons and never
 * reaches the case handler, so no case exists to answer with data. The issuing node gets a
 * signed rejection naming the first reason. An envelope the exchange refuses outright (a key not
 * in the trust list, a removed key, an emergency without its second signature, a replay) is
 * quarantined too, from its claimed content, by the refusal hook.
 */
import type { Kysely, Transaction } from 'kysely';
import { uuidv7 } from '../db/ids.js';
import type { Database } from '../db/index.js';
import { MessageRejected, type MessageHandler, type RefusalHook } from '../exchange/inbox.js';
import type { TrustList } from '../exchange/trust.js';
import type { KnowledgeBase } from '../law/knowledge-base.js';
import { ParticipationIndex } from '../law/status.js';
import { CHECK_NAMES, QUARANTINE_REASONS, notChecked, type Checks } from './reasons.js';
import { isProviderOrder, signatureFailure, verifyOrder } from './verify.js';

export interface GateDeps {
  readonly kb: KnowledgeBase;
  trust(): Promise<TrustList>;
}

/** How a row written from claimed (unverified) content is told apart: its summary says `"claimed":true`. */
const CLAIMED_MARK = '"claimed":true';

const str = (value: unknown, max = 200): string | null => (typeof value === 'string' ? value.slice(0, max) : null);

/**
 * Whether a verified envelope already brought this message id or order reference. Rows the refusal
 * hook wrote from an envelope's *claimed* content do not count: anyone can claim an id, and a forged
 * envelope must not burn the id of the real order (nor block it when it arrives once trust is set up).
 */
async function seenBefore(db: Kysely<Database>, messageId: string, sender: string, ref: string | null): Promise<{ messageId: boolean; ref: boolean }> {
  const seen = async (column: 'message_id' | 'order_ref', value: string, from?: string) => {
    let query = db.selectFrom('provider_orders').select('summary').where(column, '=', value);
    if (from !== undefined) query = query.where('sender_node_id', '=', from);
    return (await query.execute()).some((row) => !row.summary.includes(CLAIMED_MARK));
  };
  return { messageId: await seen('message_id', messageId), ref: ref !== null && (await seen('order_ref', ref, sender)) };
}

/** Wraps `inner` (the case handler) with the provider's verification. */
export function createProviderGate(inner: MessageHandler, deps: GateDeps): MessageHandler {
  let participation: ParticipationIndex | null = null;
  return {
    async apply(trx, opened, at, given) {
      const trust = given ?? (await deps.trust());
      const message = opened.message;
      if (!isProviderOrder(message, trust)) return inner.apply(trx, opened, at, trust);
      const order = (message.body as { order?: { ref?: unknown } }).order;
      const ref = str(order?.ref, 100);
      participation ??= new ParticipationIndex(deps.kb);
      const held = (message.from.node === trust.self.nodeId ? [] : await heldCheckpoints(trx, trust, message.from.node));
      const verification = verifyOrder({
        message,
        signatures: opened.signatures,
        trust,
        kb: deps.kb,
        participation,
        now: at,
        seen: await seenBefore(trx, message.id, message.from.node, ref),
        heldCheckpoints: held,
      });
      const facts = verification.facts;
      const issuer = trust.node(message.from.node)?.authorities.get(message.from.authority);
      const row = {
        id: uuidv7(at.getTime()),
        message_id: message.id,
        order_ref: ref,
        conversation_id: message.conversation,
        received_at: at.toISOString(),
        sender_node_id: message.from.node,
        issuing_authority_id: message.from.authority,
        issuing_party: issuer?.party ?? null,
        provider_authority_id: message.to.authority,
        instrument: message.instrument,
        order_kind: facts?.kind ?? null,
        data_category: facts?.category ?? null,
        emergency: message.emergency ? 1 : 0,
        issued_at: facts?.issuedAt ?? null,
        reasons: JSON.stringify(verification.reasons),
        checks: JSON.stringify(verification.checks),
        summary: JSON.stringify({ ref, kind: facts?.kind ?? null, category: facts?.category ?? null, validatedBy: facts?.validatedBy ?? null, deadline: verification.deadline ?? null }),
        digest: opened.digests.payload,
        due_at: verification.deadline ? new Date(at.getTime() + verification.deadline.hours * 3600_000).toISOString() : null,
        outcome: null,
        outcome_at: null,
      };
      if (verification.reasons.length > 0) {
        const first = verification.reasons[0] as string;
        throw new MessageRejected(first, `the order is quarantined by the provider's node: ${verification.reasons.join(', ')}`, async (t) => {
          await t.insertInto('provider_orders').values({ ...row, status: 'quarantined', outcome: 'quarantined', outcome_at: row.received_at }).execute();
        });
      }
      await trx.insertInto('provider_orders').values({ ...row, status: 'verified' }).execute();
      if (verification.checkpoint !== null) await rememberCheckpoint(trx, verification.checkpoint, at);
      await inner.apply(trx, opened, at, trust);
    },
  };
}

async function heldCheckpoints(db: Kysely<Database>, trust: TrustList, nodeId: string): Promise<{ size: number; root: string }[]> {
  const vkey = trust.node(nodeId)?.logKey;
  if (vkey === undefined) return [];
  const origin = vkey.slice(0, vkey.indexOf('+'));
  return db.selectFrom('provider_log_checkpoints').select(['size', 'root']).where('origin', '=', origin).execute();
}

/** Keeps a verified checkpoint of an issuing log (a later same-size checkpoint with another root is a fork). */
export async function rememberCheckpoint(db: Kysely<Database> | Transaction<Database>, checkpoint: { origin: string; size: number; root: string; note: string }, at: Date): Promise<void> {
  await db
    .insertInto('provider_log_checkpoints')
    .values({ origin: checkpoint.origin, size: checkpoint.size, root: checkpoint.root, note: checkpoint.note, seen_at: at.toISOString() })
    .onConflict((oc) => oc.columns(['origin', 'size']).doNothing())
    .execute();
}

/** The refusal hook: an order the exchange refused is quarantined from its claimed (unverified) content. */
export function createProviderRefusalHook(deps: Pick<GateDeps, 'trust'>): RefusalHook {
  return async (trx, { claims, error, digest, at }) => {
    const raw = claims.raw as { id?: unknown; type?: unknown; action?: unknown; instrument?: unknown; emergency?: unknown; conversation?: unknown; body?: unknown; from?: { node?: unknown; authority?: unknown }; to?: { authority?: unknown } } | undefined;
    if (typeof raw !== 'object' || raw === null) return;
    const trust = claims.trust ?? (await deps.trust());
    if (!isProviderOrder(raw, trust)) return;
    const failure = signatureFailure(error.code, raw.emergency === true);
    const checks = Object.fromEntries(CHECK_NAMES.map((name) => [name, notChecked('not checked: the envelope was refused first')])) as Checks;
    checks[QUARANTINE_REASONS[failure.code]] = { status: 'fail', code: failure.code, detail: error.message.slice(0, 400) };
    const order = (raw.body as { order?: Record<string, unknown> } | undefined)?.order;
    const sender = str(raw.from?.node, 140);
    const issuerId = str(raw.from?.authority, 63);
    const issuer = sender === null || issuerId === null ? undefined : trust.node(sender)?.authorities.get(issuerId);
    const kind = str(order?.kind, 20);
    const category = str(order?.category, 40);
    await trx
      .insertInto('provider_orders')
      .values({
        id: uuidv7(at.getTime()),
        message_id: str(raw.id, 100),
        order_ref: str(order?.ref, 100),
        conversation_id: str(raw.conversation, 100),
        received_at: at.toISOString(),
        sender_node_id: sender,
        issuing_authority_id: issuerId,
        issuing_party: issuer?.party ?? null,
        provider_authority_id: str(raw.to?.authority, 63) ?? '?',
        instrument: str(raw.instrument, 40),
        order_kind: kind,
        data_category: category,
        emergency: raw.emergency === true ? 1 : 0,
        issued_at: str(order?.issuedAt, 40),
        status: 'quarantined',
        reasons: JSON.stringify([failure.code]),
        checks: JSON.stringify(checks),
        summary: JSON.stringify({ ref: str(order?.ref, 100), kind, category, validatedBy: str(order?.validatedBy, 63), claimed: true, refusal: error.code }),
        digest,
        due_at: null,
        outcome: 'quarantined',
        outcome_at: at.toISOString(),
      })
      .execute();
  };
}
