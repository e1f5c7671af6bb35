/**
 * @module ledger/note
 * C2SP signed notes (c2sp.org/signed-note): a UTF-8 text ending in a newline, a blank line, and
 * signature lines `— <name> base64(key id || signature)`. Ed25519 note keys (type 0x01) and
 * Ed25519 cosignatures (type 0x04, c2sp.org/tlog-cosignature: a timestamped signature over
 * `cosignature/v1\ntime <t>\n` and the note text). Verification follows the spec: signatures of
 * unknown keys are ignored, a failing known key rejects the note, at least one known key must
 * verify, and up to {@link MAX_SIGNATURES} signatures are accepted (the spec asks for ≥ 16).
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { LedgerError } from './errors.js';

/** c2sp.org/signed-note: signature type of Ed25519 note keys. */
export const SIGNATURE_TYPE_ED25519 = 0x01;
/** c2sp.org/tlog-cosignature: signature type of Ed25519 cosignatures (cosignature/v1). */
export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;
/** How many signature lines a note may carry (signed-note: verifiers MUST accept at least 16). */
export const MAX_SIGNATURES = 100;

const EM_DASH = '\u2014';
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A key name: non-empty, no whitespace, no '+' (signed-note §Keys). */
export function validKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !name.includes(EM_DASH);
}

/** First 4 bytes (big-endian) of SHA-256(name || 0x0A || type || public key). */
export function keyId(name: string, type: number, publicKey: Uint8Array): number {
  return createHash('sha256').update(name).update(Buffer.from([0x0a, type])).update(publicKey).digest().readUInt32BE(0);
}

/** The 32 raw bytes of an Ed25519 public key. */
export function rawEd25519(publicKey: KeyObject): Buffer {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  if (der.length !== 44 || !der.subarray(0, 12).equals(ED25519_SPKI_PREFIX)) throw new LedgerError('malformed-key', 'not an Ed25519 public key');
  return der.subarray(12);
}

export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new LedgerError('malformed-key', 'an Ed25519 public key has 32 bytes');
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

const hex8 = (id: number): string => id.toString(16).padStart(8, '0');

/** The vkey text form: `<name>+<hex key id>+base64(type || public key)`. */
export function verifierKeyText(name: string, publicKey: KeyObject, type = SIGNATURE_TYPE_ED25519): string {
  if (!validKeyName(name)) throw new LedgerError('malformed-key', `invalid key name ${JSON.stringify(name)}`);
  const raw = rawEd25519(publicKey);
  return `${name}+${hex8(keyId(name, type, raw))}+${Buffer.concat([Buffer.from([type]), raw]).toString('base64')}`;
}

/** Checks a signature over a note's text; `signature` is what follows the key id. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(text: Buffer, signature: Buffer): boolean;
  /** For cosignatures: the timestamp of the last verified signature. */
  readonly kind: 'note' | 'cosignature';
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Strict base64: the canonical encoding only. The bits the last character carries beyond the
 * data must be zero — otherwise two texts decode to the same signature, and a byte changed in a
 * stored note would still verify.
 */
function decodeBase64(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !B64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

/** A verifier from a vkey (types 0x01 and 0x04, Ed25519). */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) throw new LedgerError('malformed-key', 'a verifier key is <name>+<key id>+<key>');
  const name = vkey.slice(0, first);
  const idText = vkey.slice(first + 1, second);
  const material = decodeBase64(vkey.slice(second + 1));
  if (!validKeyName(name) || !/^[0-9a-f]{8}$/.test(idText) || material === null || material.length !== 33) throw new LedgerError('malformed-key', 'malformed verifier key');
  const type = material[0] as number;
  const raw = material.subarray(1);
  const id = keyId(name, type, raw);
  if (hex8(id) !== idText) throw new LedgerError('malformed-key', 'the key id does not match the key');
  const key = ed25519PublicKey(raw);
  if (type === SIGNATURE_TYPE_ED25519) return { name, keyId: id, kind: 'note', verify: (text, signature) => signature.length === 64 && verify(null, text, key, signature) };
  if (type === SIGNATURE_TYPE_COSIGNATURE_V1) {
    return {
      name,
      keyId: id,
      kind: 'cosignature',
      verify: (text, signature) => {
        if (signature.length !== 72) return false;
        const time = signature.readBigUInt64BE(0);
        if (time > 2n ** 63n - 1n) return false;
        return verify(null, Buffer.concat([Buffer.from(`cosignature/v1\ntime ${time}\n`), text]), key, signature.subarray(8));
      },
    };
  }
  throw new LedgerError('malformed-key', `unsupported signature type ${type}`);
}

/** A note received as bytes: refused unless valid UTF-8. */
export function decodeNote(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw new LedgerError('malformed-note', 'a note is UTF-8 text', { cause: error });
  }
}

/** A note's parts: its text and its signature lines. */
export interface ParsedNote {
  text: string;
  signatures: Array<{ name: string; keyId: number; signature: Buffer; line: string }>;
}

/** Splits a note into text and signatures; rejects a malformed note (signed-note §Format). */
export function parseNote(note: string): ParsedNote {
  // Text must be UTF-8 without control characters other than newline (the caller decoded it).
  for (let i = 0; i < note.length; i += 1) {
    const c = note.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a) || c === 0x7f) throw new LedgerError('malformed-note', 'a note holds no control characters');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new LedgerError('malformed-note', 'a note is text, a blank line and signature lines');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length === 0 || lines[0] === '' || lines.length > MAX_SIGNATURES) throw new LedgerError('malformed-note', 'a note has 1 to 100 signature lines');
  const signatures: ParsedNote['signatures'] = [];
  for (const line of lines) {
    const match = /^\u2014 (\S+) (\S+)$/u.exec(line);
    const raw = match === null ? null : decodeBase64(match[2] as string);
    if (match === null || raw === null || raw.length < 5 || !validKeyName(match[1] as string)) throw new LedgerError('malformed-note', 'malformed signature line');
    signatures.push({ name: match[1] as string, keyId: raw.readUInt32BE(0), signature: raw.subarray(4), line });
  }
  return { text, signatures };
}

/**
 * What a stored signature line `— <name> <base64>` says without verifying it: the key name, its
 * key id (8 hex digits) and, for a cosignature/v1 (c2sp.org/tlog-cosignature: 8-byte timestamp
 * and a 64-byte signature), the time the witness signed at. Undefined when the line is malformed.
 */
export function signatureLineFacts(line: string): { name: string; keyId: string; signedAt: string | null } | undefined {
  const match = /^\u2014 (\S+) (\S+)$/u.exec(line.trimEnd());
  const raw = match === null ? null : decodeBase64(match[2] as string);
  if (match === null || raw === null || raw.length < 5 || !validKeyName(match[1] as string)) return undefined;
  let signedAt: string | null = null;
  if (raw.length === 4 + 72) {
    const seconds = raw.readBigUInt64BE(4);
    if (seconds <= 8_640_000_000_000n) signedAt = new Date(Number(seconds) * 1000).toISOString();
  }
  return { name: match[1] as string, keyId: hex8(raw.readUInt32BE(0)), signedAt };
}

/** A verified note: its text and the names of the keys whose signatures verified. */
export interface OpenedNote extends ParsedNote {
  verifiedBy: string[];
}

/** Opens a signed note with the known `verifiers` (signed-note §Verifying). */
export function openNote(note: string, verifiers: readonly NoteVerifier[]): OpenedNote {
  const parsed = parseNote(note);
  const text = Buffer.from(parsed.text);
  const verifiedBy: string[] = [];
  for (const s of parsed.signatures) {
    const verifier = verifiers.find((v) => v.name === s.name && v.keyId === s.keyId);
    if (verifier === undefined) continue; // unknown keys are ignored
    if (!verifier.verify(text, s.signature)) throw new LedgerError('unverified-note', `the signature of ${s.name} does not verify`);
    if (!verifiedBy.includes(s.name)) verifiedBy.push(s.name);
  }
  if (verifiedBy.length === 0) throw new LedgerError('unverified-note', 'no signature from a known key');
  return { ...parsed, verifiedBy };
}

/** An Ed25519 note signer. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(text: Buffer): Buffer;
}

export function ed25519Signer(name: string, privateKey: KeyObject, publicKey: KeyObject): NoteSigner {
  if (!validKeyName(name)) throw new LedgerError('malformed-key', `invalid key name ${JSON.stringify(name)}`);
  const id = keyId(name, SIGNATURE_TYPE_ED25519, rawEd25519(publicKey));
  return { name, keyId: id, sign: (text) => sign(null, text, privateKey) };
}

/** Ed25519 cosigner (c2sp.org/tlog-cosignature, cosignature/v1) at POSIX time `time`. */
export function cosignatureSigner(name: string, privateKey: KeyObject, publicKey: KeyObject, time: number): NoteSigner {
  if (!validKeyName(name)) throw new LedgerError('malformed-key', `invalid key name ${JSON.stringify(name)}`);
  const id = keyId(name, SIGNATURE_TYPE_COSIGNATURE_V1, rawEd25519(publicKey));
  return {
    name,
    keyId: id,
    sign: (text) => {
      const stamp = Buffer.alloc(8);
      stamp.writeBigUInt64BE(BigInt(time));
      return Buffer.concat([stamp, sign(null, Buffer.concat([Buffer.from(`cosignature/v1\ntime ${time}\n`), text]), privateKey)]);
    },
  };
}

/** The signature line of `signer` over `text`. */
export function signatureLine(text: string, signer: NoteSigner): string {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(signer.keyId);
  return `${EM_DASH} ${signer.name} ${Buffer.concat([id, signer.sign(Buffer.from(text))]).toString('base64')}\n`;
}

/** Signs `text` (ending in a newline) with each signer: a signed note. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (!text.endsWith('\n') || text.includes('\n\n')) throw new LedgerError('malformed-note', 'note text ends in one newline and has no blank line');
  return `${text}\n${signers.map((s) => signatureLine(text, s)).join('')}`;
}

/** Adds signature lines (e.g. a witness's cosignature) to a signed note. */
export function addSignatures(note: string, lines: readonly string[]): string {
  parseNote(note);
  return note + lines.join('');
}
