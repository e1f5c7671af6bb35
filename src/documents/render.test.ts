/**
 * Every form printed from generated cases — 20,000-character facts, names in Latin, Greek,
 * Cyrillic, Arabic, Chinese and Japanese, 44 identifiers — and read back with poppler: as many
 * pages as pages with content, every name and reference extracted exactly, the signature valid,
 * and one changed byte enough to invalidate it.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadKnowledgeBase } from '../law/index.js';
import { issueCertificate } from './certificate.js';
import { MIXED_REFERENCE, NAMES, generatedCase } from './fixtures.js';
import { buildDocument } from './forms/index.js';
import { FORM_IDS } from './model.js';
import { signPlaceholder } from './pades.js';
import { overlappingWords, pageCount, pageTexts, popplerSkipReason, signatureReport } from './poppler.js';
import { renderDocument } from './render.js';

const kb = loadKnowledgeBase();
const issuedAt = new Date('2026-12-01T09:30:00Z');
const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const subject = { commonName: 'France — Ministère de la Justice', country: 'FR', authorityId: 'fr-ca', node: 'comity.test' };
const certificate = issueCertificate({ subject, publicKeyDer: pair.publicKey.export({ type: 'spki', format: 'der' }), privateKey: pair.privateKey, keyId: 'test-key', notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2031-01-01T00:00:00Z') });
const person = { name: 'Claire Martin', email: 'claire.martin@justice.demo.invalid', phone: '+33 1 44 77 60 60' };

async function signedDocument(form: (typeof FORM_IDS)[number], language: string) {
  const c = generatedCase(form, { language });
  const issuer = form === 'eu-annex-iii' ? c.addressee : c.requesting;
  const model = buildDocument(form, { ...c, kb, personInCharge: person, issuer, issuedAt, language, node: 'comity.test' });
  const unsigned = await renderDocument(model, { issuedAt, signatureField: { signerName: issuer.name, reason: model.title, location: 'comity.test', contactInfo: person.email, signedAt: issuedAt } });
  return { model, c, pdf: signPlaceholder(unsigned, certificate, pair.privateKey) };
}

describe('documents read back with poppler', { skip: popplerSkipReason() }, () => {
  for (const form of FORM_IDS) {
    for (const language of ['en', 'fr']) {
      it(`${form} (${language}): no blank page, every name and reference exact, page numbers right, signature valid`, async () => {
        const { pdf, model, c } = await signedDocument(form, language);
        const pages = pageTexts(pdf);
        assert.equal(pages.length, pageCount(pdf));
        const page = language === 'fr' ? 'sur' : 'of';
        pages.forEach((text, i) => {
          // Header and footer alone are not content: strip them and something must remain.
          const body = text.replace(model.reference, '').replace(`Page ${i + 1} ${page} ${pages.length}`, '').replace(/^.*?— .*?(…|\n)/, '').trim();
          assert.ok(body.length > 40, `page ${i + 1} of ${pages.length} is blank`);
          assert.ok(text.includes(`Page ${i + 1} ${page} ${pages.length}`), `page ${i + 1}: footer page number`);
          assert.ok(text.includes(model.reference), `page ${i + 1}: footer reference`);
        });
        assert.deepEqual(overlappingWords(pdf).slice(0, 5), [], 'no text printed over other text');
        const all = pages.join(' ');
        // Every name the form carries (each form prints the fields it has) is extracted exactly.
        const printed = JSON.stringify(model);
        const names = Object.values(NAMES).filter((name) => printed.includes(name));
        assert.ok(names.length >= 2, 'the generated case puts names in the form');
        for (const name of names) assert.ok(all.includes(name), `${name} not extracted`);
        assert.ok(all.includes(MIXED_REFERENCE), 'mixed-script reference not extracted');
        if (form !== 'epoc' && form !== 'eu-annex-iii') {
          // The 20,000 characters of facts flow over pages: their last words are printed too.
          const facts = c.detail.request?.facts ?? '';
          assert.ok(all.includes(facts.slice(-60).replace(/\s+/g, ' ').trim()), 'end of the facts missing');
        }
        const report = signatureReport(pdf);
        assert.ok(report.valid, report.output);
        assert.match(report.output, /Signer full Distinguished Name: CN=France — Ministère de la Justice,OU=fr-ca,O=Comity node comity.test,C=FR/);
        // One changed byte of the signed content (a text stream) invalidates the signature.
        const tampered = Buffer.from(pdf);
        const at = tampered.indexOf('stream', 2000);
        tampered[at + 20] = (tampered[at + 20] ?? 0) ^ 0x01;
        assert.equal(signatureReport(tampered).valid, false);
      });
    }
  }

  it('the same input prints the same unsigned bytes on every run (fonts from npm, fixed dates)', async () => {
    const c = generatedCase('letter', { facts: 'A short statement of facts for the determinism check.' });
    const input = { ...c, kb, personInCharge: person, issuer: c.requesting, issuedAt, language: 'en', node: 'comity.test' };
    const [a, b] = await Promise.all([renderDocument(buildDocument('letter', input), { issuedAt }), renderDocument(buildDocument('letter', input), { issuedAt })]);
    assert.ok(a.equals(b));
  });
});
