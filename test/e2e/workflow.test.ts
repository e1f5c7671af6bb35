/**
 * End to end (issue 16): the French urgent journey to the United States as linked preservation
 * and production requests through the 24/7 network. The prosecutor asks for preservation and
 * subscriber information at once; no basis serves both, so the wizard proposes linked requests;
 * in the emergency the 24/7 route ranks first and, addressed to the office-hours central
 * authority, the wizard says it would be refused and proposes the US 24/7 point of contact. The
 * leave warning protects typed work, the local draft comes back after a reload; the judge
 * returns the draft with comments, the prosecutor corrects and submits again, the judge
 * approves, the officer confirms "Send" in a dialog; the follow-up request carries the earlier
 * reference and both appear in the investigation file. axe-core: zero violations on the new
 * views (wizard split and misfit, confirmation dialog, returned draft, investigation file).
 */
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumSkipReason, E2E, journeySteps } from './harness.js';

const skip = chromiumSkipReason();
const OWN = `PARQUET-PARIS-URG-${Date.now().toString(36).toUpperCase()}`;

async function expectState(page: Page, state: string): Promise<void> {
  await page.locator(`[data-testid=case-state][data-state="${state}"]`).waitFor();
}

/** axe-core with zero violations of any impact. */
async function noViolation(e2e: E2E, page: Page, label: string): Promise<void> {
  const results = await e2e.axe(page, label);
  assert.deepEqual(
    results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `axe violations on ${label}`,
  );
}

describe('workflow: urgent linked requests FR → US through the 24/7 network, review hand-off', { skip }, () => {
  const e2e = new E2E('workflow');
  let casePath = '';
  let caseReference = '';
  const step = journeySteps();

  before(async () => {
    await e2e.start();
  });
  after(async () => {
    await e2e.close();
  });

  step('the wizard proposes linked requests, the 24/7 route and the right addressee; leave warning; local draft', async () => {
    const page = await e2e.pageAs('drafter@fr.demo', '/requests/new');
    await page.getByRole('heading', { level: 1, name: 'New request' }).waitFor();
    await page.getByLabel('Requested authority').selectOption('us-doj-oia');
    await page.getByRole('checkbox', { name: 'Expedited preservation' }).check();
    await page.getByRole('checkbox', { name: 'This is an emergency request' }).check();
    await page.getByLabel(/^Facts demonstrating the emergency/).fill('A hospital is being extorted now; the attacker may delete the account within hours.');

    // The leave warning: a link in the menu asks first; staying keeps the work.
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.dismiss();
    });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
    assert.match(asked, /unsaved work/);
    assert.equal(new URL(page.url()).pathname, '/requests/new', 'stayed on the wizard');

    // The local draft: after a reload (confirmed), the work is back.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.reload();
    await page.getByTestId('wizard-restored').waitFor();
    assert.equal(await page.getByRole('checkbox', { name: 'This is an emergency request' }).isChecked(), true);
    assert.equal(await page.getByRole('checkbox', { name: 'Expedited preservation' }).isChecked(), true);
    await e2e.shot(page, 'wizard-restored');
    // (The split into linked requests when no basis serves every measure is src/web/lib/bases.test.ts:
    // before an offence is chosen the bilateral MLA treaty serves preservation and subscriber data together.)
    await page.getByRole('button', { name: 'Next' }).click();

    // Emergency: the 24/7 route (Art. 35(1)(b)) ranks first; to the central authority it would be refused.
    const bases = page.getByTestId('wizard-bases');
    await bases.waitFor();
    const first = await bases.locator('[data-testid^="wizard-basis-"]').first().getAttribute('data-testid');
    assert.equal(first, 'wizard-basis-ETS185:35(1)(b)', 'the 24/7 route ranks first in an emergency');
    const misfit = page.getByTestId('wizard-misfit-ETS185:35(1)(b)');
    await misfit.waitFor();
    await e2e.shot(page, 'wizard-misfit');
    await noViolation(e2e, page, 'wizard: channel misfit');
    await misfit.getByTestId('wizard-readdress-us-247').click();
    await page.getByTestId('wizard-misfit-ETS185:35(1)(b)').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('wizard-basis-ETS185:35(1)(b)').getByRole('radio').isChecked(), true);
    await page.getByRole('button', { name: 'Next' }).click();

    // Contents (Art. 35(1)(b) lists none of its own; the form's own fields are still needed).
    await page.getByLabel('Offence category').selectOption('illegal-access');
    await page.getByLabel('National provision').fill('Code pénal, art. 323-1');
    await page.getByRole('textbox', { name: /^Summary of the facts/ }).fill('Since 3 November 2026 an intruder has been extorting a Paris hospital from a webmail account hosted in the United States.');
    const identifier = page.getByTestId('wizard-identifier-0');
    await identifier.getByLabel('Type').selectOption('email');
    await identifier.getByLabel('E-mail address').fill('attacker@mail.demo.invalid');
    await page.getByRole('checkbox', { name: 'Subscriber information', exact: true }).check();
    await page.getByLabel('From', { exact: true }).fill('2026-10-01');
    await page.getByLabel('To', { exact: true }).fill('2026-11-10');
    await page.getByLabel('Relevance of the data').fill('The account sends the ransom demands.');
    // Art. 35(1)(b) preservation carries the Art. 29 elements.
    for (const [id, text] of [
      ['necessity', 'The provider may delete the account at the attacker’s request within hours.'],
      ['intent-to-request-mla', 'France will request disclosure of the preserved data (follow-up request in this file).'],
    ] as const) {
      const field = page.getByTestId(`wizard-contents-${id}`);
      if ((await field.count()) > 0) await field.fill(text);
    }
    await page.getByLabel('Your reference').fill(OWN);
    await page.getByLabel('Purpose').fill(`Criminal investigation ${OWN} (extortion of a hospital).`);
    await page.getByLabel('Retention (days)').fill('365');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel(/^Grounds justifying the measure/).fill('The account sends the ransom demands (forensic report of 6 November 2026).');
    await page.getByLabel(/^Proportionality/).fill('Preservation only, one account; disclosure on a separate request.');
    await page.getByLabel(/^Duration \(days\)/).fill('90');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    const submitted = page.getByTestId('wizard-submitted');
    await submitted.or(page.getByTestId('wizard-errors')).or(page.locator('.alert-error')).first().waitFor();
    if (!(await submitted.isVisible())) assert.fail(`submitting failed: ${await page.locator('main').innerText()}`);
    await submitted.getByRole('link', { name: 'Open the case' }).click();
    await expectState(page, 'submitted');
    casePath = new URL(page.url()).pathname;
    caseReference = (await page.locator('main h1').innerText()).replace(/^Case /, '');
    await page.getByTestId('case-targets').waitFor();
    await e2e.shot(page, 'submitted-case');
    await page.close();
  });

  step('the judge returns the draft with comments; the prosecutor corrects it and submits again', async () => {
    const judge = await e2e.pageAs('judge@fr.demo', casePath);
    await expectState(judge, 'submitted');
    const card = judge.getByTestId('action-return');
    await card.getByLabel(/^Your comments to the drafter/).fill('Add the national provision on extortion (Code pénal, art. 312-1).');
    await card.getByRole('button', { name: 'Return with comments' }).click();
    await expectState(judge, 'returned');
    await judge.close();

    const drafter = await e2e.pageAs('drafter@fr.demo', casePath);
    await expectState(drafter, 'returned');
    await drafter.getByText('Add the national provision on extortion').first().waitFor();
    await e2e.shot(drafter, 'returned-draft');
    await noViolation(e2e, drafter, 'case: returned draft');
    await drafter.getByRole('link', { name: 'Edit the draft' }).click();
    await drafter.getByRole('button', { name: 'Next' }).click();
    await drafter.getByRole('button', { name: 'Next' }).click();
    await drafter.getByLabel('National provision').fill('Code pénal, art. 323-1 and art. 312-1');
    await drafter.getByRole('button', { name: 'Next' }).click();
    await drafter.getByRole('button', { name: 'Submit for review' }).click();
    await drafter.getByTestId('wizard-submitted').waitFor();
    await drafter.close();
  });

  step('the judge approves; the officer confirms Send in a dialog', async () => {
    const judge = await e2e.pageAs('judge@fr.demo', casePath);
    await expectState(judge, 'submitted');
    const card = judge.getByTestId('action-approve');
    await card.getByLabel('Reviewer', { exact: false }).first().fill('Juge des libertés et de la détention, Tribunal judiciaire de Paris');
    await card.getByLabel(/^Reference of the decision/).fill('JLD-2026-URG');
    await card.getByRole('button', { name: 'Approve' }).click();
    await expectState(judge, 'approved');
    await judge.close();

    const officer = await e2e.pageAs('officer@fr.demo', casePath);
    await expectState(officer, 'approved');
    await officer.getByTestId('action-send').getByRole('button', { name: 'Send', exact: true }).click();
    const dialog = officer.getByRole('dialog');
    await dialog.waitFor();
    await e2e.shot(officer, 'send-confirm');
    await noViolation(e2e, officer, 'case: send confirmation dialog');
    // Cancel first: nothing is sent.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expectState(officer, 'approved');
    await officer.getByTestId('action-send').getByRole('button', { name: 'Send', exact: true }).click();
    await officer.getByRole('dialog').getByRole('button', { name: 'Yes, send the request' }).click();
    await expectState(officer, 'sent');
    await officer.close();
  });

  step('the follow-up carries the earlier reference; both are in the investigation file', async () => {
    const page = await e2e.pageAs('drafter@fr.demo', casePath);
    await page.getByTestId('case-linked').waitFor();
    await page.getByTestId('case-draft-follow-up').click();
    await page.getByRole('heading', { level: 1, name: 'New request' }).waitFor();
    assert.equal(await page.getByLabel('Requested authority').inputValue(), 'us-247');
    await page.getByRole('checkbox', { name: 'Subscriber information', exact: true }).check();
    await page.getByLabel(/^Facts demonstrating the emergency/).fill('A hospital is being extorted now; the subscriber behind the account must be identified today.');
    await page.getByRole('button', { name: 'Next' }).click();
    const basis = page.getByTestId('wizard-basis-ETS185:35(1)(c)');
    await basis.waitFor();
    await basis.getByRole('radio').check();
    await page.getByRole('button', { name: 'Next' }).click();
    assert.equal(await page.getByTestId('wizard-reference-follows').inputValue(), caseReference);
    assert.equal(await page.getByLabel('Your reference').inputValue(), OWN);
    await page.getByLabel('Offence category').selectOption('illegal-access');
    await page.getByLabel('National provision').fill('Code pénal, art. 323-1 and art. 312-1');
    await page.getByRole('textbox', { name: /^Summary of the facts/ }).fill('Since 3 November 2026 an intruder has been extorting a Paris hospital from a webmail account hosted in the United States.');
    const identifier = page.getByTestId('wizard-identifier-0');
    await identifier.getByLabel('Type').selectOption('email');
    await identifier.getByLabel('E-mail address').fill('attacker@mail.demo.invalid');
    await page.getByRole('checkbox', { name: 'Subscriber information', exact: true }).check();
    await page.getByLabel('Purpose').fill(`Criminal investigation ${OWN} (extortion of a hospital).`);
    await page.getByLabel('Retention (days)').fill('365');
    await page.getByRole('button', { name: 'Save draft' }).click();
    const saved = page.getByTestId('wizard-saved');
    await saved.or(page.getByTestId('wizard-errors')).or(page.locator('.alert-error')).first().waitFor();
    if (!(await saved.isVisible())) assert.fail(`saving failed: ${await page.locator('main').innerText()}`);
    await saved.getByRole('link', { name: 'Open the case' }).click();
    const file = page.getByTestId('case-linked');
    await file.waitFor();
    const refs = await file.getByTestId('linked-request').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-reference')));
    assert.equal(refs.length, 2);
    assert.equal(refs[0], caseReference);
    await file.getByText(`follows ${caseReference}`).waitFor();
    await e2e.shot(page, 'investigation-file');
    await noViolation(e2e, page, 'case: investigation file');
    await page.close();
    assert.deepEqual(e2e.pageErrors, [], 'no uncaught error in any page');
  });
});
