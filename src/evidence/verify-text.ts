/**
 * @module evidence/verify-text
 * `VERIFY.txt`: how anyone checks a bundle with standard tools, without Comity.
 */
export function verifyText(reference: string, partial: boolean): string {
  return `Evidence bundle of case ${reference} (Comity)${partial ? ' — PARTIAL export: only some items of the case' : ''}

WHAT IS INSIDE
  mimetype                  application/vnd.etsi.asic-e+zip (ASiC-E container layout)
  bagit.txt, bag-info.txt   BagIt 1.0 (RFC 8493); Payload-Oxum = bytes.files of data/
  manifest-sha256.txt       SHA-256 of every file under data/
  tagmanifest-sha256.txt    SHA-256 of every other file (except mimetype and itself)
  data/<item>/<name>        the evidence, original bytes and original file names
  custody/events.jsonl      the chain of custody: one signed statement per line (RFC 8785 JSON)
  custody/events.sig        the Ed25519 signature (base64) of each line, same order
  custody/keys/<id>.pem     public keys of the signers (compare their fingerprints with the
                            authorities' published keys, obtained independently)
  custody/case.jsonld       the same chain as CASE/UCO JSON-LD (caseontology.org)
  documents/                the request and the response history of the case
  proof/                    transparency-log proofs (see proof/README.txt)

CHECK WITH STANDARD TOOLS (any Unix shell)
  1. Unpack:                 mkdir b && cd b && unzip ../bundle.zip
  2. Payload digests:        sha256sum -c manifest-sha256.txt
  3. Tag file digests:       sha256sum -c tagmanifest-sha256.txt
  4. Each file was logged at receipt: for a file data/<item>/<name>, find the "received" line
     of that item in custody/events.jsonl and compare its "sha256" with the manifest:
       grep '"event":"received"' custody/events.jsonl | grep '"id":"<item>"'
  5. Signature of line N (OpenSSL 3):
       sed -n Np custody/events.jsonl | tr -d '\\n' > line.bin
       sed -n Np custody/events.sig | base64 -d > line.sig
       KEY=$(sed -n Np custody/events.jsonl | sed 's/.*"key":"\\([^"]*\\)".*/\\1/')
       openssl pkeyutl -verify -pubin -inkey custody/keys/$KEY.pem -rawin -in line.bin -sigfile line.sig
  6. Chain: the "prev" of line N is the SHA-256 of line N-1 without its newline
       (64 zeros for the first line of the case):
       sed -n 'N-1p' custody/events.jsonl | tr -d '\\n' | sha256sum${partial ? '\n     A partial export holds only the lines of its items: check signatures, not the chain.' : ''}

CHECK WITH COMITY (offline, no server, no database)
  comity verify bundle.zip          readable report; exit 0 only if every check holds
  comity verify bundle.zip --json   the same as JSON
  or open verifier.html from the Comity distribution in a browser and drop the ZIP on it.

The same case state always exports to a byte-identical ZIP: two exports can be compared with
sha256sum. Each export is itself recorded in the chain ("exported", with the bundle's SHA-256).
`;
}
