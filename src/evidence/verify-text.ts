/**
 * @module evidence/verify-text
 * `VERIFY.txt`: how anyone checks a bundle with standard tools, without Comity.
 */
/** Steps 7–9 (signature and log proofs), raw: shell and Python as typed. */
// The em dash below is written as ${'\u2014'}: a raw template keeps non-Latin-1 characters as they
// are in the compiled bundle, and one such character makes V8 hold the whole bundle's source text
// in two bytes per character (about 2 MiB more resident memory).
const STANDARD_PROOFS = String.raw`  7. ASiC-E signature of the manifest (OpenSSL; -noverify: the certificate is the node's own,
     compare its fingerprint with the one the node publishes instead of a CA chain):
       openssl cms -verify -binary -inform DER -in META-INF/signature.p7s \
         -content META-INF/ASiCManifest.xml -noverify -out /dev/null
       openssl pkcs7 -inform DER -in META-INF/signature.p7s -print_certs | openssl x509 -noout -subject -fingerprint -sha256
     and each DigestValue in the manifest is:  openssl dgst -sha256 -binary FILE | base64
  8. Log proof of custody line N whose "seq" is S:  P=proof/custody-$(printf %08d S).tlog-proof
     a. the logged entry (line 2, after "extra ") is the line's record:
          sed -n 2p $P | cut -c7- | base64 -d; echo
          # {"id":"custody/<case>/<S>","line_sha256":"<SHA-256 of line N>","log":"custody","v":1}
          sed -n Np custody/events.jsonl | tr -d '\n' | sha256sum
     b. the checkpoint is signed by the log key (Ed25519 over the checkpoint's first 3 lines):
          sed 's/^[^+]*+[^+]*+//' proof/log.vkey | base64 -d | tail -c 32 > log.raw
          (printf '\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00'; cat log.raw) > log.der
          sed '/^$/,$d' proof/checkpoint > checkpoint.txt
          grep "^${'\u2014'} $(cut -d+ -f1 proof/log.vkey) " proof/checkpoint | head -1 | cut -d' ' -f3 | base64 -d | tail -c 64 > checkpoint.sig
          openssl pkeyutl -verify -pubin -keyform DER -inkey log.der -rawin -in checkpoint.txt -sigfile checkpoint.sig
     c. the entry is included in that checkpoint (RFC 9162 §2.1.3.2), e.g. with Python 3 (paste
        the lines without their indentation):
          python3 - $P <<'PY'
          import base64, hashlib, sys
          head, _, note = open(sys.argv[1], encoding='utf-8').read().partition('\n\n')
          lines = head.split('\n'); leaf = base64.b64decode(lines[1][6:]); fn = int(lines[2][6:])
          size, root = int(note.split('\n')[1]), base64.b64decode(note.split('\n')[2])
          h = lambda *p: hashlib.sha256(b''.join(p)).digest()
          sn, r = size - 1, h(b'\0', leaf)
          for p in (base64.b64decode(x) for x in lines[3:]):
              if fn % 2 == 1 or fn == sn:
                  r = h(b'\1', p, r)
                  while fn % 2 == 0 and fn != 0: fn, sn = fn >> 1, sn >> 1
              else: r = h(b'\1', r, p)
              fn, sn = fn >> 1, sn >> 1
          print('included' if sn == 0 and r == root else 'NOT INCLUDED')
          PY
     The checkpoint is the earliest the log signed that covers every custody line of the bundle;
     the node's log (GET /api/ledger/log/checkpoint and its tiles) gives consistency proofs to later ones.
`;

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
  proof/custody-<seq>.tlog-proof  for every custody line: a c2sp.org/tlog-proof@v1 file proving
                            that the line is in the node's transparency log
  proof/checkpoint          the signed checkpoint (tree size and root) all proofs verify against
  proof/log.vkey            the log's public key (signed-note verifier key: name+id+base64 key);
                            compare it with the key the node publishes, obtained independently
  META-INF/ASiCManifest.xml ASiC-E manifest (ETSI EN 319 162-1): every other file but mimetype
                            and META-INF/ with its SHA-256 (base64)
  META-INF/signature.p7s    detached CAdES signature (CMS, ECDSA P-256) of ASiCManifest.xml by
                            the node's document-signing key; its certificate is inside

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

${STANDARD_PROOFS}
CHECK WITH COMITY (offline, no server, no database)
  comity verify bundle.zip          readable report; exit 0 only if every check holds
  comity verify bundle.zip --json   the same as JSON
  or open verifier.html from the Comity distribution in a browser and drop the ZIP on it.

The same case state always exports to a byte-identical ZIP: two exports can be compared with
sha256sum. Each export is itself recorded in the chain ("exported", with the bundle's SHA-256).
`;
}
