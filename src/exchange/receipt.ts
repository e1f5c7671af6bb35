/**
 * @module exchange/receipt
 * The receipt: signed by the receiving node (its node key, EdDSA, compact JWS), it says which
 * message arrived, whether the receiver's workflow accepted or rejected it (with the reason),
 * and the SHA-256 of every part received — the envelope bytes, the signed payload and each
 * signature — so that it proves *which bytes* arrived (the AS4 non-repudiation receipt,
 * exchange-evidence.md §1). A refusal of an envelope that could not be trusted is also signed,
 * with only the envelope digest and what the message claimed. Signing and verifying are
 * synchronous node:crypto calls (jose-sync.ts), standard compact JWS as `jose` makes them.
 */
import { compactSign, compactVerify, publicKeyFromJwk } from './jose-sync.js';
import { z } from 'zod';
import { NODE_OWNER, type KeyStore } from '../keys/index.js';
import { canonicalJson } from '../ledger/canonical-json.js';
import { ExchangeError, type ExchangeErrorCode } from './errors.js';
import { keyUsableAt } from './jwks.js';
import type { TrustedNode } from './trust.js';

export const RECEIPT_TYP = 'comity-receipt+jws';

export const receiptSchema = z.strictObject({
  type: z.literal('comity-receipt/v1'),
  /** The message id, or null when it could not be read. */
  messageId: z.string().max(100).nullable(),
  /** The receiving node (signer). */
  by: z.string(),
  /** The node the message claimed to come from (null when unreadable). */
  sender: z.string().max(140).nullable(),
  outcome: z.enum(['accepted', 'rejected']),
  reason: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  digests: z.strictObject({ envelope: z.string(), payload: z.string().nullable(), signatures: z.array(z.string()) }),
  receivedAt: z.iso.datetime(),
});
export type Receipt = z.infer<typeof receiptSchema>;

export async function signReceipt(keys: KeyStore, receipt: Receipt): Promise<string> {
  const key = await keys.active(NODE_OWNER, 'log');
  if (key === null) throw new ExchangeError('node-not-initialised', 'this node has no signing key');
  return compactSign(Buffer.from(canonicalJson(receiptSchema.parse(receipt)), 'utf8'), { alg: 'EdDSA', kid: key.id, typ: RECEIPT_TYP }, await keys.privateKey(key.id, 'sign'));
}

/** Why a receipt is not acceptable to the sender. */
export class ReceiptError extends Error {
  override readonly name = 'ReceiptError';
}

/**
 * Verifies a receipt from `peer` for the message `messageId` whose envelope digest is
 * `envelopeDigest`. @throws {ReceiptError}
 */
export async function verifyReceipt(text: string, peer: TrustedNode, expected: { messageId: string; envelopeDigest: string }): Promise<Receipt> {
  if (text.length > 64 * 1024) throw new ReceiptError('the receipt is too large');
  const [encodedHeader] = text.split('.');
  let header: { alg?: unknown; kid?: unknown; typ?: unknown; crit?: unknown };
  try {
    header = JSON.parse(Buffer.from(encodedHeader ?? '', 'base64url').toString('utf8')) as typeof header;
  } catch {
    throw new ReceiptError('the receipt is not a compact JWS');
  }
  if (header.alg !== 'EdDSA' || header.typ !== RECEIPT_TYP || header.crit !== undefined) throw new ReceiptError('the receipt header is not allowed');
  const jwk = typeof header.kid === 'string' ? peer.keys.get(header.kid) : undefined;
  if (jwk === undefined || jwk.purpose !== 'log' || jwk.owner !== NODE_OWNER) throw new ReceiptError(`the receipt is not signed by a node key of ${peer.nodeId}`);
  if (keyUsableAt(jwk, Math.floor(Date.now() / 1000)) === 'revoked') throw new ReceiptError('the receipt is signed by a revoked key');
  let payload: Uint8Array;
  try {
    ({ payload } = compactVerify(text, publicKeyFromJwk('Ed25519', jwk.x), { algorithms: ['EdDSA'] }));
  } catch {
    throw new ReceiptError('the receipt signature does not verify');
  }
  const parsed = receiptSchema.safeParse(JSON.parse(Buffer.from(payload).toString('utf8')));
  if (!parsed.success) throw new ReceiptError('the receipt is malformed');
  const receipt = parsed.data;
  if (receipt.by !== peer.nodeId) throw new ReceiptError(`the receipt is by ${receipt.by}, not ${peer.nodeId}`);
  if (receipt.digests.envelope !== expected.envelopeDigest) throw new ReceiptError('the receipt is for other bytes than those sent');
  if (receipt.messageId !== null && receipt.messageId !== expected.messageId) throw new ReceiptError('the receipt is for another message');
  return receipt;
}

/** The reason of a refusal, for a receipt. */
export function reasonOf(code: ExchangeErrorCode | string, message: string): { code: string; message: string } {
  return { code, message: message.slice(0, 500) };
}
