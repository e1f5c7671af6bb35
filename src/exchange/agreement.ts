/**
 * @module exchange/agreement
 * The peer agreement: one JSON file by which a node introduces itself to another — node id,
 * endpoint, hosted authorities with their kind, the service providers whose designated
 * establishment or legal representative it hosts (a public directory entry, Directive (EU)
 * 2023/1544: the issuing side's drafters can then address them), their keys (a JWKS with validity windows) and
 * which message types may flow in each direction — signed by the node's own key (a detached
 * JWS, EdDSA, over the RFC 8785 canonical form of `agreement`). It is what an AS4 P-Mode is,
 * minus the 40 hand-typed lines: the file is generated (`comity node export`) and, when bad,
 * refused at once naming the field (exchange-evidence.md §2.1).
 *
 * File shape: `{ "agreement": {…}, "signature": { "protected": "<b64url>", "signature": "<b64url>" } }`.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint, flattenedVerify, FlattenedSign, importJWK } from 'jose';
import { z } from 'zod';
import { AUTHORITY_KINDS } from '../cases/authorities.js';
import { AUTHORITY_KINDS as ISSUING_KINDS } from '../law/issuing-authorities.js';
import { canonicalJson } from '../ledger/canonical-json.js';
import { validOrigin } from '../ledger/checkpoint.js';
import { parseVerifierKey, verifierKeyText } from '../ledger/note.js';
import { witnessName, witnessVkey } from '../ledger/witness.js';
import { NODE_OWNER, type KeyStore } from '../keys/index.js';
import { ExchangeError } from './errors.js';
import { endpointSchema, nodeIdSchema, type NodeIdentity } from './identity.js';
import { nodeJwks, publishedJwkSchema, keyUsableAt, type PublishedJwk } from './jwks.js';
import { parseLimitedJson } from './json-limits.js';
import { MESSAGE_TYPES } from './message-types.js';

export const AGREEMENT_TYPE = 'comity-peer-agreement/v1';
const AGREEMENT_JWS_TYP = 'comity-peer-agreement+jws';

const authorityEntrySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and hyphens'),
  kind: z.enum(AUTHORITY_KINDS),
  name: z.string().min(2).max(300),
  party: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code'),
  timeZone: z.string().min(1).max(64),
  /** Reg. 2023/1543 Art. 4 kind, for a provider's verification of the orders it signs (optional). */
  issuingKind: z.enum(ISSUING_KINDS).optional(),
});

/**
 * A service provider whose designated establishment or legal representative (Directive (EU)
 * 2023/1544) is one of the agreement's authorities: public information, imported by peers into
 * their provider directory so that their authorities can address orders to it.
 */
const providerEntrySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and hyphens'),
  name: z.string().min(2).max(300),
  establishedIn: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code'),
  representative: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and hyphens'),
  representativeKind: z.enum(['designated-establishment', 'legal-representative']),
});

const agreementSchema = z.strictObject({
  type: z.literal(AGREEMENT_TYPE),
  node: z.strictObject({ id: nodeIdSchema, endpoint: endpointSchema }),
  authorities: z.array(authorityEntrySchema).min(1).max(200),
  /** Optional: agreements exported before providers were published have none. */
  providers: z.array(providerEntrySchema).max(200).optional(),
  flows: z.strictObject({ send: z.array(z.enum(MESSAGE_TYPES)).max(MESSAGE_TYPES.length), receive: z.array(z.enum(MESSAGE_TYPES)).max(MESSAGE_TYPES.length) }),
  jwks: z.strictObject({ keys: z.array(publishedJwkSchema).min(2).max(1000) }),
  issuedAt: z.iso.datetime({ offset: true }),
  /**
   * The node's transparency log and witness (c2sp.org/tlog-witness): the log's origin, its
   * current log key as a signed-note vkey (the node's `log` key of `jwks`) and the node's
   * cosigner key (vkey of type 0x04, name `witness/<node id>`). Optional: agreements exported
   * before witnessing existed have none (such a peer is neither witnessed nor a witness).
   */
  ledger: z
    .strictObject({
      origin: z.string().min(1).max(255).refine(validOrigin, 'printable ASCII without spaces'),
      log: z.string().min(10).max(400),
      witness: z.string().min(10).max(400),
    })
    .optional(),
});
export type Agreement = z.infer<typeof agreementSchema>;
export type AgreementAuthority = z.infer<typeof authorityEntrySchema>;
export type AgreementProvider = z.infer<typeof providerEntrySchema>;

const fileSchema = z.strictObject({
  agreement: z.unknown(),
  signature: z.strictObject({ protected: z.string().max(2000), signature: z.string().max(200) }),
});

export interface SignedAgreement {
  agreement: Agreement;
  signature: { protected: string; signature: string };
}

/** `authorities.1.kind` → `authorities[1].kind`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out === '' ? String(part) : `${out}.${String(part)}`), '');
}

function invalid(field: string, message: string): ExchangeError {
  return new ExchangeError('invalid-agreement', `peer agreement: field ${field}: ${message}`);
}

/** The first problem of a zod parse, naming the field. */
function firstIssue(prefix: string, error: z.ZodError): ExchangeError {
  const issue = error.issues[0];
  if (issue === undefined) return invalid(prefix, 'invalid');
  const path = fieldPath([...(prefix ? [prefix] : []), ...issue.path]);
  return invalid(path === '' ? '(top level)' : path, issue.message);
}

/** Builds and signs this node's agreement with its node key. */
export async function exportAgreement(keys: KeyStore, identity: NodeIdentity, authorities: readonly AgreementAuthority[], now: Date, logOrigin?: string, providers: readonly AgreementProvider[] = []): Promise<SignedAgreement> {
  const nodeKey = await keys.active(NODE_OWNER, 'log');
  if (nodeKey === null) throw new ExchangeError('node-not-initialised', 'this node has no signing key yet: run `comity node init`');
  let ledger: Agreement['ledger'];
  if (logOrigin !== undefined) {
    const witnessKey = await keys.ensure(NODE_OWNER, 'witness', 'Ed25519', now);
    ledger = { origin: logOrigin, log: verifierKeyText(logOrigin, await keys.publicKey(nodeKey.id)), witness: witnessVkey(identity.nodeId, await keys.publicKey(witnessKey.id)) };
  }
  const agreement: Agreement = {
    type: AGREEMENT_TYPE,
    node: { id: identity.nodeId, endpoint: identity.endpoint },
    authorities: [...authorities].sort((a, b) => a.id.localeCompare(b.id)),
    ...(providers.length > 0 ? { providers: [...providers].sort((a, b) => a.id.localeCompare(b.id)) } : {}),
    flows: { send: [...identity.flows.send], receive: [...identity.flows.receive] },
    jwks: await nodeJwks(keys, identity.hosted),
    issuedAt: now.toISOString(),
    ...(ledger ? { ledger } : {}),
  };
  const jws = await new FlattenedSign(Buffer.from(canonicalJson(agreement), 'utf8'))
    .setProtectedHeader({ alg: 'EdDSA', kid: nodeKey.id, typ: AGREEMENT_JWS_TYP })
    .sign(await keys.privateKey(nodeKey.id, 'sign'));
  return { agreement, signature: { protected: jws.protected ?? '', signature: jws.signature } };
}

/** The checks beyond shape: every authority has a signing key, the node has its keys, kids are unique. */
function checkCoherence(agreement: Agreement, now: Date): void {
  const at = Math.floor(now.getTime() / 1000);
  const kids = new Set<string>();
  agreement.jwks.keys.forEach((key, index) => {
    if (kids.has(key.kid)) throw invalid(`jwks.keys[${index}].kid`, `duplicate key id ${JSON.stringify(key.kid)}`);
    kids.add(key.kid);
    const expected = key.purpose === 'node-encryption' ? { crv: 'X25519', use: 'enc', alg: 'ECDH-ES+A256KW' } : { crv: 'Ed25519', use: 'sig', alg: 'EdDSA' };
    for (const [member, value] of Object.entries(expected)) {
      if (key[member as keyof PublishedJwk] !== value) throw invalid(`jwks.keys[${index}].${member}`, `a ${key.purpose} key has ${member} ${JSON.stringify(value)}`);
    }
    if (key.purpose !== 'authority-signing' && key.owner !== NODE_OWNER) throw invalid(`jwks.keys[${index}].owner`, `a ${key.purpose} key belongs to the node ("${NODE_OWNER}")`);
    if (key.purpose === 'authority-signing' && !agreement.authorities.some((a) => a.id === key.owner)) {
      throw invalid(`jwks.keys[${index}].owner`, `${JSON.stringify(key.owner)} is not one of the agreement's authorities`);
    }
  });
  const ids = new Set<string>();
  agreement.authorities.forEach((authority, index) => {
    if (ids.has(authority.id)) throw invalid(`authorities[${index}].id`, `duplicate authority ${JSON.stringify(authority.id)}`);
    ids.add(authority.id);
    if (!agreement.jwks.keys.some((key) => key.owner === authority.id && key.purpose === 'authority-signing')) {
      throw invalid(`authorities[${index}]`, `no signing key for authority ${JSON.stringify(authority.id)} in jwks`);
    }
  });
  const providerIds = new Set<string>();
  (agreement.providers ?? []).forEach((provider, index) => {
    if (providerIds.has(provider.id)) throw invalid(`providers[${index}].id`, `duplicate provider ${JSON.stringify(provider.id)}`);
    providerIds.add(provider.id);
    // A node publishes only the providers whose representative it hosts (and so signs for).
    const representative = agreement.authorities.find((a) => a.id === provider.representative);
    if (representative === undefined) throw invalid(`providers[${index}].representative`, `${JSON.stringify(provider.representative)} is not one of the agreement's authorities`);
    if (representative.kind !== 'service-provider') throw invalid(`providers[${index}].representative`, `${JSON.stringify(provider.representative)} is a ${representative.kind}, not a service-provider account`);
  });
  if (!agreement.jwks.keys.some((key) => key.purpose === 'node-encryption' && keyUsableAt(key, at) === 'ok')) throw invalid('jwks.keys', 'no valid node-encryption key (X25519)');
  if (!agreement.jwks.keys.some((key) => key.purpose === 'log' && keyUsableAt(key, at) === 'ok')) throw invalid('jwks.keys', 'no valid node signing key (purpose "log")');
  if (agreement.ledger !== undefined) {
    const { origin, log, witness } = agreement.ledger;
    const logKey = vkeyParts(log);
    if (logKey === null || logKey.type !== 0x01 || logKey.name !== origin) throw invalid('ledger.log', `a log key (vkey of type 1) named after the origin ${JSON.stringify(origin)}`);
    if (!agreement.jwks.keys.some((key) => key.purpose === 'log' && key.owner === NODE_OWNER && key.x === logKey.key)) throw invalid('ledger.log', 'the log key is not the node key (purpose "log") of jwks');
    const witnessKey = vkeyParts(witness);
    if (witnessKey === null || witnessKey.type !== 0x04 || witnessKey.name !== witnessName(agreement.node.id)) throw invalid('ledger.witness', `a cosigner key (vkey of type 4) named ${JSON.stringify(witnessName(agreement.node.id))}`);
  }
}

/** A vkey's name, type and raw key (base64url), or null when it does not parse (signed-note). */
function vkeyParts(vkey: string): { name: string; type: number; key: string } | null {
  try {
    const verifier = parseVerifierKey(vkey);
    const material = Buffer.from(vkey.slice(vkey.indexOf('+', vkey.indexOf('+') + 1) + 1), 'base64');
    return { name: verifier.name, type: material[0] as number, key: material.subarray(1).toString('base64url') };
  } catch {
    return null;
  }
}

/** Verifiers of a peer's log (every `log` key of its agreement, old ones too), or [] without a ledger. */
export function peerLogVerifiers(agreement: Agreement): ReturnType<typeof parseVerifierKey>[] {
  if (agreement.ledger === undefined) return [];
  const origin = agreement.ledger.origin;
  return agreement.jwks.keys
    .filter((key) => key.purpose === 'log' && key.owner === NODE_OWNER)
    .map((key) => parseVerifierKey(verifierKeyText(origin, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.x }, format: 'jwk' }))));
}

/**
 * Parses and verifies a peer agreement file. Every failure names the field.
 * @throws {ExchangeError} `invalid-agreement` or `agreement-signature`.
 */
export async function parseAgreement(text: string, now: Date): Promise<SignedAgreement> {
  let raw: unknown;
  try {
    raw = parseLimitedJson(text, 'the peer agreement', { maxBytes: 1024 * 1024, maxDepth: 8 });
  } catch (error) {
    throw new ExchangeError('invalid-agreement', `peer agreement: ${(error as Error).message}`);
  }
  const file = fileSchema.safeParse(raw);
  if (!file.success) throw firstIssue('', file.error);
  const parsed = agreementSchema.safeParse(file.data.agreement);
  if (!parsed.success) throw firstIssue('agreement', parsed.error);
  const agreement = parsed.data;
  try {
    checkCoherence(agreement, now);
  } catch (error) {
    if (error instanceof ExchangeError) throw new ExchangeError(error.code, error.message.replace('field ', 'field agreement.'));
    throw error;
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(file.data.signature.protected, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw invalid('signature.protected', 'not a base64url JSON header');
  }
  if (header.alg !== 'EdDSA') throw invalid('signature.protected', `alg must be "EdDSA", not ${JSON.stringify(header.alg)}`);
  if (header.typ !== AGREEMENT_JWS_TYP) throw invalid('signature.protected', `typ must be "${AGREEMENT_JWS_TYP}"`);
  const extra = Object.keys(header).filter((name) => !['alg', 'kid', 'typ'].includes(name));
  if (extra.length > 0) throw invalid('signature.protected', `header parameter ${JSON.stringify(extra[0])} is not allowed`);
  const signer = agreement.jwks.keys.find((key) => key.kid === header.kid && key.owner === NODE_OWNER && key.purpose === 'log');
  if (signer === undefined) throw invalid('signature.protected', `kid ${JSON.stringify(header.kid)} is not the node's signing key in agreement.jwks`);
  if (signer.revoked !== undefined) throw invalid('signature.protected', `the node key ${signer.kid} is revoked`);
  try {
    const key = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: signer.x }, 'EdDSA');
    await flattenedVerify({ ...file.data.signature, payload: Buffer.from(canonicalJson(agreement), 'utf8').toString('base64url') }, key, { algorithms: ['EdDSA'] });
  } catch {
    throw new ExchangeError('agreement-signature', 'peer agreement: field signature.signature: does not verify with the node key: the file was altered or not signed by that node');
  }
  return { agreement, signature: file.data.signature };
}

/** What an operator compares on the phone before trusting a peer: the RFC 7638 thumbprint of its node key. */
export async function agreementFingerprint(signed: SignedAgreement): Promise<string> {
  const header = JSON.parse(Buffer.from(signed.signature.protected, 'base64url').toString('utf8')) as { kid: string };
  const key = signed.agreement.jwks.keys.find((k) => k.kid === header.kid);
  if (key === undefined) throw new ExchangeError('invalid-agreement', 'peer agreement: no signing key');
  return calculateJwkThumbprint({ kty: 'OKP', crv: key.crv, x: key.x }, 'sha256');
}

/** SHA-256 of the agreement's canonical form, hex. */
export function agreementDigest(agreement: Agreement): string {
  return createHash('sha256').update(canonicalJson(agreement)).digest('hex');
}
