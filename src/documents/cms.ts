/**
 * @module documents/cms
 * A detached CMS SignedData (RFC 5652) with the signed attributes of a CAdES baseline B-B
 * signature (ETSI EN 319 122-1: content-type, message-digest, signing-certificate-v2), as PAdES
 * (ETSI EN 319 142-1) embeds it in a PDF with SubFilter ETSI.CAdES.detached. The signing time is
 * the signature dictionary's /M, not a signed attribute (EN 319 142-1 §5.4). A CAdES signature
 * outside a PDF (an ASiC-E container, `evidence/asic.ts`) carries it as the signing-time
 * attribute (EN 319 122-1 §5.2.1): pass `signingTime`.
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import { issuerAndSerial } from './certificate.js';
import { OID, explicit, implicitConstructed, integer, octetString, oid, sequence, set, time } from './der.js';

export function signedData(input: { content: Buffer; certificate: Buffer; privateKey: KeyObject; signingTime?: Date }): Buffer {
  const sha256 = sequence(oid(OID.sha256));
  const digest = createHash('sha256').update(input.content).digest();
  const certHash = createHash('sha256').update(input.certificate).digest();
  const attribute = (type: string, value: Buffer) => sequence(oid(type), set(value));
  const attributes = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octetString(digest)),
    // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 } ; SHA-256 is the default hashAlgorithm.
    attribute(OID.signingCertificateV2, sequence(sequence(sequence(octetString(certHash))))),
    ...(input.signingTime ? [attribute(OID.signingTime, time(input.signingTime))] : []),
  ];
  // The signature covers the attributes encoded as a SET OF (RFC 5652 §5.4), stored as [0] IMPLICIT.
  const signature = sign('sha256', set(...attributes), input.privateKey);
  const signerInfo = sequence(
    integer(1),
    issuerAndSerial(input.certificate),
    sha256,
    implicitConstructed(0, ...[...attributes].sort(Buffer.compare)),
    sequence(oid(OID.ecdsaWithSha256)),
    octetString(signature),
  );
  const content = sequence(integer(1), set(sha256), sequence(oid(OID.data)), explicit(0, input.certificate), set(signerInfo));
  return sequence(oid(OID.signedData), explicit(0, content));
}

