/**
 * Verifies an audit event's log proof in the browser, against the node's log key, with
 * WebCrypto only (SHA-256, Ed25519 — Chromium ≥ 137, Firefox ≥ 129, Safari ≥ 17): the signed
 * checkpoint (c2sp.org/signed-note, tlog-checkpoint) and the inclusion proof (RFC 9162
 * §2.1.3.2). The server's answer is not trusted: every step is recomputed here.
 */

export interface LogProof {
  index: number;
  treeSize: number;
  leaf: string;
  proof: readonly string[];
  checkpoint: string;
  verifierKey: string;
}

export type ProofVerdict = { ok: true; size: number } | { ok: false; reason: 'unsupported' | 'bad-key' | 'bad-signature' | 'bad-checkpoint' | 'bad-proof' };

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) out[i] = binary.charCodeAt(i);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', concat(...parts)));
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** RFC 9162 §2.1.3.2 over WebCrypto. */
export async function verifyInclusionAsync(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): Promise<boolean> {
  if (index < 0 || index >= size || leafHash.length !== 32 || root.length !== 32) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (p.length !== 32 || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(new Uint8Array([1]), p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await sha256(new Uint8Array([1]), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

/** Checks the checkpoint's signature with the vkey, the proof against its root, and that `leaf` is the entry. */
export async function verifyLogProof(p: LogProof): Promise<ProofVerdict> {
  if (typeof crypto === 'undefined' || crypto.subtle === undefined) return { ok: false, reason: 'unsupported' };
  const first = p.verifierKey.indexOf('+');
  const second = p.verifierKey.indexOf('+', first + 1);
  if (first < 1 || second < 0) return { ok: false, reason: 'bad-key' };
  const name = p.verifierKey.slice(0, first);
  const material = fromBase64(p.verifierKey.slice(second + 1));
  if (material.length !== 33 || material[0] !== 0x01) return { ok: false, reason: 'bad-key' };
  const raw = material.slice(1);
  const keyId = (await sha256(utf8(name), new Uint8Array([0x0a, 0x01]), raw)).slice(0, 4);
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return { ok: false, reason: 'unsupported' };
  }
  const split = p.checkpoint.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'bad-checkpoint' };
  const text = p.checkpoint.slice(0, split + 1);
  let signed = false;
  for (const line of p.checkpoint.slice(split + 2).split('\n').filter(Boolean)) {
    const parts = line.split(' ');
    if (parts.length !== 3 || parts[0] !== '\u2014' || parts[1] !== name) continue;
    const bytes = fromBase64(parts[2] as string);
    if (!equal(bytes.slice(0, 4), keyId)) continue;
    if (!(await crypto.subtle.verify({ name: 'Ed25519' }, key, bytes.slice(4), concat(utf8(text))))) return { ok: false, reason: 'bad-signature' };
    signed = true;
  }
  if (!signed) return { ok: false, reason: 'bad-signature' };
  const [origin, sizeText, rootText] = text.split('\n');
  if (origin !== name || !/^[0-9]+$/.test(sizeText ?? '') || rootText === undefined) return { ok: false, reason: 'bad-checkpoint' };
  const size = Number(sizeText);
  const leafHash = await sha256(new Uint8Array([0]), utf8(p.leaf));
  const ok = await verifyInclusionAsync(p.index, size, leafHash, p.proof.map(fromBase64), fromBase64(rootText));
  return ok ? { ok: true, size } : { ok: false, reason: 'bad-proof' };
}
