/**
 * SIGKILL during uploads: a child process streams an upload and is killed at a random moment,
 * several times over; after each kill no blob is visible in the store but complete ones, the
 * upload reports an offset on a chunk boundary, and the next child resumes from there. In the
 * end the item holds exactly the generated content.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { beginUpload, listEvidence, uploadStatus } from '../../src/evidence/index.js';
import { acceptedCaseDirect, generatedSha256, openNode, US } from './node-fixture.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const LENGTH = 24 * 1024 * 1024 + 4321;

function runChild(dataDir: string, caseId: string, uploadId: string, killAfterMs: number | null): Promise<{ lines: string[]; signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'crash-uploader.ts'), dataDir, caseId, uploadId], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (line.startsWith('from ') && killAfterMs !== null) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => resolve({ lines, signal, code, stderr }));
  });
}

describe('SIGKILL during uploads', () => {
  let dir: string;
  after(() => rm(dir, { recursive: true, force: true }));

  it('no half-written blob is ever visible, and the upload resumes from a chunk boundary', async () => {
    dir = await mkdtemp(join(tmpdir(), 'comity-crash-upload-'));
    let node = await openNode(dir);
    const caseId = await acceptedCaseDirect(node.ev, 'CRASH-UPLOAD');
    const started = await beginUpload(node.ev, US, caseId, { name: 'disk.img', length: LENGTH, dataCategory: 'content', producer: 'Crash Test Provider' });
    await node.handle.close();
    const offsets: number[] = [];
    const expected = generatedSha256(LENGTH);
    let done = false;
    for (let round = 0; round < 6 && !done; round += 1) {
      const result = await runChild(dir, caseId, started.id, round < 5 ? 60 + ((round * 97) % 200) : null);
      if (result.lines.some((l) => l.startsWith('done '))) {
        done = true;
        break;
      }
      assert.equal(result.signal, 'SIGKILL', `round ${round}: ${result.stderr}`);
      // After the kill: a blob is visible only once complete (its name is its content's digest,
      // checked when read), an offset on a chunk boundary.
      node = await openNode(dir);
      const blobs = await node.ev.blobs.list(`${caseId}/`);
      assert.ok(blobs.every((b) => b === `${caseId}/${expected}`), `round ${round}: only the complete blob: ${blobs.join(', ')}`);
      assert.deepEqual(await readdir(join(dir, 'evidence', 'blobs', '.tmp')), []);
      const status = await uploadStatus(node.ev, US, caseId, started.id);
      assert.ok(status.offset % status.chunkBytes === 0 || status.offset === LENGTH, `offset ${status.offset}`);
      offsets.push(status.offset);
      await node.handle.close();
    }
    assert.ok(done, `completed after ${offsets.length} kills, offsets ${offsets.join(', ')}`);
    assert.ok(offsets.some((o) => o > 0), `progress was kept across kills: ${offsets.join(', ')}`);
    node = await openNode(dir);
    const items = await listEvidence(node.ev, caseId);
    assert.equal(items.length, 1);
    assert.equal(items[0]?.sha256, generatedSha256(LENGTH));
    assert.equal(items[0]?.size, LENGTH);
    assert.deepEqual(await node.ev.blobs.list(`${caseId}/`), [`${caseId}/${items[0]?.sha256}`]);
    await node.handle.close();
    console.log(`upload crash: killed ${offsets.length} times at offsets ${offsets.join(', ')}, resumed each time, digest matches`);
  });
});
