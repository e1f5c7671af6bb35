/**
 * End to end: an auditor opens a case in Chromium and checks, in the browser (WebCrypto SHA-256
 * and Ed25519), that every audit event is in the node's signed transparency log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertFitsWidth, chromiumSkipReason, E2E } from './harness.js';

const skip = chromiumSkipReason();

describe('ledger: audit events verified in the browser', { skip }, () => {
  const e2e = new E2E('ledger');
  before(async () => {
    await e2e.start();
  });
  after(() => e2e.close());

  test('auditor: every audit event of a case verifies against the node’s log key', async () => {
    const page = await e2e.pageAs('auditor@fr.demo', '/cases');
    await page.locator('main table tbody tr').first().getByRole('link').click();
    const audit = page.getByTestId('case-audit');
    await audit.waitFor();
    const cells = audit.getByTestId('audit-log-cell');
    await cells.first().waitFor();
    const count = await cells.count();
    assert.ok(count >= 1);
    assert.match(await cells.first().innerText(), /#\d+/);
    await audit.getByTestId('audit-verify').click();
    await audit.getByRole('status').waitFor({ timeout: 30_000 });
    const texts = await cells.allInnerTexts();
    assert.equal(texts.filter((t) => t.includes('✓ verified')).length, count, texts.join(' | '));
    await e2e.shot(page, 'audit-verified');
    // The access log names the readers: this auditor's own reading is there.
    const access = page.getByTestId('case-access-log');
    await access.locator('tbody tr').first().waitFor();
    const readers = await access.locator('tbody th').allInnerTexts();
    assert.ok(readers.some((name) => !name.startsWith('user:') && name.length > 0), readers.join(' | '));
    assert.ok(!readers.some((name) => /^user:/.test(name)), 'names, not ids');
    await page.close();
  });

  test('node page: latest checkpoint, its cosignatures, open forks and last verification', async () => {
    const page = await e2e.pageAs('auditor@fr.demo', '/ledger');
    await page.getByTestId('ledger-status').waitFor();
    assert.match(await page.getByTestId('ledger-checkpoint').innerText(), /\d+ entries/);
    assert.match(await page.getByTestId('ledger-verification').innerText(), /Never run|OK/);
    // Witness cosignatures of that checkpoint (a single node has no witness peers) and open forks.
    assert.match(await page.getByTestId('ledger-cosignatures').innerText(), /None collected|witness\//);
    assert.match(await page.getByTestId('ledger-forks').innerText(), /None open/);
    await e2e.shot(page, 'ledger-node-page');
    await e2e.axe(page, 'ledger page');
    // The checkpoint's signed note and the verifier key wrap on a narrow window (the signature line ran past it).
    await assertFitsWidth(page, 700, 'ledger page');
    await e2e.shot(page, 'ledger-node-page-narrow');
    await page.close();
  });
});
