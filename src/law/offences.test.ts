/**
 * Checks the offence catalogue in data/offences.json: schema, unique ids, and that each
 * criminalisation article of the Budapest Convention and the UN Convention is mapped once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { citationSchema, offenceSchema, type Citation, type Offence } from './model.js';

const raw: unknown = JSON.parse(readFileSync(new URL('./data/offences.json', import.meta.url), 'utf8'));

function load(): Offence[] {
  assert.ok(Array.isArray(raw), 'offences.json must be a JSON array');
  return raw.map((entry: unknown, i: number) => {
    const parsed = offenceSchema.safeParse(entry);
    assert.ok(parsed.success, `entry ${i} does not match offenceSchema: ${parsed.success ? '' : parsed.error.message}`);
    return parsed.data;
  });
}

/** Ids of the categories that cite `instrument` Art. `article`. */
function categoriesCiting(offences: Offence[], instrument: string, article: string): string[] {
  return offences.filter((o) => o.provisions.some((p) => p.instrument === instrument && p.article === article)).map((o) => o.id);
}

function allCitations(offences: Offence[]): { where: string; citation: Citation }[] {
  return offences.flatMap((o) => [
    ...o.provisions.map(({ title: _title, ...citation }) => ({
      where: `${o.id} provision ${citation.instrument} Art. ${citation.article}`,
      citation,
    })),
    ...o.lists.map((l) => ({ where: `${o.id} list ${l.list}`, citation: l.citation })),
  ]);
}

test('every entry parses with offenceSchema', () => {
  const offences = load();
  assert.ok(offences.length > 0);
});

test('category ids are unique', () => {
  const ids = load().map((o) => o.id);
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  assert.deepEqual(duplicates, []);
});

test('every Budapest Convention Art. 2-10 is mapped to exactly one category', () => {
  const offences = load();
  for (let art = 2; art <= 10; art++) {
    const ids = categoriesCiting(offences, 'ETS185', String(art));
    assert.equal(ids.length, 1, `ETS185 Art. ${art} mapped to [${ids.join(', ')}]`);
  }
});

test('every UN Convention Art. 7-17 is mapped to exactly one category', () => {
  const offences = load();
  for (let art = 7; art <= 17; art++) {
    const ids = categoriesCiting(offences, 'UNCC', String(art));
    assert.equal(ids.length, 1, `UNCC Art. ${art} mapped to [${ids.join(', ')}]`);
  }
});

test('ancillary liability articles go to attempt-aiding-abetting', () => {
  const offences = load();
  assert.deepEqual(categoriesCiting(offences, 'ETS185', '11'), ['attempt-aiding-abetting']);
  assert.deepEqual(categoriesCiting(offences, 'ETS189', '7'), ['attempt-aiding-abetting']);
  assert.deepEqual(categoriesCiting(offences, 'UNCC', '19'), ['attempt-aiding-abetting']);
});

test('grooming and intimate-image-abuse exist and cite the UN Convention', () => {
  const offences = load();
  for (const id of ['grooming', 'intimate-image-abuse']) {
    const offence = offences.find((o) => o.id === id);
    assert.ok(offence, `missing category ${id}`);
    assert.ok(
      offence.provisions.some((p) => p.instrument === 'UNCC'),
      `${id} must cite the UN Convention against Cybercrime`,
    );
  }
});

test('every unverified citation has a source URL', () => {
  for (const { where, citation } of allCitations(load())) {
    assert.ok(citationSchema.safeParse(citation).success, `${where}: not a valid citation`);
    if (!citation.verified) {
      assert.match(citation.source, /^https:\/\/\S+$/, `${where}: unverified citation needs an https source URL`);
    }
  }
});

test('only Budapest Convention citations claim to be verified', () => {
  for (const { where, citation } of allCitations(load())) {
    if (citation.verified) assert.equal(citation.instrument, 'ETS185', `${where} claims verified: true`);
  }
});

test('every list entry names a known list', () => {
  const known = new Set(['EU-2023-1543-Art5(4)(b)', 'EU-2014-41-AnnexD', 'EU-2023-1543-AnnexIV']);
  for (const offence of load()) {
    for (const l of offence.lists) assert.ok(known.has(l.list), `${offence.id}: unknown list ${l.list}`);
  }
});
