/**
 * @module test/evidence/crash-uploader
 * Child process for the upload crash test: continues upload `<uploadId>` of case `<caseId>` on
 * the node in `<dataDir>` from the offset the node reports, streaming generated content, until
 * it is killed (or the upload completes: then it prints `done <sha256>`). Before streaming it
 * prints `from <offset>`.
 */
import { appendUpload, uploadStatus } from '../../src/evidence/index.js';
import { generated, openNode, US } from './node-fixture.js';

const [dataDir, caseId, uploadId] = process.argv.slice(2) as [string, string, string];
process.stdout.on('error', () => process.exit(3));
try {
  const { handle, ev } = await openNode(dataDir);
  const status = await uploadStatus(ev, US, caseId, uploadId);
  process.stdout.write(`from ${status.offset}\n`);
  // Slow enough to be killed mid-way: one 64 KiB piece per tick.
  async function* slowly() {
    for (const piece of generated(status.offset, status.length, 64 * 1024)) {
      yield piece;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
  const result = await appendUpload(ev, US, caseId, uploadId, status.offset, slowly());
  process.stdout.write(`done ${result.item?.sha256 ?? '-'}\n`);
  await handle.close();
} catch (error) {
  process.stderr.write(`crash-uploader failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
