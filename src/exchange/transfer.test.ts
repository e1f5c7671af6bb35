import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { ExchangeError } from './errors.js';
import { sealTransfer, TransferReceiver } from './transfer.js';

async function collect(receiver: TransferReceiver): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of receiver.open()) parts.push(part);
  return Buffer.concat(parts);
}

it('transfers in encrypted chunks, checks each against the manifest, resumes after an interruption', async () => {
  const content = randomBytes(1_000_000 + 123);
  const { descriptor, chunks } = await sealTransfer([content.subarray(0, 300_000), content.subarray(300_000)], 256 * 1024);
  assert.equal(chunks.length, 4);
  assert.equal(descriptor.manifest.size, content.length);
  const root = mkdtempSync(join(tmpdir(), 'comity-transfer-'));
  // First attempt cut halfway: two chunks arrive, in reverse order.
  new TransferReceiver(descriptor, root).accept(1, chunks[1]!);
  new TransferReceiver(descriptor, root).accept(0, chunks[0]!);
  // After a restart, the receiver knows what is missing and the sender resends only that.
  const resumed = new TransferReceiver(descriptor, root);
  assert.deepEqual(resumed.missing(), [2, 3]);
  await assert.rejects(collect(resumed), /2 chunks missing/);
  for (const index of resumed.missing()) resumed.accept(index, chunks[index]!);
  assert.deepEqual(await collect(resumed), content);
});

it('refuses a chunk that does not match its digest, a chunk moved to another place, a truncated transfer', async () => {
  const content = randomBytes(100_000);
  const { descriptor, chunks } = await sealTransfer([content], 30_000);
  const root = mkdtempSync(join(tmpdir(), 'comity-transfer-'));
  const receiver = new TransferReceiver(descriptor, root);
  const altered = Buffer.from(chunks[0]!);
  altered[10]! ^= 1;
  assert.throws(() => receiver.accept(0, altered), (e: unknown) => e instanceof ExchangeError && /does not match its digest in the signed manifest/.test(e.message));
  assert.throws(() => receiver.accept(1, chunks[0]!), /does not match its digest/);
  // A manifest forged to move chunk 0 to index 1 (as if the digests were reordered): decryption fails.
  const swapped = { ...descriptor, manifest: { ...descriptor.manifest, chunks: [descriptor.manifest.chunks[1]!, descriptor.manifest.chunks[0]!, ...descriptor.manifest.chunks.slice(2)] } };
  const moved = new TransferReceiver(swapped, mkdtempSync(join(tmpdir(), 'comity-transfer-')));
  chunks.forEach((chunk, i) => moved.accept(i === 0 ? 1 : i === 1 ? 0 : i, chunk));
  await assert.rejects(collect(moved), /chunk 0 does not decrypt/);
  // Truncated at a chunk boundary: the last chunk is missing from a manifest that says it is complete.
  const cut = { ...descriptor, manifest: { ...descriptor.manifest, chunks: descriptor.manifest.chunks.slice(0, 2) } };
  const truncated = new TransferReceiver(cut, mkdtempSync(join(tmpdir(), 'comity-transfer-')));
  truncated.accept(0, chunks[0]!);
  truncated.accept(1, chunks[1]!);
  await assert.rejects(collect(truncated), /chunk 1 does not decrypt/);
});
