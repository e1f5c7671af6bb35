/**
 * @module http/routes/law
 * The legal engine over HTTP: the same answers as `comity law …`, public (it is the law).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  computeDeadlines,
  INSTRUMENT_IDS,
  MEASURES,
  parseDate,
  parseOffence,
  parseParty,
  partyProfile,
} from '../../law/index.js';
import type { AppDeps } from '../deps.js';
import { createMatrixCache } from '../law-cache.js';
import { HttpProblem } from '../problems.js';
import { localizeBases, localizeOffence } from '../../law/localize.js';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD').optional();
const bool = z.enum(['true', 'false']).optional();
/** Language of the knowledge base's texts (`src/law/data/i18n`); citations are the same in every language. */
const lang = z.string().regex(/^[a-z]{2,3}$/, 'an ISO 639 language code, e.g. fr').optional();

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export async function registerLawRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['law'];
  const matrices = createMatrixCache(deps.kb, deps.finder);

  api.get('/api/law/instruments', { schema: { tags, summary: 'Instruments with their entry-into-force rules' } }, async () => [...deps.kb.instruments.values()]);

  api.get(
    '/api/law/instruments/:id/status',
    { schema: { tags, summary: 'Whether an instrument is in force on a date', params: z.strictObject({ id: z.enum(INSTRUMENT_IDS) }), querystring: z.strictObject({ date }) } },
    async (request) => {
      const on = parseDate(request.query.date ?? today());
      const status = deps.finder.index.instrumentStatus(request.params.id, on);
      const instrument = deps.finder.index.instrument(request.params.id);
      return { ...status, title: instrument.title, shortTitle: instrument.shortTitle, status: instrument.status, signatureCloses: instrument.signatureCloses ?? null };
    },
  );

  api.get('/api/law/parties', { schema: { tags, summary: 'Every party with its memberships' } }, async () =>
    [...deps.kb.parties.values()].map((p) => ({ ...p, memberOf: (['CoE', 'EU'] as const).filter((org) => deps.kb.memberships[org].members.includes(p.id)) })),
  );

  api.get(
    '/api/law/parties/:party',
    { schema: { tags, summary: "A party's status under every instrument", params: z.strictObject({ party: z.string().min(2).max(2) }), querystring: z.strictObject({ date }) } },
    async (request) => {
      // Every reservation and declaration with its period, and whether it applies on the date.
      return partyProfile(deps.kb, deps.finder.index, parseParty(deps.kb, request.params.party), parseDate(request.query.date ?? today()));
    },
  );

  api.get(
    '/api/law/participation',
    {
      schema: {
        tags,
        summary: "Every party's status under one instrument on a date (in force, consented, signed, none), with the instrument's own status and counts: one answer for a map",
        querystring: z.strictObject({ instrument: z.enum(INSTRUMENT_IDS), date }),
      },
    },
    async (request) => {
      const id = request.query.instrument;
      const on = parseDate(request.query.date ?? today());
      const instrument = deps.finder.index.instrument(id);
      const counts = { 'in-force': 0, consented: 0, signed: 0, none: 0 };
      const parties = deps.finder.index.parties().map((party) => {
        const s = deps.finder.index.partyStatus(party, id, on);
        counts[s.status] += 1;
        return {
          party,
          name: deps.kb.parties.get(party)?.name ?? party,
          kind: deps.kb.parties.get(party)?.kind ?? 'state',
          status: s.status,
          signature: s.signature === null ? null : { date: s.signature.date },
          consent: s.consent === null ? null : { event: s.consent.event, date: s.consent.date },
          entryIntoForce: s.entryIntoForce,
          entryIntoForceDerived: s.entryIntoForceDerived,
          verified: s.verified,
          reservations: s.reservations.length,
          // An undated event: "date unknown, not before …" (issue 15).
          notBefore: (s.consent ?? s.signature)?.date === null ? ((s.consent ?? s.signature)?.notBefore ?? null) : null,
          notes: s.notes,
        };
      });
      return {
        instrument: id,
        date: on,
        title: instrument.title,
        shortTitle: instrument.shortTitle,
        openedForSignature: instrument.openedForSignature ?? null,
        signatureCloses: instrument.signatureCloses ?? null,
        signatureWindowCitation: instrument.signatureWindowCitation ?? null,
        entryIntoForceRule: instrument.entryIntoForceRule,
        instrumentStatus: deps.finder.index.instrumentStatus(id, on),
        counts,
        parties,
      };
    },
  );

  api.get(
    '/api/law/offences',
    { schema: { tags, summary: 'Offence categories and the articles that establish them (names and descriptions in `lang`, default English)', querystring: z.strictObject({ lang }) } },
    async (request) => [...deps.kb.offences.values()].map((o) => localizeOffence(o, request.query.lang ?? 'en')),
  );

  api.get(
    '/api/law/bases',
    {
      schema: {
        tags,
        summary: 'Applicable legal bases, ranked and cited, and why others do not apply; texts in `lang` (default English), citations unchanged',
        querystring: z.strictObject({
          from: z.string().min(2).max(2),
          to: z.string().min(2).max(2),
          measure: z.enum(MEASURES),
          date,
          emergency: bool,
          offence: z.string().max(100).optional(),
          /** Where the provider's legal representative or designated establishment is (Reg. 2023/1543 is addressed there). */
          providerRep: z.string().min(2).max(2).optional(),
          lang,
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const offence = q.offence === undefined ? undefined : parseOffence(deps.kb, q.offence);
      const providerRep = q.providerRep === undefined ? undefined : parseParty(deps.kb, q.providerRep, "provider's legal representative");
      const result = deps.finder.find({
        from: parseParty(deps.kb, q.from, 'requesting party'),
        to: parseParty(deps.kb, q.to, 'requested party'),
        measure: q.measure,
        date: parseDate(q.date ?? today()),
        emergency: q.emergency === 'true',
        ...(offence ? { offence } : {}),
        ...(providerRep ? { providerRep } : {}),
      });
      return localizeBases(result, q.lang ?? 'en');
    },
  );

  api.get(
    '/api/law/deadlines',
    {
      schema: {
        tags,
        summary: 'Legal clocks from the instant a request was received',
        querystring: z.strictObject({ instrument: z.enum(INSTRUMENT_IDS), measure: z.enum(MEASURES), received: z.iso.datetime({ offset: true }), tz: z.string().max(64), emergency: bool }),
      },
    },
    async (request) => {
      const q = request.query;
      return computeDeadlines(deps.kb, { instrument: q.instrument, measure: q.measure, received: q.received, timeZone: q.tz, emergency: q.emergency === 'true' });
    },
  );

  api.get(
    '/api/law/matrix',
    {
      schema: {
        tags,
        summary: 'Who can co-operate with whom under one instrument (cached per knowledge-base version and date; lower rate limit per client)',
        querystring: z.strictObject({ instrument: z.enum(INSTRUMENT_IDS), date }),
      },
    },
    async (request, reply) => {
      if (request.query.instrument === 'EU-US') throw new HttpProblem('invalid-parameter', 'EU-US is under negotiation: no matrix');
      const { json, etag } = await matrices.get(request.query.instrument, parseDate(request.query.date ?? today()));
      void reply.header('etag', etag).header('cache-control', 'public, max-age=3600');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(json);
    },
  );
}
