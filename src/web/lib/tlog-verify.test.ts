import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { CompactRange, ed25519Signer, inclusionProof, leafHash, signCheckpoint, verifierKeyText, type NodeSource } from '../../ledger/index.js';
import { verifyLogProof } from './tlog-verify.js';

test('the browser verifier accepts a server proof and rejects a changed leaf, proof, checkpoint or key', async () => {
  const leaves = Array.from({ length: 37 }, (_, i) => `{"id":"e${i}","log":"audit","v":1}`);
  const range = new CompactRange();
  const nodes = new Map<string, Buffer>();
  for (const l of leaves) for (const n of range.append(leafHash(Buffer.from(l)))) nodes.set(`${n.level}/${n.index}`, n.hash);
  const node: NodeSource = (level, index) => nodes.get(`${level}/${index}`) as Buffer;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const origin = 'comity.web.example/log';
  const checkpoint = signCheckpoint({ origin, size: 37, root: range.root() }, ed25519Signer(origin, privateKey, publicKey));
  const proof = { index: 21, treeSize: 37, leaf: leaves[21] as string, proof: inclusionProof(node, 21, 37).map((h) => h.toString('base64')), checkpoint, verifierKey: verifierKeyText(origin, publicKey) };
  assert.deepEqual(await verifyLogProof(proof), { ok: true, size: 37 });
  assert.deepEqual(await verifyLogProof({ ...proof, leaf: leaves[20] as string }), { ok: false, reason: 'bad-proof' });
  assert.deepEqual(await verifyLogProof({ ...proof, proof: [...proof.proof].reverse() }), { ok: false, reason: 'bad-proof' });
  assert.deepEqual(await verifyLogProof({ ...proof, checkpoint: checkpoint.replace('\n37\n', '\n38\n') }), { ok: false, reason: 'bad-signature' });
  const other = generateKeyPairSync('ed25519');
  assert.deepEqual(await verifyLogProof({ ...proof, verifierKey: verifierKeyText(origin, other.publicKey) }), { ok: false, reason: 'bad-signature' });
});
