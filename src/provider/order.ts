/**
 * @module provider/order
 * An order sent straight to a service provider (an EPOC or EPOC-PR under Reg. 2023/1543, or a
 * CETS 224 Art. 7 order) travels as a `request` message whose body carries `order`: its facts,
 * and the c2sp.org/tlog-proof@v1 that the issuing node logged it. The log entry is a record
 * `{ log: "order", id: <ref>, digest }`, where `digest` is SHA-256 of the RFC 8785 form of the
 * order's core facts — so the provider recomputes the entry from the message it received and
 * the proof shows *this* order, not any entry, is in the issuing node's log.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/index.js';
import { ORDER_DATA_CATEGORIES } from '../law/issuing-authorities.js';
import { PROVIDER_ORDER_KINDS } from '../law/provider-path.js';
import { canonicalJson } from '../ledger/canonical-json.js';
import { recordLeafText } from '../ledger/leaf.js';
import { appendLeaf } from '../ledger/store.js';

export const orderFactsSchema = z.strictObject({
  /** The issuer's reference of the order (unique per issuing node): a re-sent order is recognised by it. */
  ref: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/),
  kind: z.enum(PROVIDER_ORDER_KINDS),
  category: z.enum(ORDER_DATA_CATEGORIES),
  issuedAt: z.iso.datetime(),
  issuingAuthority: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/),
  /** The validating authority (Art. 4), whose reviewer signature the message bears. */
  validatedBy: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/).nullable(),
  /** c2sp.org/tlog-proof@v1 of the order's log entry on the issuing node. */
  logProof: z.string().max(64 * 1024).nullable(),
});
export type OrderFacts = z.infer<typeof orderFactsSchema>;

/** What the log entry commits to: every fact of the order but the proof itself, and its addressing. */
export interface OrderCore {
  ref: string;
  kind: OrderFacts['kind'];
  category: OrderFacts['category'];
  issuedAt: string;
  issuingAuthority: string;
  validatedBy: string | null;
  provider: string;
  instrument: string | null;
  emergency: boolean;
}

export function orderDigest(core: OrderCore): string {
  const c = core;
  return createHash('sha256')
    .update(canonicalJson({ ref: c.ref, kind: c.kind, category: c.category, issuedAt: c.issuedAt, issuingAuthority: c.issuingAuthority, validatedBy: c.validatedBy, provider: c.provider, instrument: c.instrument, emergency: c.emergency }))
    .digest('hex');
}

/** The source id of the order's log entry (unique in the issuing node's log). */
export function orderLogId(ref: string): string {
  return `order:${ref}`;
}

/** The leaf text of the order's log entry. */
export function orderLeafText(core: OrderCore): string {
  return recordLeafText({ log: 'order', id: orderLogId(core.ref), digest: orderDigest(core) });
}

/**
 * Issuing side: appends the order's entry to this node's log (its own transaction) and returns
 * the tlog-proof against a checkpoint that covers it (signed on demand).
 */
export async function logOrder(db: Kysely<Database>, ledger: { proofOf(sourceId: string): Promise<{ tlogProof: string }> }, core: OrderCore): Promise<string> {
  await db.transaction().execute(async (trx) => {
    await appendLeaf(trx, { log: 'order', id: orderLogId(core.ref), digest: orderDigest(core) });
  });
  return (await ledger.proofOf(orderLogId(core.ref))).tlogProof;
}
