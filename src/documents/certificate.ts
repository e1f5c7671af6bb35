/**
 * @module documents/certificate
 * An X.509 v3 certificate (RFC 5280) for an authority's document-signing key, naming the authority
 * (CN), its party (C), its id and the node (OU, O). Self-issued and self-signed by the key it
 * certifies: it lets a PDF reader show who signed and prove the document unchanged; trust in the
 * name comes from the node's trust list, or from a qualified certificate an operator plugs in
 * instead (README, "Formal documents").
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import { OID, bitString, explicit, integer, octetString, oid, printableString, sequence, set, time, tlv, utf8String } from './der.js';

export interface CertificateSubject {
  /** Authority name, printed as the signer. */
  readonly commonName: string;
  /** ISO 3166-1 alpha-2 code of the authority's party (none for the node's own certificate). */
  readonly country: string | null;
  readonly authorityId: string;
  /** The Comity node that holds the key. */
  readonly node: string;
}

export interface CertificateInput {
  readonly subject: CertificateSubject;
  /** SPKI DER of the P-256 public key. */
  readonly publicKeyDer: Buffer;
  readonly privateKey: KeyObject;
  /** Key id from the key store: the serial number is derived from it (unique per key). */
  readonly keyId: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

function name(subject: CertificateSubject): Buffer {
  const rdn = (type: string, value: Buffer) => set(sequence(oid(type), value));
  return sequence(
    ...(subject.country === null ? [] : [rdn(OID.countryName, printableString(subject.country))]),
    rdn(OID.organizationName, utf8String(`Comity node ${subject.node}`)),
    rdn(OID.organizationalUnitName, utf8String(subject.authorityId)),
    rdn(OID.commonName, utf8String(subject.commonName)),
  );
}

/** The certificate, DER-encoded. Same input, same to-be-signed part; ECDSA signatures vary. */
export function issueCertificate(input: CertificateInput): Buffer {
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const serial = createHash('sha256').update(input.keyId).digest().subarray(0, 16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive (RFC 5280 §4.1.2.2)
  const subjectName = name(input.subject);
  const keyIdentifier = createHash('sha1').update(input.publicKeyDer).digest();
  const extensions = explicit(
    3,
    sequence(
      sequence(oid(OID.basicConstraints), tlv(0x01, Buffer.from([0xff])), octetString(sequence())),
      // digitalSignature + nonRepudiation (contentCommitment): signing documents.
      sequence(oid(OID.keyUsage), tlv(0x01, Buffer.from([0xff])), octetString(tlv(0x03, Buffer.from([0x06, 0xc0])))),
      sequence(oid(OID.subjectKeyIdentifier), octetString(octetString(keyIdentifier))),
    ),
  );
  const tbs = sequence(explicit(0, integer(2)), integer(serial), algorithm, subjectName, sequence(time(input.notBefore), time(input.notAfter)), subjectName, input.publicKeyDer, extensions);
  const signature = sign('sha256', tbs, input.privateKey);
  return sequence(tbs, algorithm, bitString(signature));
}

/** Issuer name and serial number of a certificate we issued (for the CMS SignerIdentifier). */
export function issuerAndSerial(certificate: Buffer): Buffer {
  // Certificate ::= SEQUENCE { tbs SEQUENCE { [0] version, serial, sigAlg, issuer, ... } }
  const elements = children(children(certificate)[0] ?? Buffer.alloc(0));
  const serial = elements[1];
  const issuer = elements[3];
  if (serial === undefined || issuer === undefined) throw new Error('malformed certificate');
  return sequence(issuer, serial);
}

/** The DER elements inside a constructed element. */
export function children(element: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let offset = headerLength(element, 0);
  while (offset < element.length) {
    const size = headerLength(element, offset) + contentLength(element, offset);
    out.push(element.subarray(offset, offset + size));
    offset += size;
  }
  return out;
}

function headerLength(buffer: Buffer, offset: number): number {
  const first = buffer[offset + 1] ?? 0;
  return first < 0x80 ? 2 : 2 + (first & 0x7f);
}

function contentLength(buffer: Buffer, offset: number): number {
  const first = buffer[offset + 1] ?? 0;
  if (first < 0x80) return first;
  let n = 0;
  for (let i = 0; i < (first & 0x7f); i += 1) n = n * 256 + (buffer[offset + 2 + i] ?? 0);
  return n;
}
