/**
 * End to end: the workspace in French shows the knowledge base's texts in French (the legal
 * basis, its clocks), and a formal document chosen in French is French whatever the interface
 * language — and one chosen in English is English in the French interface. The PDFs are fetched
 * with the page's session and read with pdftotext.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { pageTexts, popplerSkipReason } from '../../src/documents/poppler.js';
import { chromiumSkipReason, E2E } from './harness.js';

const skip = chromiumSkipReason() || popplerSkipReason();

async function documentText(page: Page, language: string): Promise<string> {
  await page.getByTestId('document-language').selectOption(language);
  const href = await page.getByTestId('document-download').getAttribute('href');
  assert.ok(href?.includes(`language=${language}`), `download link for ${language}: ${href}`);
  const res = await page.request.get(href ?? '');
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-type'], 'application/pdf');
  return pageTexts(await res.body()).join(' ');
}

describe('formal documents and legal texts in the interface language', { skip }, () => {
  const e2e = new E2E('documents');
  before(async () => {
    await e2e.start();
  });
  after(async () => {
    await e2e.close();
  });

  test('French interface: the legal basis and its clocks in French; the document in the language chosen', async () => {
    const page = await e2e.pageAs('officer@fr.demo', '/cases');
    const rows = page.locator('main table tbody tr');
    await rows.first().waitFor();
    await rows.filter({ hasText: 'Responded' }).first().getByRole('link').click();
    await page.getByTestId('case-summary').waitFor();
    await page.getByTestId('case-summary').getByText('Expedited preservation of stored computer data').waitFor();

    await page.getByLabel('Language').selectOption('fr');
    const summary = page.getByTestId('case-summary');
    await summary.getByText('Conservation rapide de données informatiques stockées').waitFor();
    // A clock's description comes from the knowledge base too.
    await page.getByTestId('case-clock').first().getByText(/La conservation est d’une durée d’au moins 60 jours/).waitFor();
    await e2e.shot(page, 'case-page-french');

    // The request is in English: by default the document is English, even in the French interface.
    assert.equal(await page.getByTestId('document-language').inputValue(), 'en');
    const english = await documentText(page, 'en');
    assert.match(english, /Data preservation request under Articles 29 and 30/);
    assert.doesNotMatch(english, /Demande de conservation/);
    const french = await documentText(page, 'fr');
    assert.match(french, /Demande de conservation de données au titre des articles 29 et 30/);
    assert.match(french, /ETS185 Art\. 29 — Conservation rapide de données informatiques stockées/);

    // Back to the English interface: a document chosen in French is still French.
    await page.getByLabel('Langue').selectOption('en');
    await summary.getByText('Expedited preservation of stored computer data').waitFor();
    const stillFrench = await documentText(page, 'fr');
    assert.match(stillFrench, /Demande de conservation de données/);
    assert.match(stillFrench, /Page 1 sur \d+/);
    await e2e.axe(page, 'case page with the documents panel');
    await page.close();
  });

  test('French interface: the wizard’s ranked bases, their contents and clocks in French', async () => {
    const page = await e2e.pageAs('drafter@fr.demo');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New request' }).click();
    await page.getByLabel('Requested authority').selectOption('us-doj-oia');
    await page.getByTestId('wizard-addressee-details').waitFor();
    await page.getByRole('checkbox', { name: 'Expedited preservation' }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    const art29 = page.getByTestId('wizard-basis-ETS185:29');
    await art29.getByText('Expedited preservation of stored computer data').first().waitFor();
    await page.getByLabel('Language').selectOption('fr');
    await art29.getByText('Conservation rapide de données informatiques stockées').first().waitFor();
    await art29.getByText(/Une Partie demande à une autre d’ordonner ou d’imposer la conservation rapide/).first().waitFor();
    assert.equal(await art29.getByText('Expedited preservation of stored computer data').count(), 0, 'no English title left');
    await e2e.shot(page, 'wizard-bases-french');
    await page.close();
  });
});
