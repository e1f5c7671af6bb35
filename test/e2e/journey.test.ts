/**
 * End to end: the journey of a preservation request from France to the United States, through
 * the browser only. A French prosecutor drafts it in the wizard (addressee, measure, the ranked
 * legal bases, the required contents, the safeguards), the judge records the review and approves,
 * the French central authority sends it; the US central authority receives, acknowledges,
 * assesses (every refusal ground answered, accept), executes (uploading evidence, resumed after a
 * page reload: see evidence-resume.ts) and responds with a summary and an attachment; the French
 * side then sees the answer, the attachment and the legal clocks.
 * A screenshot per step under artifacts/e2e/journey/.
 */
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import type { Page } from 'playwright-core';
import { evidenceResumedAfterReload } from './evidence-resume.js';
import { chromiumSkipReason, E2E, journeySteps } from './harness.js';

const skip = chromiumSkipReason();

const REFERENCE = `PARQUET-PARIS-E2E-${Date.now().toString(36).toUpperCase()}`;
const SUMMARY = 'Data of attacker@mail.demo.invalid preserved under 18 U.S.C. § 2703(f) for 90 days; disclosure on a mutual assistance request.';

/** The state shown on the case page. */
async function caseState(page: Page): Promise<string | null> {
  return page.getByTestId('case-state').getAttribute('data-state');
}

async function expectState(page: Page, state: string): Promise<void> {
  await page.locator(`[data-testid=case-state][data-state="${state}"]`).waitFor();
  assert.equal(await caseState(page), state);
}

/** Clicks the confirmation button of a plain case action (send, receive, …) and waits for the new state. */
async function confirm(page: Page, e2e: E2E, event: string, label: string, next: string): Promise<void> {
  const card = page.getByRole('region', { name: label, exact: true });
  await card.waitFor();
  await card.getByRole('button', { name: label, exact: true }).click();
  // Sending is confirmed in a dialog first (irreversible).
  if (event.endsWith('-send')) {
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await e2e.shot(page, `${event}-confirm-dialog`);
    await dialog.getByRole('button', { name: 'Yes, send the request' }).click();
  }
  await expectState(page, next);
  await page.getByTestId('case-status-message').waitFor();
  await e2e.shot(page, `${event}-done`);
}

describe('journey: preservation request FR → US through the workspace', { skip }, () => {
  const e2e = new E2E('journey');
  let casePath = '';
  let caseReference = '';
  let suiteStarted = 0;
  /** Each step needs the previous one: after a failure the rest are skipped (not timed out). */
  const step = journeySteps();

  before(async () => {
    suiteStarted = performance.now();
    await e2e.start();
  });

  after(async () => {
    if (suiteStarted) e2e.timings.add('journey suite total', performance.now() - suiteStarted);
    await e2e.close();
  });

  step('the prosecutor drafts the request in the wizard and submits it for review', async () => {
    const started = performance.now();
    const page = await e2e.pageAs('drafter@fr.demo');
    await e2e.shot(page, 'drafter-dashboard');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New request' }).click();
    await page.getByRole('heading', { level: 1, name: 'New request' }).waitFor();

    // Step 1: addressee and measures.
    await page.getByLabel('Requested authority').selectOption('us-doj-oia');
    await page.getByTestId('wizard-addressee-details').waitFor();
    await page.getByRole('checkbox', { name: 'Expedited preservation' }).check();
    await e2e.shot(page, 'wizard-1-addressee');
    await page.getByRole('button', { name: 'Next' }).click();

    // Step 2: the ranked bases; ETS 185 Art. 29 first.
    const bases = page.getByTestId('wizard-bases');
    await bases.waitFor();
    const cards = bases.locator('[data-testid^="wizard-basis-"]');
    const provisions = await cards.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-testid')));
    console.log(`e2e[journey] ranked bases FR → US preservation: ${provisions.map((p) => p?.replace('wizard-basis-', '')).join(', ')}`);
    assert.equal(provisions[0], 'wizard-basis-ETS185:29', 'ETS 185 Art. 29 is ranked first');
    const art29 = page.getByTestId('wizard-basis-ETS185:29');
    assert.match(await art29.locator('.basis-rank').innerText(), /#1/);
    await art29.getByRole('radio').check();
    await e2e.shot(page, 'wizard-2-basis');
    await page.getByRole('button', { name: 'Next' }).click();

    // Step 3: contents.
    await page.getByTestId('wizard-contents').waitFor();
    await page.getByLabel('Offence category').selectOption('illegal-access');
    await page.getByLabel('National provision').fill('Code pénal, art. 323-1');
    await page.getByLabel('Maximum penalty (years)').fill('3');
    await page.getByRole('textbox', { name: /^Summary of the facts/ }).fill(
      'Between 3 and 5 November 2026 an intruder accessed the mail server of a Paris hospital and exfiltrated patient records; the attacker logged in to a webmail account hosted in the United States.',
    );
    const identifier = page.getByTestId('wizard-identifier-0');
    await identifier.getByLabel('Type').selectOption('email');
    await identifier.getByLabel('E-mail address').fill('attacker@mail.demo.invalid');
    for (const category of ['Subscriber information', 'Traffic data', 'Content data']) await page.getByRole('checkbox', { name: category, exact: true }).check();
    await page.getByLabel('From', { exact: true }).fill('2026-10-01');
    await page.getByLabel('To', { exact: true }).fill('2026-11-10');
    await page.getByLabel('Relevance of the data').fill('The account received the exfiltrated files and was used to send the ransom demand.');
    await page.getByTestId('wizard-contents-necessity').fill('The provider keeps logs for 90 days only; without preservation the data will be deleted before a mutual assistance request can be executed.');
    await page.getByTestId('wizard-contents-intent-to-request-mla').fill('France will submit a request for mutual assistance under Art. 31 for the disclosure of the preserved data.');
    await page.getByLabel('Your reference').fill(REFERENCE);
    await page.getByLabel('Purpose').fill(`Criminal investigation ${REFERENCE} (intrusion into a hospital information system).`);
    await page.getByLabel('Retention (days)').fill('365');
    // Every structured element of the basis is now answered.
    const checklist = page.getByTestId('wizard-contents').locator('li[data-answered]');
    const answered = await checklist.evaluateAll((nodes) => nodes.map((n) => `${n.getAttribute('data-testid')}=${n.getAttribute('data-answered')}`));
    assert.ok(answered.length > 0, 'the checklist lists the structured elements');
    assert.deepEqual(
      answered.filter((a) => a.endsWith('=false')),
      [],
      'every structured element is answered',
    );
    await e2e.shot(page, 'wizard-3-contents');
    await page.getByRole('button', { name: 'Next' }).click();

    // Step 4: safeguards, then submit for review.
    await page.getByLabel(/^Grounds justifying the measure/).fill('Reasonable grounds to believe the account was used to commit and profit from the intrusion (forensic report of 6 November 2026).');
    await page.getByLabel(/^Proportionality/).fill('Preservation only, limited to one account and six weeks; no disclosure before a court-authorised request.');
    await page.getByLabel(/^Limits of scope/).fill('One account; subscriber, traffic and content data from 1 October to 10 November 2026.');
    await page.getByLabel(/^Duration \(days\)/).fill('90');
    await e2e.shot(page, 'wizard-4-safeguards');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    const submitted = page.getByTestId('wizard-submitted');
    await submitted.or(page.getByTestId('wizard-errors')).or(page.locator('.alert-error')).first().waitFor();
    if (!(await submitted.isVisible())) {
      await e2e.shot(page, 'wizard-submit-failed');
      assert.fail(`submitting for review failed: ${await page.locator('main').innerText()}`);
    }
    await e2e.shot(page, 'wizard-submitted');
    await submitted.getByRole('link', { name: 'Open the case' }).click();
    await page.getByTestId('case-summary').waitFor();
    await expectState(page, 'submitted');
    casePath = new URL(page.url()).pathname;
    caseReference = (await page.locator('main h1').innerText()).replace(/^Case /, '');
    console.log(`e2e[journey] draft ${caseReference} at ${casePath}`);
    assert.match(casePath, /^\/cases\/[0-9a-f-]+$/);
    await e2e.shot(page, 'draft-case-page');
    await page.close();
    e2e.timings.add('step: drafter (wizard to draft)', performance.now() - started);
  });

  step('the judge records the review and approves', async () => {
    const started = performance.now();
    const page = await e2e.pageAs('judge@fr.demo', casePath);
    await expectState(page, 'submitted');
    const card = page.getByTestId('action-approve');
    await card.waitFor();
    await card.getByLabel('Reviewer', { exact: false }).first().fill('Juge des libertés et de la détention, Tribunal judiciaire de Paris');
    await card.getByLabel('Role').selectOption('judge');
    await card.getByLabel(/^Reference of the decision/).fill('JLD-2026-E2E');
    await card.getByLabel(/^Notes/).fill('Preservation only; disclosure requires a separate request.');
    await e2e.shot(page, 'review-filled');
    await card.getByRole('button', { name: 'Approve' }).click();
    await expectState(page, 'approved');
    await e2e.shot(page, 'review-approved');
    await page.close();
    e2e.timings.add('step: reviewer (approve)', performance.now() - started);
  });

  step('the French central authority sends it', async () => {
    const started = performance.now();
    const page = await e2e.pageAs('officer@fr.demo', casePath);
    await expectState(page, 'approved');
    await confirm(page, e2e, 'fr-send', 'Send', 'sent');
    await page.close();
    e2e.timings.add('step: FR officer (send)', performance.now() - started);
  });

  step('the US central authority receives, acknowledges, assesses and answers', async () => {
    const started = performance.now();
    const page = await e2e.pageAs('officer@us.demo');
    // The request is in the US dashboard.
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByRole('link', { name: caseReference }).first().waitFor();
    await e2e.shot(page, 'us-dashboard');
    await page.getByRole('link', { name: caseReference }).first().click();
    await page.getByTestId('case-summary').waitFor();
    await expectState(page, 'sent');
    // Printed for the report: the period entered as UTC days (2026-10-01 to 2026-11-10), as shown in New York.
    const period = page.locator('dt', { hasText: /^Period$/ }).locator('xpath=following-sibling::dd[1]');
    console.log(`e2e[journey] period of the data as shown to the US officer (America/New_York): ${await period.innerText()}`);
    await e2e.shot(page, 'us-case-sent');

    await confirm(page, e2e, 'us-receive', 'Receive', 'received');
    // Receipt starts the clocks of ETS 185 Art. 29.
    await page.getByTestId('case-clocks').waitFor();
    await confirm(page, e2e, 'us-acknowledge', 'Acknowledge', 'acknowledged');
    await confirm(page, e2e, 'us-start-assessment', 'Start assessment', 'in-assessment');

    // The assessment: every refusal ground answered, accept.
    const assessment = page.getByTestId('action-assessment');
    await assessment.getByRole('button', { name: 'Record the decision' }).waitFor();
    const grounds = assessment.locator('fieldset[data-testid^="assessment-ground-"]');
    const groundIds = await grounds.evaluateAll((nodes) => nodes.map((n) => (n.getAttribute('data-testid') ?? '').replace('assessment-ground-', '')));
    console.log(`e2e[journey] refusal grounds to answer: ${groundIds.join(', ')}`);
    assert.ok(groundIds.length > 0, 'ETS 185 Art. 29 has refusal grounds to answer');
    for (const id of groundIds) {
      const ground = assessment.getByTestId(`assessment-ground-${id}`);
      await ground.getByRole('radio', { name: 'Does not apply' }).check();
      await ground.getByLabel(/^Note/).fill(`Checked: ${id} does not apply.`);
    }
    await assessment.getByRole('radio', { name: 'Accept' }).check();
    await assessment.getByLabel(/^Reasons/).fill('The request meets Art. 29(2); no ground for refusal applies.');
    await assessment.getByLabel(/^Conditions/).fill('Preserved data are disclosed only on a request for mutual assistance.');
    await e2e.shot(page, 'us-assessment-filled');
    await assessment.getByRole('button', { name: 'Record the decision' }).click();
    await expectState(page, 'accepted');
    await e2e.shot(page, 'us-accepted');

    await confirm(page, e2e, 'us-execute', 'Execute', 'executed');

    // Evidence of the execution, uploaded in slices; the page is reloaded midway and the upload resumed.
    await evidenceResumedAfterReload(page, e2e);

    // The response: a summary and a file, when the form offers files.
    const respond = page.getByTestId('action-respond');
    await respond.waitFor();
    await respond.getByLabel(/^Summary of the response/).fill(SUMMARY);
    const files = respond.getByLabel(/^Files of the response/);
    const offersFiles = (await files.count()) > 0;
    if (offersFiles) {
      await files.setInputFiles({ name: 'preservation-confirmation.txt', mimeType: 'text/plain', buffer: Buffer.from(`Preservation confirmed for ${caseReference}.\n`, 'utf8') });
      await respond.getByText('preservation-confirmation.txt').waitFor();
    } else {
      console.log('e2e[journey] the response form offers no file input: responding without an attachment');
    }
    await e2e.shot(page, 'us-response-filled');
    await respond.getByRole('button', { name: 'Send the response' }).click();
    await expectState(page, 'responded');
    if (offersFiles) await page.getByTestId('case-attachments').getByTestId('attachment-row').first().waitFor();
    await e2e.shot(page, 'us-responded');
    await page.close();
    e2e.timings.add('step: US officer (receive → respond)', performance.now() - started);
  });

  step('the French side sees the answer, the attachment and the clocks on the case page', async () => {
    const started = performance.now();
    const page = await e2e.pageAs('officer@fr.demo', casePath);
    await expectState(page, 'responded');
    await page.getByTestId('case-response').getByText(SUMMARY).waitFor();
    const attachments = page.getByTestId('case-attachments');
    const rows = attachments.getByTestId('attachment-row');
    // Attachments load with their own request: wait for them before counting.
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1, 'the attachment of the response is listed');
    assert.match(await rows.first().innerText(), /preservation-confirmation\.txt/);
    // The legal clocks of the case, each with its status.
    const clocks = page.getByTestId('case-clocks').getByTestId('case-clock');
    const statuses = await clocks.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-status')));
    console.log(`e2e[journey] clocks on the French case page: ${statuses.join(', ')}`);
    assert.ok(statuses.length > 0, 'the case page shows the legal clocks');
    // The French side may close the case now.
    await page.getByTestId('case-actions').getByRole('button', { name: 'Close' }).waitFor();
    await e2e.shot(page, 'fr-sees-answer');
    // The history records the whole journey.
    const events = await page
      .getByTestId('case-timeline')
      .getByTestId('timeline-event')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-event')));
    assert.deepEqual(events, ['create', 'submit', 'approve', 'send', 'receive', 'acknowledge', 'start-assessment', 'accept', 'execute', 'respond']);
    await page.close();
    e2e.timings.add('step: FR officer (sees the answer)', performance.now() - started);
    assert.deepEqual(e2e.pageErrors, [], 'no uncaught error in any page');
  });
});
