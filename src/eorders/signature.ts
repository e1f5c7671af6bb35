/**
 * @module eorders/signature
 * The Regulation's certificates, signed: the PDF printed from the order's structured data gets a
 * detached CAdES signature (CMS SignedData, EN 319 122-1 B-B with signing-time — the shape of an
 * evidence bundle's `signature.p7s`, built and checked by the same code: `documents/cms.ts`,
 * `evidence/asic.ts` `verifyCades`) made with the signing authority's document-signing key under
 * its certificate (`documents/issue.ts` `authoritySigner`). The issuing authority signs Annexes I,
 * II, V and VI; the addressee signs Annex III. `comity verify FILE.pdf --signature FILE.p7s`
 * checks it offline, as `openssl cms -verify -binary -inform DER -content FILE.pdf` does.
 */
import type { Authority } from '../cases/authorities.js';
import { signedData } from '../documents/cms.js';
import { verifyCades, type CadesCheck } from '../evidence/asic.js';
import type { KeyStore } from '../keys/index.js';

/** The detached CAdES signature (DER) of `pdf` by `signer`'s document-signing key. */
export async function signOrderDocument(keys: KeyStore, signer: Pick<Authority, 'id' | 'name' | 'party'>, node: string, pdf: Buffer, now: Date): Promise<Buffer> {
  // documents/issue.ts brings PDFKit and the fonts: loaded on the first signature, not with the server.
  const { authoritySigner } = await import('../documents/issue.js');
  const { privateKey, certificate } = await authoritySigner(keys, signer, node, now);
  return signedData({ content: pdf, certificate, privateKey, signingTime: new Date(Math.floor(now.getTime() / 1000) * 1000) });
}

/** Checks a certificate's detached signature against the PDF (pure, offline). */
export function verifyOrderDocument(p7s: Buffer, pdf: Buffer): CadesCheck {
  return verifyCades(p7s, pdf);
}
