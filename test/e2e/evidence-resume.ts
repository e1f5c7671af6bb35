/**
 * @module test/e2e/evidence-resume
 * The workspace's evidence upload resumed after a reload (used by the journey, on the requested
 * side's case page while the case is executed): a generated file of two slices and a bit is
 * uploaded; the second slice is held in the browser (a route that never answers) and the page
 * reloaded. The page offers to resume the remembered upload; a file with another name, size or
 * content is refused and nothing is sent; the same file continues from the server's offset (the
 * first PATCH after the reload carries Upload-Offset = one slice) and the digest shown is the
 * SHA-256 of the file. localStorage holds only the upload's id, case, name, size and date.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Page, Route } from 'playwright-core';
import type { E2E } from './harness.js';

const SLICE = 8 * 1024 * 1024;
const PENDING_PREFIX = 'comity.evidence.pending.';

async function pendingEntries(page: Page): Promise<Record<string, unknown>[]> {
  // A string: this process has no DOM types; the page has localStorage.
  return page.evaluate<Record<string, unknown>[]>(`Object.keys(localStorage).filter((k) => k.startsWith(${JSON.stringify(PENDING_PREFIX)})).map((k) => JSON.parse(localStorage.getItem(k)))`);
}

export async function evidenceResumedAfterReload(page: Page, e2e: E2E): Promise<void> {
  const content = randomBytes(2 * SLICE + 12_345);
  const sha256 = createHash('sha256').update(content).digest('hex');
  const name = 'mailbox-export.mbox';
  const upload = page.getByTestId('evidence-upload');
  await upload.waitFor();

  // The first slice reaches the server; the second is held until the reload cuts it.
  let patches = 0;
  let holding = true;
  let heldRoute: Route | null = null;
  let held: () => void = () => undefined;
  const secondHeld = new Promise<void>((resolve) => (held = resolve));
  const hold = async (route: Route) => {
    if (!holding || route.request().method() !== 'PATCH') return route.fallback();
    patches += 1;
    if (patches === 1) return route.fallback();
    heldRoute = route;
    held();
  };
  await page.route('**/api/cases/*/evidence/uploads/*', hold);
  await upload.getByLabel('File (any size)').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: content });
  await upload.getByLabel('Producing authority or provider').fill('Example Mail Inc.');
  await upload.getByRole('button', { name: 'Upload' }).click();
  await secondHeld;
  await upload.getByRole('status').getByText(/8(\.0)? MB \/ 16(\.0)? MB/).waitFor();
  await e2e.shot(page, 'us-evidence-upload-in-progress');
  // What the page remembers: no content, no secret.
  const remembered = await pendingEntries(page);
  assert.equal(remembered.length, 1);
  assert.deepEqual(Object.keys(remembered[0] ?? {}).sort(), ['caseId', 'lastModified', 'name', 'size', 'uploadId']);
  assert.equal(remembered[0]?.size, content.length);

  // The reload cuts the held request (it never reached the server); later requests pass.
  holding = false;
  await page.reload();
  await (heldRoute as Route | null)?.abort().catch(() => undefined);
  const resume = page.getByTestId('evidence-resume');
  await resume.waitFor();
  try {
    await resume.getByText(/interrupted after 8(\.0)? MB of 16(\.0)? MB/).waitFor();
  } catch (error) {
    await e2e.shot(page, 'us-evidence-resume-unexpected');
    throw error;
  }
  assert.equal(await page.getByTestId('evidence-upload').count(), 0, 'no new upload while one waits to be resumed');
  await e2e.shot(page, 'us-evidence-resume-offered');

  // Another file is refused, and nothing is sent.
  const offsets: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'PATCH' && request.url().includes('/evidence/uploads/')) offsets.push(request.headers()['upload-offset'] ?? '?');
  });
  const fileInput = resume.getByLabel(`The file ${name}`);
  const refused = resume.getByTestId('evidence-resume-refused');
  const altered = Buffer.from(content);
  altered[SLICE - 1] = (altered[SLICE - 1] as number) ^ 0xff;
  for (const [file, why] of [
    [{ name: 'other.mbox', buffer: content }, /This is not the interrupted file: choose mailbox-export\.mbox/],
    [{ name, buffer: content.subarray(0, content.length - 1) }, /its size differs/],
    [{ name, buffer: altered }, /its first 8(\.0)? MB differ from those already uploaded \(SHA-256\)/],
  ] as const) {
    await fileInput.setInputFiles({ ...file, mimeType: 'application/octet-stream' });
    await resume.getByRole('button', { name: 'Resume' }).click();
    await refused.getByText(why).waitFor();
  }
  await e2e.shot(page, 'us-evidence-resume-refused');
  assert.deepEqual(offsets, [], 'nothing sent for a refused file');

  // The same file: continued from the server's offset, and the digest is the file's.
  await fileInput.setInputFiles({ name, mimeType: 'application/octet-stream', buffer: content });
  await resume.getByRole('button', { name: 'Resume' }).click();
  const stored = page.getByTestId('evidence-stored');
  await stored.waitFor({ timeout: 60_000 });
  assert.equal(await stored.locator('code').innerText(), sha256);
  assert.equal(offsets[0], String(SLICE), 'resumed at the server’s offset, not from the start');
  await page.getByTestId('evidence-row').filter({ hasText: name }).waitFor();
  assert.deepEqual(await pendingEntries(page), [], 'forgotten once complete');
  await e2e.shot(page, 'us-evidence-resumed-stored');
  await page.getByTestId('evidence-upload').waitFor();
}
