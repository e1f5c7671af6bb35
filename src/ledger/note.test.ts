import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkpointBody, openCheckpoint, parseCheckpointBody, signCheckpoint } from './checkpoint.js';
import { LedgerError } from './errors.js';
import { addSignatures, cosignatureSigner, decodeNote, ed25519Signer, openNote, parseVerifierKey, signNote, verifierKeyText, type NoteVerifier } from './note.js';

// golang.org/x/mod sumdb/note vectors (c2sp.org/signed-note), copied from /work/shared/vectors.
const V = JSON.parse(readFileSync(new URL('../../test/vectors/signed-note/vectors.json', import.meta.url), 'utf8')) as {
  keys: Record<string, { vkey: string; skey?: string }>;
  text: string;
  signed_by_peter: string;
  peter_signature_line: string;
  enoch_signature_line: string;
};
const peter = parseVerifierKey(V.keys.PeterNeumann?.vkey as string);
const enoch = parseVerifierKey(V.keys.EnochRoot?.vkey as string);
const both = `${V.text}\n${V.peter_signature_line}${V.enoch_signature_line}`;

function rejects(fn: () => unknown, code: string): void {
  assert.throws(fn, (error: unknown) => error instanceof LedgerError && error.code === code);
}

test('signed-note vectors: accept with one or both known keys, ignore unknown ones', () => {
  assert.deepEqual(openNote(both, [peter]).verifiedBy, ['PeterNeumann']);
  assert.deepEqual(openNote(both, [peter, enoch]).verifiedBy, ['PeterNeumann', 'EnochRoot']);
  assert.equal(openNote(V.signed_by_peter, [peter]).text, V.text);
});

test('a signature in non-canonical base64 (the unused bits of its last character set) is refused: a changed byte never verifies', () => {
  const line = V.peter_signature_line.trimEnd();
  const b64 = line.slice(line.lastIndexOf(' ') + 1);
  const last = b64.replace(/=+$/, '').length - 1;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const altered = b64.slice(0, last) + alphabet[alphabet.indexOf(b64[last] as string) ^ 1] + b64.slice(last + 1);
  assert.ok(b64.endsWith('='), 'the vector has padding, so its last character has unused bits');
  assert.deepEqual(Buffer.from(altered, 'base64'), Buffer.from(b64, 'base64'), 'the same bytes');
  rejects(() => openNote(`${V.text}\n${line.replace(b64, altered)}\n`, [peter]), 'malformed-note');
});

test('signed-note vectors: reject no known key, a failing known key, malformed notes', () => {
  rejects(() => openNote(both, []), 'unverified-note');
  const line = V.peter_signature_line;
  rejects(() => openNote(`${V.text}\n${line.slice(0, 60)}ABCD${line.slice(60)}`, [peter]), 'unverified-note');
  rejects(() => openNote(V.text, [peter]), 'malformed-note');
  rejects(() => openNote(`${V.text}\n`, [peter]), 'malformed-note');
  rejects(() => openNote(`\u0001${V.signed_by_peter}`, [peter]), 'malformed-note');
  rejects(() => openNote(decodeNote(Buffer.concat([Buffer.from([0xff]), Buffer.from(V.signed_by_peter)])), [peter]), 'malformed-note');
  rejects(() => openNote(`${V.signed_by_peter}Unexpected line.\n`, [peter]), 'malformed-note');
  rejects(() => openNote(`${V.text}\n${line.replace('PeterNeumann', 'Bad Name')}`, [peter]), 'malformed-note');
  // A signature made over other text fails for the known key.
  rejects(() => openNote(`Other text\n\n${line}`, [peter]), 'unverified-note');
});

test('signed-note vectors: the skey reproduces the PeterNeumann signature; key ids follow the spec', () => {
  const skey = V.keys.PeterNeumann?.skey as string;
  const parts = skey.split('+');
  const seed = Buffer.from(parts.slice(4).join('+'), 'base64').subarray(1);
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  assert.equal(verifierKeyText('PeterNeumann', publicKey), V.keys.PeterNeumann?.vkey);
  assert.equal(signNote(V.text, [ed25519Signer('PeterNeumann', privateKey, publicKey)]), V.signed_by_peter);
});

test('at least 16 signatures are accepted; unknown witnesses never make a note fail', () => {
  const log = generateKeyPairSync('ed25519');
  const signer = ed25519Signer('example.org/log', log.privateKey, log.publicKey);
  const others = Array.from({ length: 20 }, (_, i) => {
    const pair = generateKeyPairSync('ed25519');
    return ed25519Signer(`witness${i}.example`, pair.privateKey, pair.publicKey);
  });
  const note = signNote('hello\n', [signer, ...others]);
  const verifier = parseVerifierKey(verifierKeyText('example.org/log', log.publicKey));
  assert.deepEqual(openNote(note, [verifier]).verifiedBy, ['example.org/log']);
});

test('checkpoints: body format, round trip, origin check, cosignatures (tlog-cosignature v1)', () => {
  const log = generateKeyPairSync('ed25519');
  const witness = generateKeyPairSync('ed25519');
  const origin = 'comity.example/log';
  const root = Buffer.alloc(32, 7);
  const note = signCheckpoint({ origin, size: 42, root }, ed25519Signer(origin, log.privateKey, log.publicKey));
  assert.equal(note.split('\n\n')[0], `${origin}\n42\n${root.toString('base64')}`);
  const logVerifier = parseVerifierKey(verifierKeyText(origin, log.publicKey));
  const opened = openCheckpoint(note, origin, logVerifier);
  assert.equal(opened.size, 42);
  rejects(() => openCheckpoint(note, 'other.example/log', logVerifier), 'wrong-origin');

  const cosigner = cosignatureSigner('witness.example/w1', witness.privateKey, witness.publicKey, 1_700_000_000);
  const body = checkpointBody({ origin, size: 42, root });
  const line = `\u2014 witness.example/w1 ${(() => {
    const id = Buffer.alloc(4);
    id.writeUInt32BE(cosigner.keyId);
    return Buffer.concat([id, cosigner.sign(Buffer.from(body))]).toString('base64');
  })()}\n`;
  const cosigned = addSignatures(note, [line]);
  const witnessVerifier: NoteVerifier = parseVerifierKey(verifierKeyText('witness.example/w1', witness.publicKey, 0x04));
  assert.deepEqual(openCheckpoint(cosigned, origin, logVerifier, [witnessVerifier]).verifiedBy, [origin, 'witness.example/w1']);
  // An unknown witness is ignored; a cosignature does not verify as a plain note signature.
  assert.deepEqual(openCheckpoint(cosigned, origin, logVerifier).verifiedBy, [origin]);
  const asNoteKey = parseVerifierKey(verifierKeyText('witness.example/w1', witness.publicKey));
  assert.notEqual(asNoteKey.keyId, witnessVerifier.keyId);

  for (const bad of ['o\n01\nAAAA\n', `o\n1\n${root.toString('base64')}`, `o\n1\n${root.toString('base64')}\n\n`, `\n1\n${root.toString('base64')}\n`, `o\n-1\n${root.toString('base64')}\n`]) {
    rejects(() => parseCheckpointBody(bad), 'malformed-checkpoint');
  }
});
