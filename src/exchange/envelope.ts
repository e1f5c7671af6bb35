/**
 * @module exchange/envelope
 * Sign, then encrypt (exchange-evidence.md §6): the message is a JWS in General JSON
 * serialisation, signed (EdDSA) by the sending authority — and, for an approval, also by the
 * reviewing authority — inside a compact JWE (ECDH-ES+A256KW, A256GCM) to the receiving node's
 * X25519 key.
 *
 * Opening is defensive and ordered: size, shape, the JWE header against an explicit allow-list
 * (no `none`, no HMAC, no `jku`/`x5u`/`jwk`/`x5c`, no compression, no `crit` — none is understood),
 * decryption with our key, the JWS likewise, the sender and its key from the trust list with
 * the key's validity window at the message's time, every signature, the addressee, freshness and
 * the agreed flows. Each failure is an {@link ExchangeError} with its own code.
 *
 * The JOSE operations themselves are synchronous node:crypto calls (jose-sync.ts: the same
 * standard JWS and JWE bytes as `jose`, proven against it in test/exchange/jose-sync.test.ts).
 */
import { createHash, type KeyObject } from 'node:crypto';
import type { KeyStore } from '../keys/index.js';
import { canonicalJson } from '../ledger/canonical-json.js';
import { ExchangeError } from './errors.js';
import { compactDecrypt, compactEncrypt, flattenedVerify, generalSign, publicKeyFromJwk } from './jose-sync.js';
import { keyUsableAt, type PublishedJwk } from './jwks.js';
import { parseLimitedJson, type JsonLimits } from './json-limits.js';
import { messageSchema, type ExchangeMessage } from './message.js';
import type { TrustList, TrustedNode } from './trust.js';

export const JWE_ALG = 'ECDH-ES+A256KW';
export const JWE_ENC = 'A256GCM';
export const JWS_ALG = 'EdDSA';
export const ENVELOPE_TYP = 'comity-envelope+jwe';
export const MESSAGE_TYP = 'comity-message+jws';
const JWE_HEADER_ALLOWED = new Set(['alg', 'enc', 'kid', 'epk', 'typ', 'cty']);
const JWS_HEADER_ALLOWED = new Set(['alg', 'kid', 'typ', 'role']);
const FETCHING_HEADERS = new Set(['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'x5t#S256']);
export const MAX_SIGNATURES = 4;
/** Leeway on key validity windows (s), as JWT clock tolerance: covers clock skew and the key cache's delay in seeing a rotation. */
export const KEY_WINDOW_LEEWAY_S = 60;

export interface EnvelopeLimits {
  /** Largest envelope, bytes. */
  readonly maxEnvelopeBytes: number;
  /** JSON limits for the decrypted JWS and its payload. */
  readonly json: JsonLimits;
  /** Oldest message accepted (ms): older is a replay or a message that should have been given up. */
  readonly maxAgeMs: number;
  /** Clock skew tolerated into the future (ms). */
  readonly maxSkewMs: number;
}

export const DEFAULT_ENVELOPE_LIMITS: EnvelopeLimits = Object.freeze({
  maxEnvelopeBytes: 2 * 1024 * 1024,
  json: Object.freeze({ maxBytes: 1536 * 1024, maxDepth: 32 }),
  maxAgeMs: 3 * 24 * 3600_000,
  maxSkewMs: 5 * 60_000,
});

export type SignatureRole = 'sender' | 'reviewer';

export interface Signer {
  /** Authority id (owner of the key in the key store). */
  readonly authority: string;
  readonly role: SignatureRole;
}

/** SHA-256, hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Signs `message` by its sending authority (and reviewers), then encrypts it to the recipient
 * node's active encryption key. Returns the compact JWE.
 */
export async function sealEnvelope(keys: KeyStore, message: ExchangeMessage, recipient: TrustedNode, reviewers: readonly string[] = []): Promise<string> {
  const checked = messageSchema.parse(message);
  const now = Math.floor(Date.now() / 1000);
  const encryptionKey = [...recipient.keys.values()].find((k) => k.purpose === 'node-encryption' && keyUsableAt(k, now) === 'ok');
  if (encryptionKey === undefined) throw new ExchangeError('unknown-key', `no valid encryption key for node ${recipient.nodeId}`);
  const signers: Signer[] = [{ authority: checked.from.authority, role: 'sender' }, ...reviewers.map((authority) => ({ authority, role: 'reviewer' as const }))];
  const signatures: { key: KeyObject; header: Record<string, unknown> }[] = [];
  for (const signer of signers) {
    const key = await keys.active(signer.authority, 'authority-signing');
    if (key === null) throw new ExchangeError('unknown-key', `authority ${signer.authority} has no signing key on this node`);
    signatures.push({ key: await keys.privateKey(key.id, 'sign'), header: { alg: JWS_ALG, kid: key.id, typ: MESSAGE_TYP, role: signer.role } });
  }
  const jws = generalSign(Buffer.from(canonicalJson(checked), 'utf8'), signatures);
  return compactEncrypt(Buffer.from(JSON.stringify(jws), 'utf8'), { alg: JWE_ALG, enc: JWE_ENC, kid: encryptionKey.kid, typ: ENVELOPE_TYP, cty: MESSAGE_TYP }, publicKeyFromJwk('X25519', encryptionKey.x));
}

/** What was verified in an envelope: the message, who signed it, and the digest of every part. */
export interface OpenedEnvelope {
  readonly message: ExchangeMessage;
  readonly signatures: readonly { authority: string; kid: string; role: SignatureRole }[];
  /** SHA-256 (hex) of each part received: the envelope bytes, the signed payload, each signature. */
  readonly digests: { envelope: string; payload: string; signatures: string[] };
}

function b64urlJson(part: string, what: string, limits: JsonLimits): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) throw new ExchangeError('malformed', `${what} is not base64url`);
  const value = parseLimitedJson(Buffer.from(part, 'base64url').toString('utf8'), what, { maxBytes: Math.min(limits.maxBytes, 16 * 1024), maxDepth: 4 });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ExchangeError('malformed', `${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Refuses any header parameter outside `allowed`, naming the rule it breaks. */
function checkHeader(header: Record<string, unknown>, allowed: ReadonlySet<string>, what: string): void {
  if ('crit' in header) throw new ExchangeError('unknown-critical-header', `${what}: crit ${JSON.stringify(header.crit)} names extensions this node does not understand (RFC 7515 §4.1.11)`);
  for (const name of Object.keys(header)) {
    if (FETCHING_HEADERS.has(name)) throw new ExchangeError('header-not-allowed', `${what}: "${name}" is not allowed: keys come only from the trust list, never from the message`);
    if (!allowed.has(name)) throw new ExchangeError('header-not-allowed', `${what}: header parameter "${name}" is not allowed`);
  }
}

export interface OpenContext {
  readonly keys: KeyStore;
  readonly trust: TrustList;
  readonly now: Date;
  readonly limits?: EnvelopeLimits;
  /** SHA-256 (hex) of `envelope` when the caller has it already (the inbox's duplicate check): not computed twice. */
  readonly envelopeDigest?: string;
}

/** The unverified claims of a message, for the refusal record (only after decryption). */
export interface Claims {
  sender: string | null;
  messageId: string | null;
  /** The decrypted message as claimed (unverified), when it could be read: a provider quarantines a refused order with it. */
  raw?: unknown;
  /** The trust list the envelope was opened with (set by the inbox), for hooks that run inside its transactions. */
  trust?: TrustList;
}

/**
 * Decrypts and verifies an envelope addressed to this node.
 * @throws {ExchangeError} with `claims` on `cause` when they could be read.
 */
export async function openEnvelope(envelope: string, ctx: OpenContext, claims: Claims = { sender: null, messageId: null }): Promise<OpenedEnvelope> {
  const limits = ctx.limits ?? DEFAULT_ENVELOPE_LIMITS;
  const size = Buffer.byteLength(envelope, 'utf8');
  if (size > limits.maxEnvelopeBytes) throw new ExchangeError('too-large', `the envelope is ${size} bytes, more than the limit of ${limits.maxEnvelopeBytes}`);
  const parts = envelope.split('.');
  if (parts.length !== 5) throw new ExchangeError('malformed', 'not a compact JWE (five base64url parts)');
  const header = b64urlJson(parts[0] ?? '', 'the JWE header', limits.json);
  if (header.alg !== JWE_ALG) throw new ExchangeError('algorithm-not-allowed', `JWE alg ${JSON.stringify(header.alg)} is not allowed: only ${JWE_ALG}`);
  if (header.enc !== JWE_ENC) throw new ExchangeError('algorithm-not-allowed', `JWE enc ${JSON.stringify(header.enc)} is not allowed: only ${JWE_ENC}`);
  checkHeader(header, JWE_HEADER_ALLOWED, 'the JWE header');
  const ours = typeof header.kid === 'string' ? ctx.trust.self.keys.get(header.kid) : undefined;
  if (ours === undefined || ours.purpose !== 'node-encryption') throw new ExchangeError('not-for-this-node', 'the envelope is encrypted to a key this node does not have');
  if (ours.revoked !== undefined) throw new ExchangeError('key-revoked', `the envelope is encrypted to this node's revoked key ${ours.kid}`);
  let plaintext: string;
  try {
    const privateKey = await ctx.keys.privateKey(ours.kid, 'decrypt');
    plaintext = compactDecrypt(envelope, privateKey, { keyManagementAlgorithms: [JWE_ALG], contentEncryptionAlgorithms: [JWE_ENC] }).plaintext.toString('utf8');
  } catch {
    throw new ExchangeError('undecryptable', 'the envelope does not decrypt with this node\'s key: altered in transit or not encrypted for this node');
  }
  const jws = parseLimitedJson(plaintext, 'the signed message', limits.json) as { payload?: unknown; signatures?: unknown };
  if (typeof jws !== 'object' || jws === null || typeof jws.payload !== 'string' || !Array.isArray(jws.signatures) || Object.keys(jws).length !== 2) {
    throw new ExchangeError('malformed', 'the signed message is not a JWS in General JSON serialisation (payload and signatures only)');
  }
  const signatures = jws.signatures as unknown[];
  if (signatures.length === 0) throw new ExchangeError('missing-signature', 'the message carries no signature');
  if (signatures.length > MAX_SIGNATURES) throw new ExchangeError('too-large', `the message carries ${signatures.length} signatures, more than ${MAX_SIGNATURES}`);
  if (!/^[A-Za-z0-9_-]*$/.test(jws.payload)) throw new ExchangeError('malformed', 'the JWS payload is not base64url');
  const payloadBytes = Buffer.from(jws.payload, 'base64url');
  const rawMessage = parseLimitedJson(payloadBytes.toString('utf8'), 'the message', limits.json);
  const parsed = messageSchema.safeParse(rawMessage);
  if (typeof rawMessage === 'object' && rawMessage !== null) {
    const r = rawMessage as { id?: unknown; from?: { node?: unknown } };
    if (typeof r.id === 'string') claims.messageId = r.id.slice(0, 100);
    if (typeof r.from?.node === 'string') claims.sender = r.from.node.slice(0, 140);
    claims.raw = rawMessage;
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ExchangeError('invalid-message', `the message is invalid: ${issue ? `${issue.path.join('.') || '(top level)'}: ${issue.message}` : 'invalid'}`);
  }
  const message = parsed.data;
  const sender = ctx.trust.node(message.from.node);
  if (sender === undefined) throw new ExchangeError('unknown-sender', `node ${message.from.node} is not a trusted peer (no agreement imported)`, { trustPending: true });
  if (!sender.authorities.has(message.from.authority)) throw new ExchangeError('unknown-authority', `authority ${message.from.authority} is not hosted by ${sender.nodeId} under its agreement`, { trustPending: true });
  const messageTime = Date.parse(message.time);
  const at = Math.floor(messageTime / 1000);
  const verified: { authority: string; kid: string; role: SignatureRole }[] = [];
  const signatureDigests: string[] = [];
  for (const [index, entry] of signatures.entries()) {
    const signature = entry as { protected?: unknown; signature?: unknown; header?: unknown };
    if (typeof signature !== 'object' || signature === null || typeof signature.protected !== 'string' || typeof signature.signature !== 'string' || Object.keys(signature).length !== 2) {
      throw new ExchangeError('malformed', `signature ${index}: expected only "protected" and "signature" (no unprotected header)`);
    }
    const protectedHeader = b64urlJson(signature.protected, `signature ${index} header`, limits.json);
    if (protectedHeader.alg !== JWS_ALG) throw new ExchangeError('algorithm-not-allowed', `signature ${index}: alg ${JSON.stringify(protectedHeader.alg)} is not allowed: only ${JWS_ALG}`);
    checkHeader(protectedHeader, JWS_HEADER_ALLOWED, `signature ${index} header`);
    const role = protectedHeader.role;
    if (role !== 'sender' && role !== 'reviewer') throw new ExchangeError('malformed', `signature ${index}: role must be "sender" or "reviewer"`);
    const jwk: PublishedJwk | undefined = typeof protectedHeader.kid === 'string' ? sender.keys.get(protectedHeader.kid) : undefined;
    if (jwk === undefined || jwk.purpose !== 'authority-signing') throw new ExchangeError('unknown-key', `signature ${index}: key ${JSON.stringify(protectedHeader.kid)} is not a signing key of ${sender.nodeId} in its agreement`, { trustPending: jwk === undefined && typeof protectedHeader.kid === 'string' });
    if (role === 'sender' && jwk.owner !== message.from.authority) throw new ExchangeError('unknown-key', `signature ${index}: key ${jwk.kid} belongs to ${jwk.owner}, not to the sender ${message.from.authority}`);
    if (role === 'reviewer' && jwk.owner === message.from.authority) throw new ExchangeError('unknown-key', `signature ${index}: a reviewer signature must come from another authority than the sender`);
    // A key retired within the leeway before the message's time still counts (clock skew, key cache).
    const usable = keyUsableAt(jwk, at) === 'expired' && jwk.exp !== undefined && at < jwk.exp + KEY_WINDOW_LEEWAY_S ? 'ok' : keyUsableAt(jwk, at);
    if (usable === 'revoked') throw new ExchangeError('key-revoked', `signature ${index}: key ${jwk.kid} of ${jwk.owner} is revoked`);
    if (usable !== 'ok') throw new ExchangeError('key-expired', `signature ${index}: key ${jwk.kid} of ${jwk.owner} was not valid at ${message.time} (${usable})`);
    try {
      flattenedVerify({ payload: jws.payload, protected: signature.protected, signature: signature.signature }, publicKeyFromJwk('Ed25519', jwk.x), { algorithms: [JWS_ALG] });
    } catch {
      throw new ExchangeError('bad-signature', `signature ${index} by ${jwk.owner} does not verify: the message was altered or forged`);
    }
    verified.push({ authority: jwk.owner, kid: jwk.kid, role });
    signatureDigests.push(sha256Hex(`${signature.protected}.${signature.signature}`));
  }
  if (verified.filter((s) => s.role === 'sender').length !== 1) throw new ExchangeError('missing-signature', 'the message must carry exactly one signature of its sending authority');
  if (message.emergency && !verified.some((s) => s.role === 'reviewer')) {
    // exchange-evidence.md §3(4): an emergency order bears a second signature of another role.
    throw new ExchangeError('missing-signature', 'an emergency message must also carry a reviewer signature of another authority');
  }
  if (message.to.node !== ctx.trust.self.nodeId) throw new ExchangeError('wrong-recipient', `the message is addressed to node ${message.to.node}, not to this node (${ctx.trust.self.nodeId})`);
  if (!ctx.trust.self.authorities.has(message.to.authority)) throw new ExchangeError('wrong-recipient', `authority ${message.to.authority} is not hosted by this node`);
  const now = ctx.now.getTime();
  if (Number.isNaN(messageTime) || now - messageTime > limits.maxAgeMs) throw new ExchangeError('stale', `the message was sent at ${message.time}, more than ${Math.round(limits.maxAgeMs / 3600_000)} h ago: refused as a replay`);
  if (messageTime - now > limits.maxSkewMs) throw new ExchangeError('from-the-future', `the message is dated ${message.time}, later than this node's clock allows`);
  if (!sender.flows.send.includes(message.type) || !ctx.trust.self.flows.receive.includes(message.type)) {
    throw new ExchangeError('flow-not-agreed', `messages of type ${message.type} from ${sender.nodeId} are not in the agreements`);
  }
  return { message, signatures: verified, digests: { envelope: ctx.envelopeDigest ?? sha256Hex(envelope), payload: sha256Hex(payloadBytes), signatures: signatureDigests } };
}
