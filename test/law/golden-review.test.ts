/**
 * Golden scenarios of the knowledge-base review of 2 December 2026 (issues 14, 15 and 16): each
 * states the question, the answer a careful central-authority lawyer gives, and the paragraph
 * that decides it. The expected answers come from the texts recorded in the project's legal
 * reference (shared/reference/law.md §9, shared/data/reservations.csv, treaty-status.csv) and
 * the issues — not from running the engine.
 *
 * Hypothetical scenarios (CETS 224 in force) change only participation rows; the rule is the same.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BasesFinder,
  computeDeadlines,
  loadKnowledgeBase,
  mayIssue,
  mayValidate,
  partyProfile,
  type ApplicableBasis,
  type BasesQuery,
  type BasesResult,
  type InstrumentId,
  type KnowledgeBase,
} from '../../src/law/index.js';

const kb = loadKnowledgeBase();
const finder = new BasesFinder(kb);
const DATE = '2026-12-01';

function find(query: Partial<BasesQuery> & Pick<BasesQuery, 'from' | 'to' | 'measure'>, using: BasesFinder = finder): BasesResult {
  return using.find({ date: DATE, emergency: false, ...query });
}

function ids(result: BasesResult): string[] {
  return result.applicable.map((b) => b.provision);
}

function basis(result: BasesResult, provision: string): ApplicableBasis {
  const found = result.applicable.find((b) => b.provision === provision);
  assert.ok(found, `${provision} should be applicable; applicable: ${JSON.stringify(ids(result))}`);
  return found;
}

function reasons(result: BasesResult, instrument: InstrumentId): string[] {
  return result.notApplicable.filter((n) => n.instrument === instrument).map((n) => n.reason);
}

function assertNotApplicable(result: BasesResult, instrument: InstrumentId, fragment: string): void {
  assert.ok(!result.applicable.some((b) => b.instrument === instrument), `${instrument} should not apply: ${JSON.stringify(ids(result))}`);
  const why = reasons(result, instrument);
  assert.ok(why.some((r) => r.includes(fragment)), `a reason for ${instrument} should mention ${JSON.stringify(fragment)}: ${JSON.stringify(why)}`);
}

const grounds = (b: ApplicableBasis): string[] => b.refusalGrounds.map((g) => g.ground);

// --- A hypothetical knowledge base: CETS 224 in force (France and Germany consent in 2026) ----
let scratch: string | null = null;
after(() => {
  if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
});

function cets224InForce(): KnowledgeBase {
  scratch ??= mkdtempSync(join(tmpdir(), 'comity-golden-review-'));
  const dir = join(scratch, 'cets224');
  mkdirSync(dir, { recursive: true });
  const csv = readFileSync(new URL('../../src/law/data/participation.csv', import.meta.url), 'utf8').replace(/\n$/, '');
  const rows = [
    'FR,France,CETS224,ratification,2026-03-01,https://example.org/golden-hypothetical,hypothetical',
    'DE,Germany,CETS224,ratification,2026-04-15,https://example.org/golden-hypothetical,hypothetical',
  ];
  writeFileSync(join(dir, 'participation.csv'), [csv, ...rows].join('\n') + '\n');
  return loadKnowledgeBase({ dataDir: dir });
}

interface Scenario {
  name: string;
  question: string;
  expected: string;
  decidedBy: string;
  check: () => void;
}

const scenarios: Scenario[] = [
  // ----- Reservations in time ----------------------------------------------------------------
  {
    name: 'RES-01 DE→AT preservation for fraud: Austria’s Art. 29(4) reservation gives a dual-criminality ground, cited with its period',
    question: 'Can Austria refuse a German preservation request in a fraud case because the conduct is not an offence in Austria?',
    expected: 'Yes: Austria reserved the right (Art. 29(4)) since 2012-10-01; fraud is not an offence established under Arts 2-11 in this category, so the ground is available under Arts 29 and 35(1)(b), and the answer cites the reservation.',
    decidedBy: 'Budapest Art. 29(4); Austria’s reservation (CoE treaty office, period 01/10/2012 -)',
    check: () => {
      const result = find({ from: 'DE', to: 'AT', measure: 'preservation', offence: 'any-offence' });
      for (const id of ['ETS185:29', 'ETS185:35(1)(b)']) {
        const b = basis(result, id);
        assert.ok(grounds(b).includes('dual-criminality'), id);
        const cited = b.reservations.find((r) => r.party === 'AT' && r.id === 'ETS185-29(4)');
        assert.ok(cited, `${id} cites AT's reservation`);
        assert.equal(cited.period, 'since 2012-10-01');
        assert.equal(cited.citation.paragraph, '4');
      }
    },
  },
  {
    name: 'RES-02 DE→AT preservation for illegal access: the Art. 29(4) ground does not reach offences established under Arts 2-11',
    question: 'Does Austria’s reservation let it refuse preservation in an illegal-access case for lack of dual criminality?',
    expected: 'No: Art. 29(4) covers only offences other than those established under Arts 2-11; illegal access is Art. 2.',
    decidedBy: 'Budapest Art. 29(4) ("other than those established in accordance with Articles 2 through 11")',
    check: () => {
      const b = basis(find({ from: 'DE', to: 'AT', measure: 'preservation', offence: 'illegal-access' }), 'ETS185:29');
      assert.ok(!grounds(b).includes('dual-criminality'));
      assert.deepEqual(b.reservations, []);
    },
  },
  {
    name: 'RES-03 Czechia’s Art. 29(4) reservation applied from 2013-12-01 and no longer from 2019-07-05 (its withdrawal)',
    question: 'Could Czechia refuse preservation for lack of dual criminality on 4 July 2019? On 5 July 2019?',
    expected: 'On 4 July 2019 yes (reservation in force 2013-12-01 – 2019-07-05); on 5 July 2019 no: a withdrawal takes effect on the date the Secretary General receives it.',
    decidedBy: 'Budapest Arts 29(4), 43(1); CoE treaty office page for the Czech Republic (01/12/2013 - 05/07/2019)',
    check: () => {
      const before = basis(find({ from: 'DE', to: 'CZ', measure: 'preservation', offence: 'any-offence', date: '2019-07-04' }), 'ETS185:29');
      assert.ok(grounds(before).includes('dual-criminality'));
      assert.equal(before.reservations[0]?.period, '2013-12-01 – 2019-07-05 (withdrawn)');
      const after = basis(find({ from: 'DE', to: 'CZ', measure: 'preservation', offence: 'any-offence', date: '2019-07-05' }), 'ETS185:29');
      assert.ok(!grounds(after).includes('dual-criminality'));
      assert.deepEqual(after.reservations, []);
    },
  },
  {
    name: 'RES-04 Japan’s CETS 224 Art. 7 reservation excludes direct disclosure once the Protocol is in force, cited with its unknown date’s bound',
    question: 'If CETS 224 were in force, could France order a provider in Japan to disclose subscriber information directly (Art. 7)?',
    expected: 'No: Japan reserved the right not to apply Art. 7 (Art. 7(9)(a)); the reservation’s own date is not recorded, but it cannot predate Japan’s acceptance of 2023-08-10. Art. 8 (giving effect to orders) remains.',
    decidedBy: 'CETS 224 Arts 7(9)(a), 19(1); Japan’s reservation (Dutch treaty database)',
    check: () => {
      const hypothetical = new BasesFinder(cets224InForce());
      const result = find({ from: 'FR', to: 'JP', measure: 'subscriber-info' }, hypothetical);
      const excluded = result.notApplicable.find((n) => n.instrument === 'CETS224' && n.article === '7');
      assert.ok(excluded?.reservation, JSON.stringify(result.notApplicable.filter((n) => n.instrument === 'CETS224')));
      assert.equal(excluded.reservation.id, 'CETS224-7(9)(a)');
      assert.equal(excluded.reservation.period, 'date unknown, not before 2023-08-10');
      assert.ok(excluded.reason.includes('CETS224-7(9)(a)'));
      basis(result, 'CETS224:8');
    },
  },
  {
    name: 'RES-05 FR→FI real-time traffic data: Finland’s Art. 14(3)(a) and (b) reservations limit Art. 33 and are cited',
    question: 'What must France check before asking Finland for real-time collection of traffic data under Budapest Art. 33?',
    expected: 'Finland applies Art. 20 only to listed offences and those punishable by at least four years, and not to closed user-group systems; Art. 33(2) ties assistance to domestic availability, so both reservations are shown as conditions to check, with their source.',
    decidedBy: 'Budapest Arts 14(3)(a)-(b), 33(2); Finnish treaty series SopS 61/2007',
    check: () => {
      const b = basis(find({ from: 'FR', to: 'FI', measure: 'realtime-traffic' }), 'ETS185:33');
      assert.deepEqual(
        b.reservations.map((r) => [r.id, r.effect]),
        [
          ['ETS185-14(3)(a)', 'limits'],
          ['ETS185-14(3)(b)', 'limits'],
        ],
      );
      assert.ok(b.conditions.some((c) => c.state === 'to-check' && c.citation.source.includes('finlex.fi')));
      assert.deepEqual(basis(find({ from: 'FR', to: 'DE', measure: 'realtime-traffic' }), 'ETS185:33').reservations, []);
    },
  },
  {
    name: 'RES-06 Czechia’s profile lists its withdrawn reservation with its period, not applying today',
    question: 'What does Czechia’s party profile show about its Budapest reservations on 1 December 2026?',
    expected: 'The Art. 29(4) reservation, 2013-12-01 – 2019-07-05 (withdrawn), marked as not applying on that date.',
    decidedBy: 'Budapest Art. 43(1)',
    check: () => {
      const profile = partyProfile(kb, finder.index, 'CZ', DATE);
      const budapest = profile.instruments.find((i) => i.instrument === 'ETS185');
      const r = budapest?.reservations.find((x) => x.id === 'ETS185-29(4)');
      assert.ok(r);
      assert.equal(r.from, '2013-12-01');
      assert.equal(r.until, '2019-07-05');
      assert.equal(r.applies, false);
      assert.equal(partyProfile(kb, finder.index, 'CZ', '2015-01-01').instruments.find((i) => i.instrument === 'ETS185')?.reservations[0]?.applies, true);
    },
  },
  // ----- Undated facts --------------------------------------------------------------------------
  {
    name: 'UND-01 Qatar is not shown bound by the UN Convention in June 2025, months before it opened for signature',
    question: 'What is Qatar’s status under the UN Convention on 1 June 2025? On 1 December 2026?',
    expected: 'June 2025: none (the Convention opened for signature on 25 October 2025, Art. 64). December 2026: reported consent of unknown date (not before 2025-10-25), unverified.',
    decidedBy: 'UNCC Art. 64; treaty-status.csv (Qatar ratification UNCONFIRMED)',
    check: () => {
      assert.equal(finder.index.partyStatus('QA', 'UNCC', '2025-06-01').status, 'none');
      const now = finder.index.partyStatus('QA', 'UNCC', DATE);
      assert.equal(now.status, 'consented');
      assert.equal(now.verified, false);
      assert.equal(now.consent?.notBefore, '2025-10-25');
    },
  },
  {
    name: 'UND-02 On 30 June 2004 five consents count toward the Budapest threshold, not 23',
    question: 'How many consents count toward the Budapest Convention’s threshold on 30 June 2004?',
    expected: 'Five dated consents (AL, HR, EE, HU, LT); undated consents reported only by later sources (the CoE notification of 1 June 2011, lists of 2015) are not counted before those dates.',
    decidedBy: 'Budapest Art. 36(3); law.md §9 (undated rows are never "before any date")',
    check: () => {
      const status = finder.index.instrumentStatus('ETS185', '2004-06-30');
      assert.equal(status.counted, 5);
      assert.ok(status.consents.length < 23, `${status.consents.length} consents listed`);
      for (const c of status.consents.filter((x) => x.date === null)) assert.ok(c.notBefore !== null && c.notBefore <= '2004-06-30', c.party);
      assert.ok(!status.consents.some((c) => c.party === 'NO' || c.party === 'PT'));
    },
  },
  {
    name: 'UND-03 The Netherlands is bound by Budapest from 2007-03-01, not in 2005',
    question: 'Is the Netherlands bound by the Budapest Convention on 1 June 2005?',
    expected: 'No: it consented on 2006-11-16 and is bound from 2007-03-01 (Finnish treaty series SopS 59/2007); in 2005 it had not consented (its signature is not recorded in the data).',
    decidedBy: 'Budapest Art. 36(4); treaty-status.csv (NL rows)',
    check: () => {
      assert.ok(!['in-force', 'consented'].includes(finder.index.partyStatus('NL', 'ETS185', '2005-06-01').status));
      assertNotApplicable(find({ from: 'AL', to: 'NL', measure: 'preservation', date: '2005-06-01' }), 'ETS185', 'NL');
      const bound = finder.index.partyStatus('NL', 'ETS185', '2007-03-01');
      assert.equal(bound.status, 'in-force');
      assert.equal(bound.verified, true);
    },
  },
  {
    name: 'UND-04 San Marino is a Budapest Party since 2019-07-01',
    question: 'Is San Marino a Party to the Budapest Convention on 1 December 2026?',
    expected: 'Yes, ratified 2019-03-08, in force for it 2019-07-01 (Luxembourg official journal notice of the CoE notification).',
    decidedBy: 'Budapest Art. 36(4); treaty-status.csv (SM rows)',
    check: () => {
      const s = finder.index.partyStatus('SM', 'ETS185', DATE);
      assert.equal(s.status, 'in-force');
      assert.equal(s.entryIntoForce, '2019-07-01');
      assert.equal(s.verified, true);
      assert.equal(finder.index.partyStatus('SM', 'ETS185', '2019-06-30').status, 'consented');
      basis(find({ from: 'FR', to: 'SM', measure: 'preservation' }), 'ETS185:29');
    },
  },
  {
    name: 'UND-05 The UN Convention: 0 of 40 instruments counted, 3 reported without a confirmed date',
    question: 'How many instruments count toward the UN Convention’s 40 on 1 December 2026?',
    expected: 'None confirmed by a depositary record: 0 of 40; Qatar, Viet Nam and Azerbaijan are reported by secondary sources without a date and are not counted.',
    decidedBy: 'UNCC Art. 65(1); treaty-status.md ("Count toward 40: 0 confirmed")',
    check: () => {
      const s = finder.index.instrumentStatus('UNCC', DATE);
      assert.equal(s.counted, 0);
      assert.equal(s.unconfirmed, 3);
      assertNotApplicable(find({ from: 'FR', to: 'AU', measure: 'preservation' }), 'UNCC', '0 of 40 consents (3 more reported without a confirmed date, not counted)');
    },
  },
  // ----- European Investigation Order -----------------------------------------------------------
  {
    name: 'EIO-01 FR→DE subscriber identification: no refusal for dual criminality or the offence threshold',
    question: 'May Germany refuse an EIO identifying the holder of an IP address for lack of dual criminality?',
    expected: 'No: identifying persons holding a subscription of a specified phone number or IP address is a measure that must always be available (Art. 10(2)(e)); Art. 11(1)(g) and (h) do not apply to it (Art. 11(2)).',
    decidedBy: 'Dir. 2014/41 Arts 10(2)(e), 11(2)',
    check: () => {
      for (const measure of ['subscriber-info', 'identification-data'] as const) {
        const b = basis(find({ from: 'FR', to: 'DE', measure }), 'EU-2014-41:1');
        assert.ok(!grounds(b).includes('dual-criminality') && !grounds(b).includes('offence-threshold'), measure);
        assert.equal(b.dualCriminality.rule, 'not-applicable');
        assert.equal(b.dualCriminality.citation.paragraph, '2');
      }
      const traffic = basis(find({ from: 'FR', to: 'DE', measure: 'traffic-data' }), 'EU-2014-41:1');
      assert.ok(grounds(traffic).includes('dual-criminality') && grounds(traffic).includes('offence-threshold'));
    },
  },
  {
    name: 'EIO-02 FR→DE hearing by videoconference: the Art. 24(2) grounds, not (g) or (h)',
    question: 'On what grounds may Germany refuse an EIO for a hearing by videoconference?',
    expected: 'The Art. 11 grounds other than (g) and (h) (a hearing is an Art. 10(2)(c) measure), plus Art. 24(2): the suspected or accused person does not consent, or it would be contrary to fundamental principles of German law.',
    decidedBy: 'Dir. 2014/41 Arts 10(2)(c), 11(2), 24(2)',
    check: () => {
      const b = basis(find({ from: 'FR', to: 'DE', measure: 'video-conference' }), 'EU-2014-41:24');
      assert.ok(grounds(b).includes('no-consent') && grounds(b).includes('fundamental-principles'));
      assert.ok(!grounds(b).includes('dual-criminality') && !grounds(b).includes('offence-threshold'));
    },
  },
  {
    name: 'EIO-03 Interception without technical assistance: Art. 31 notification, 96 hours to object (unverified)',
    question: 'France intercepts a target who travels to Germany; Germany’s technical assistance is not needed. What must France do?',
    expected: 'Notify Germany with Annex C; Germany may answer within 96 hours that the interception may not be carried out or must end (the 96 hours are not read in the official text).',
    decidedBy: 'Dir. 2014/41 Art. 31(1), (3); Annex C',
    check: () => {
      const b = basis(find({ from: 'FR', to: 'DE', measure: 'interception' }), 'EU-2014-41:31');
      const objection = b.deadlines.find((d) => d.id === 'eio-interception-objection');
      assert.ok(objection);
      assert.deepEqual([objection.amount, objection.unit, objection.runsFrom, objection.citation.verified], [96, 'hours', 'notification', false]);
    },
  },
  {
    name: 'EIO-04 In an emergency the EIO shows Art. 12(2) (a shorter deadline or a specific date); not otherwise',
    question: 'What does the EIO offer an urgent French request for traffic data to Germany?',
    expected: 'The issuing authority may indicate a shorter deadline or a specific date, with reasons; the executing authority takes it into account as fully as possible.',
    decidedBy: 'Dir. 2014/41 Art. 12(2)',
    check: () => {
      const urgent = basis(find({ from: 'FR', to: 'DE', measure: 'traffic-data', emergency: true }), 'EU-2014-41:1');
      assert.ok(urgent.conditions.some((c) => c.citation.article === '12' && c.citation.paragraph === '2'));
      const ordinary = basis(find({ from: 'FR', to: 'DE', measure: 'traffic-data' }), 'EU-2014-41:1');
      assert.ok(!ordinary.conditions.some((c) => c.citation.article === '12'));
    },
  },
  // ----- Budapest: 24/7 network, urgent transmission, Arts 28, 29, 31, 32 -----------------------
  {
    name: 'BUD-01 FR→US emergency subscriber information: the 24/7 network (Art. 35(1)(c)) first, then urgent transmission (Art. 25(3))',
    question: 'In an emergency, how does France obtain subscriber information from the United States?',
    expected: 'Through the 24/7 network (Art. 35(1)(c): collection of evidence), ranked first and addressed to the 24/7 point of contact; then an urgent request by fax or e-mail (Art. 25(3)) to the central authority; then ordinary Art. 31.',
    decidedBy: 'Budapest Arts 25(3), 31, 35(1)(c); issue 16 (24/7 routes rank first in an emergency)',
    check: () => {
      const result = find({ from: 'FR', to: 'US', measure: 'subscriber-info', emergency: true });
      assert.deepEqual(ids(result).slice(0, 3), ['ETS185:35(1)(c)', 'ETS185:25(3)', 'ETS185:31']);
      assert.deepEqual(basis(result, 'ETS185:35(1)(c)').addressees, ['24/7-point-of-contact']);
      assert.deepEqual(basis(result, 'ETS185:25(3)').addressees, ['central-authority']);
    },
  },
  {
    name: 'BUD-02 Outside an emergency Art. 25(3) does not apply; Art. 35(1)(c) still does',
    question: 'Without urgency, can France use the urgent-transmission rule for subscriber information from the US?',
    expected: 'No: Art. 25(3) is for urgent circumstances; the 24/7 network still assists in collecting evidence (Art. 35(1)(c)).',
    decidedBy: 'Budapest Arts 25(3), 35(1)(c)',
    check: () => {
      const result = find({ from: 'FR', to: 'US', measure: 'subscriber-info' });
      basis(result, 'ETS185:35(1)(c)');
      assert.ok(result.notApplicable.some((n) => n.article === '25(3)' && n.reason.includes('only in an emergency')));
    },
  },
  {
    name: 'BUD-03 Trans-border access with consent or to public data: no request needed (Art. 32), with its conditions',
    question: 'Does France need to ask the United States for data that the account holder consents to disclose?',
    expected: 'No request is needed: Art. 32(b) (lawful and voluntary consent of the person with lawful authority, accessed through a system in France) or 32(a) (publicly available data). It is listed apart from the bases for a request.',
    decidedBy: 'Budapest Art. 32',
    check: () => {
      const result = find({ from: 'FR', to: 'US', measure: 'content-data' });
      assert.ok(!ids(result).includes('ETS185:32'));
      const art32 = result.noRequestNeeded.find((b) => b.provision === 'ETS185:32');
      assert.ok(art32);
      assert.deepEqual(art32.addressees, ['none']);
      assert.deepEqual(
        art32.conditions.map((c) => c.citation.paragraph),
        ['a', 'b'],
      );
    },
  },
  {
    name: 'BUD-04 Art. 29: the 60 days run from when preservation is effected; the Art. 29(6) notice is shown',
    question: 'From when do the 60 days of Art. 29(7) run, and what if preservation will not suffice?',
    expected: 'From when preservation is effected (a later event than receipt); if preservation will not ensure availability or would prejudice the investigation, the requested Party informs the requesting Party, which decides whether to go ahead (Art. 29(6)).',
    decidedBy: 'Budapest Art. 29(6), 29(7)',
    check: () => {
      const deadlines = computeDeadlines(kb, { instrument: 'ETS185', measure: 'preservation', received: '2026-12-01T09:00:00+01:00', emergency: false, timeZone: 'Europe/Paris' });
      const effected = deadlines.later.find((d) => d.id === 'preservation-minimum-effected');
      assert.ok(effected);
      assert.equal(effected.runsFrom, 'preservation-effected');
      assert.equal(effected.citation.paragraph, '7');
      assert.ok(basis(find({ from: 'FR', to: 'US', measure: 'preservation' }), 'ETS185:29').conditions.some((c) => c.citation.paragraph === '6'));
    },
  },
  {
    name: 'BUD-05 Art. 31 has no list of required contents: the T-CY template items are recommended, not required; Art. 28 is shown',
    question: 'Must an Art. 31 request follow the T-CY template?',
    expected: 'No: contents follow the requested Party’s law and the applicable treaties (Arts 25(4), 27); the template is a non-binding model. Absent a treaty (FR→GH: none recorded), the requested Party may attach confidentiality or use limits (Art. 28); with one (FR→US) Art. 28 does not apply.',
    decidedBy: 'Budapest Arts 25(4), 27(1), 28, 31; T-CY(2018)10',
    check: () => {
      const withTreaty = basis(find({ from: 'FR', to: 'US', measure: 'subscriber-info' }), 'ETS185:31');
      assert.ok(!withTreaty.conditions.some((c) => c.citation.article === '28'), 'Art. 28 applies only absent a treaty');
      const b = basis(find({ from: 'FR', to: 'GH', measure: 'subscriber-info' }), 'ETS185:31');
      assert.ok(b.requiredContents.length > 0);
      for (const e of b.requiredContents) {
        assert.equal(e.basis, 'model', e.id);
        assert.equal(e.optional, true, e.id);
      }
      assert.ok(b.conditions.some((c) => c.citation.article === '28'), 'Art. 28 shown FR→GH');
    },
  },
  // ----- Other mutual legal assistance instruments; reciprocity ----------------------------------
  {
    name: 'MLA-01 FR→IE preservation before the e-Evidence Regulation applied: the 1959 European MLA Convention',
    question: 'On 1 June 2025, on what basis can France ask Ireland to preserve data?',
    expected: 'Not Budapest (Ireland only signed), not the EIO (Ireland does not take part), not Reg. 2023/1543 (applies from 2026-08-18): a letter rogatory under the European Convention on Mutual Assistance in Criminal Matters (ETS 30), both being Parties (dates not recorded: unverified).',
    decidedBy: 'ETS 30 Art. 3; Budapest Art. 39',
    check: () => {
      const result = find({ from: 'FR', to: 'IE', measure: 'preservation', date: '2025-06-01' });
      const b = basis(result, 'ETS30:3');
      assert.equal(b.verified, false);
      assertNotApplicable(result, 'EU-2023-1543', 'applies from 2026-08-18');
      assertNotApplicable(result, 'ETS185', 'IE signed');
      assert.equal(result.fallback, null);
    },
  },
  {
    name: 'MLA-02 FR→US: the bilateral MLA treaty applies from 2001-12-01, not before',
    question: 'Is the France–United States MLA treaty a basis on 30 November 2001? On 1 December 2026?',
    expected: 'Signed 10 December 1998, in force 1 December 2001: not on 30 November 2001; yes in 2026, through the central authorities.',
    decidedBy: 'France–US MLA Treaty (final clauses); issue 15',
    check: () => {
      assertNotApplicable(find({ from: 'FR', to: 'US', measure: 'content-data', date: '2001-11-30' }), 'FR-US-MLAT', 'in force from 2001-12-01');
      assert.equal(basis(find({ from: 'FR', to: 'US', measure: 'content-data' }), 'FR-US-MLAT:1').channel, 'central-authority');
    },
  },
  {
    name: 'MLA-03 The EU–US MLA Agreement runs between the United States and a member State, never between two member States',
    question: 'Does the EU–US MLA Agreement apply DE→US? FR→DE?',
    expected: 'DE→US yes (in force 2010-02-01); FR→DE no: both are on the EU side.',
    decidedBy: 'EU–US MLA Agreement Art. 3',
    check: () => {
      basis(find({ from: 'DE', to: 'US', measure: 'traffic-data' }), 'EU-US-MLA:7');
      assertNotApplicable(find({ from: 'FR', to: 'DE', measure: 'traffic-data' }), 'EU-US-MLA', 'same side');
      assertNotApplicable(find({ from: 'DE', to: 'US', measure: 'traffic-data', date: '2009-12-01' }), 'EU-US-MLA', 'in force from 2010-02-01');
    },
  },
  {
    name: 'MLA-04 Between member States bound by the EIO, the 1959 Convention is replaced',
    question: 'Can Germany send Austria a letter rogatory under ETS 30 for stored data in 2026?',
    expected: 'No: between member States bound by it, the EIO Directive replaces the corresponding provisions of the 1959 Convention (Art. 34(1)).',
    decidedBy: 'Dir. 2014/41 Art. 34(1)',
    check: () => {
      assertNotApplicable(find({ from: 'DE', to: 'AT', measure: 'content-data' }), 'ETS30', 'replaced between DE and AT by EU-2014-41');
      basis(find({ from: 'DE', to: 'AT', measure: 'content-data', date: '2016-01-01' }), 'ETS30:3');
    },
  },
  {
    name: 'MLA-05 ETS 182: who is bound is not recorded, and the answer says so instead of "not a party"',
    question: 'Does the Second Protocol to the MLA Convention apply FR→DK?',
    expected: 'Unknown from Comity’s data: check the treaty office; it is not presented as "not a party".',
    decidedBy: 'ETS 182 (participation not recorded)',
    check: () => {
      assertNotApplicable(find({ from: 'FR', to: 'DK', measure: 'content-data' }), 'ETS182', 'not recorded');
    },
  },
  {
    name: 'REC-01 No instrument applies: a letter rogatory on the basis of reciprocity, with no obligation to execute',
    question: 'France needs data preserved in North Korea: what does the engine answer?',
    expected: 'No instrument applies; a letter rogatory can still be sent on the basis of reciprocity (comity) through diplomatic or central-authority channels, which the requested State has no obligation to execute.',
    decidedBy: 'Budapest Arts 23, 39; international comity',
    check: () => {
      const result = find({ from: 'FR', to: 'KP', measure: 'preservation' });
      assert.deepEqual(ids(result), []);
      assert.ok(result.fallback);
      assert.match(result.fallback.text, /reciprocity/);
      assert.match(result.fallback.obligation, /^none/);
      assert.equal(find({ from: 'FR', to: 'US', measure: 'preservation' }).fallback, null);
    },
  },
  {
    name: 'OFF-01 "Any other criminal offence": co-operation covers it under the general rules',
    question: 'A German homicide investigation needs data preserved in Austria: which rules apply?',
    expected: 'Budapest Art. 29 applies (evidence in electronic form of any criminal offence, Arts 14(2)(c), 23, 25); the offence is not one of Arts 2-11, so Austria’s Art. 29(4) ground is available; the First Protocol, limited to its own offences, does not apply.',
    decidedBy: 'Budapest Arts 14(2)(c), 23, 25(1), 29(4); ETS 189 Art. 8',
    check: () => {
      const result = find({ from: 'DE', to: 'AT', measure: 'preservation', offence: 'any-offence' });
      assert.ok(grounds(basis(result, 'ETS185:29')).includes('dual-criminality'));
      assert.ok(!ids(result).some((id) => id.startsWith('ETS189')));
    },
  },
  // ----- Reg. 2023/1543: representative, identification data, Art. 4 ------------------------------
  {
    name: 'REP-01 A French order to a US provider’s legal representative in Ireland is an EU order; in Denmark it is not',
    question: 'Can a French judge use Reg. 2023/1543 for subscriber data held by a US provider whose legal representative is in Ireland? In Denmark?',
    expected: 'Ireland: yes, the Regulation is addressed to the representative in a member State bound by it, wherever the provider is established. Denmark: no, Denmark is not bound.',
    decidedBy: 'Reg. 2023/1543 Arts 1, 3, 7; Directive (EU) 2023/1544',
    check: () => {
      const ie = basis(find({ from: 'FR', to: 'US', measure: 'subscriber-info', providerRep: 'IE' }), 'EU-2023-1543:5(3)');
      assert.equal(ie.requested.party, 'IE');
      assert.deepEqual(ie.addressees, ['service-provider']);
      assertNotApplicable(find({ from: 'FR', to: 'US', measure: 'subscriber-info', providerRep: 'DK' }), 'EU-2023-1543', 'legal representative or designated establishment is in DK');
      assertNotApplicable(find({ from: 'FR', to: 'US', measure: 'subscriber-info', providerRep: 'FR' }), 'EU-2023-1543', 'domestic order');
    },
  },
  {
    name: 'ID-01 Identification data: like subscriber data (all offences), no notification, no Art. 12 grounds, no suspensive effect',
    question: 'A French EPOC for the IP address used at a given time, to a provider in Germany: what applies?',
    expected: 'Art. 5(3) (all criminal offences); the enforcing State is not notified (Art. 8(1)), so no Art. 12 grounds and no suspension: 10 days, 8 hours in an emergency.',
    decidedBy: 'Reg. 2023/1543 Arts 3(10), 5(3), 8(1), 10',
    check: () => {
      const b = basis(find({ from: 'FR', to: 'DE', measure: 'identification-data' }), 'EU-2023-1543:5(3)');
      assert.deepEqual(b.refusalGrounds, []);
      assert.ok(b.conditions.some((c) => c.citation.article === '8' && c.citation.paragraph === '1'));
      assert.ok(!b.deadlines.some((d) => d.id.startsWith('enforcing-authority')));
      assert.ok(!ids(find({ from: 'FR', to: 'DE', measure: 'identification-data' })).includes('EU-2023-1543:5(4)'));
    },
  },
  {
    name: 'ART4-01 Who may issue and who must validate an order (Art. 4), and the emergency route of Art. 4(5)',
    question: 'May a prosecutor issue an EPOC for content data? For subscriber data? May the police issue an emergency EPOC for subscriber data without prior validation?',
    expected: 'Content data: only with validation by a judge, court or investigating judge (Art. 4(2)). Subscriber data: yes, alone (Art. 4(1)(a)). Police in an emergency: yes for subscriber and identification data, validated afterwards within 48 hours (Art. 4(5)); not for content data.',
    decidedBy: 'Reg. 2023/1543 Art. 4(1), (2), (5)',
    check: () => {
      const content = mayIssue(kb.issuing, { order: 'EPOC', category: 'content-data', authority: 'public-prosecutor', emergency: false });
      assert.deepEqual([content.mayIssue, content.validation], [true, 'prior']);
      assert.ok(!content.validators.includes('public-prosecutor'));
      assert.equal(mayValidate(kb.issuing, { order: 'EPOC', category: 'content-data', authority: 'public-prosecutor' }).mayValidate, false);
      assert.equal(mayIssue(kb.issuing, { order: 'EPOC', category: 'subscriber-data', authority: 'public-prosecutor', emergency: false }).validation, 'none');
      const police = mayIssue(kb.issuing, { order: 'EPOC', category: 'subscriber-data', authority: 'other-competent-authority', emergency: true });
      assert.deepEqual([police.validation, police.validateWithinHours], ['ex-post', 48]);
      assert.equal(mayIssue(kb.issuing, { order: 'EPOC', category: 'content-data', authority: 'other-competent-authority', emergency: true }).validation, 'prior');
    },
  },
  // ----- UN Convention safeguards; verified flags ---------------------------------------------
  {
    name: 'UNCC-01 The UN Convention’s safeguards include the right to an effective remedy (unverified article)',
    question: 'Which safeguards does the UN Convention require for the powers it creates?',
    expected: 'Judicial or other independent review, the right to an effective remedy, grounds justifying application, limits of scope and duration.',
    decidedBy: 'UNCC (safeguards article; EC page of 27 October 2025)',
    check: () => {
      const p = kb.provisions.find((x) => x.id === 'UNCC:44');
      const remedy = p?.safeguards.find((s) => s.id === 'effective-remedy');
      assert.ok(remedy);
      assert.equal(remedy.citation.verified, false);
    },
  },
  {
    name: 'VER-01 Confirmed facts are marked verified: Budapest in force 2004-07-01; EIO acknowledgement within one week; Reg. 1182/71 Art. 3 wording',
    question: 'Which of these facts are now confirmed against an official text?',
    expected: 'The general entry into force of Budapest (Finnish treaty series), EIO Art. 16(1) (one week), the wording of Reg. 1182/71 Art. 3(1) and 3(4); whether Reg. 1182/71 governs each act stays unverified.',
    decidedBy: 'law.md §9',
    check: () => {
      assert.equal(kb.instruments.get('ETS185')?.entryIntoForce?.citation.verified, true);
      const ack = computeDeadlines(kb, { instrument: 'EU-2014-41', measure: 'content-data', received: '2026-12-01T09:00:00+01:00', emergency: false, timeZone: 'Europe/Paris' }).deadlines.find((d) => d.id === 'eio-acknowledgement');
      assert.equal(ack?.verified, true);
      const rule = kb.instruments.get('EU-2023-1543')?.dayPeriodRule;
      assert.equal(rule?.citation.verified, true);
      assert.equal(rule?.applicability?.verified, false);
    },
  },
];

for (const scenario of scenarios) {
  test(scenario.name, () => {
    try {
      scenario.check();
    } catch (error) {
      if (error instanceof Error) error.message += `\n    question: ${scenario.question}\n    expected: ${scenario.expected}\n    decided by: ${scenario.decidedBy}`;
      throw error;
    }
  });
}

test('review scenarios: unique names, each with a question, an expected answer and a deciding paragraph', () => {
  assert.equal(new Set(scenarios.map((s) => s.name)).size, scenarios.length);
  for (const s of scenarios) assert.ok(s.question && s.expected && s.decidedBy, s.name);
});
