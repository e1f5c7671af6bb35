/**
 * @module test/e2e/eorder-form
 * Fills the new-order form as the Paris investigating judge's clerk does in the e-Evidence
 * journeys: an EPOC for the content data of one e-mail account, the ransomware offence, necessity
 * and the residence test (offence committed in the issuing State). The provider and anything a
 * journey checks on the form are left to the caller.
 */
import type { Page } from 'playwright-core';

export async function fillContentDataEpoc(page: Page, fileReference: string, options: { annexIV?: boolean } = {}): Promise<void> {
  await page.getByLabel('Kind of issuing authority').selectOption('investigating-judge');
  await page.getByLabel('Issuing authority', { exact: true }).fill('Juge d’instruction, Tribunal judiciaire de Paris (pôle cyber)');
  await page.getByLabel('File reference').fill(fileReference);
  await page.getByRole('checkbox', { name: 'Content data', exact: true }).check();
  await page.getByLabel('Identifier type').selectOption('email');
  await page.getByLabel('Identifier', { exact: true }).fill('attacker@mail.demo.invalid');
  await page.getByLabel('From', { exact: true }).fill('2026-10-01');
  await page.getByLabel('To', { exact: true }).fill('2026-11-10');
  await page.getByLabel('Offence', { exact: true }).fill('Ransomware attack on a Paris hospital; the account received the exfiltrated patient records.');
  await page.getByLabel('Legal provision').fill('Code pénal, art. 323-1 et 323-3');
  await page.getByLabel('Maximum penalty (years)').fill('5');
  if (options.annexIV) await page.getByRole('checkbox', { name: 'Offence listed in Annex IV' }).check();
  await page.getByLabel('Necessity and proportionality (Art. 5(2))').fill('The content of the account is needed to identify the perpetrators; a similar order could be issued in a similar domestic case.');
  await page.getByRole('checkbox', { name: /committed in the issuing State/ }).check();
}
