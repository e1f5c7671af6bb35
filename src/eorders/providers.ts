/**
 * @module eorders/providers
 * Service providers as entities: who receives orders for them (a designated establishment or a
 * legal representative, Directive (EU) 2023/1544) and whether Regulation (EU) 2023/1543 reaches them.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/index.js';
import type { Actor, CaseContext } from '../cases/context.js';
import { auditRow, insertAuditRow } from '../cases/audit.js';
import { findAuthority, type Authority } from '../cases/authorities.js';
import type { Citation, Measure } from '../law/index.js';
import { OrderError, zodOrderIssues } from './errors.js';
import type { OrderKind } from './workflow.js';

// ---------------------------------------------------------------------------------------------
// Service providers

export const providerInputSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and hyphens'),
  name: z.string().trim().min(2).max(300),
  establishedIn: z.string().regex(/^[A-Z]{2}$/),
  /** The authority account of its designated establishment or legal representative (kind service-provider). */
  representative: z.string().min(1).max(64),
  representativeKind: z.enum(['designated-establishment', 'legal-representative']),
});

export interface ServiceProvider {
  id: string;
  name: string;
  establishedIn: string;
  representative: { authorityId: string; name: string; kind: 'designated-establishment' | 'legal-representative'; state: string };
  /** Directive (EU) 2023/1544: who receives orders in a Member State bound by the Regulation. */
  citation: Citation;
}

/**
 * The node a party of an order is on, from the trust list (`self`: this node); null when this
 * server is not a federation node (every party is on this server).
 */
export type PartyNode = { id: string; self: boolean; endpoint: string } | null;

const DIRECTIVE_2023_1544: Citation = { instrument: 'EU-2023-1544', article: '3', source: 'https://eur-lex.europa.eu/eli/dir/2023/1544/oj', verified: false, note: 'Designated establishments (Member State providers) and legal representatives (third-country providers); article number from secondary sources.' };

export async function authorityOrFail(ctx: CaseContext, db: Kysely<Database>, id: string, field: string): Promise<Authority> {
  const a = await findAuthority(ctx, db, id);
  if (!a) throw new OrderError('validation-failed', `unknown authority ${JSON.stringify(id)}`, [{ field, message: 'no such authority' }]);
  return a;
}

export async function createProvider(ctx: CaseContext, actor: Actor, input: unknown): Promise<ServiceProvider> {
  const parsed = providerInputSchema.safeParse(input);
  if (!parsed.success) throw new OrderError('invalid-request', 'invalid service provider', zodOrderIssues(parsed.error));
  const p = parsed.data;
  const rep = await authorityOrFail(ctx, ctx.db, p.representative, 'representative');
  if (rep.kind !== 'service-provider') throw new OrderError('validation-failed', 'the representative must be a service-provider authority account', [{ field: 'representative', message: `is a ${rep.kind}` }]);
  const at = ctx.now().toISOString();
  await ctx.transaction(async (trx) => {
    if (await trx.selectFrom('service_providers').select('id').where('id', '=', p.id).executeTakeFirst()) throw new OrderError('conflict', `service provider ${p.id} exists`);
    const row = { id: p.id, name: p.name, established_in: p.establishedIn, representative_authority_id: rep.id, representative_kind: p.representativeKind, representative_state: rep.party, created_at: at };
    await trx.insertInto('service_providers').values(row).execute();
    await insertAuditRow(trx, auditRow({ id: ctx.newId(), actor: actor.id, action: 'provider.create', objectType: 'service-provider', objectId: p.id, at, before: null, after: row }));
  });
  return (await getProvider(ctx, p.id)) as ServiceProvider;
}

export async function providerRows(db: Kysely<Database>) {
  return db
    .selectFrom('service_providers as p')
    .innerJoin('authorities as a', 'a.id', 'p.representative_authority_id')
    .select(['p.id', 'p.name', 'p.established_in', 'p.representative_authority_id', 'p.representative_kind', 'p.representative_state', 'a.name as rep_name'])
    .orderBy('p.name')
    .execute();
}

function presentProvider(r: Awaited<ReturnType<typeof providerRows>>[number]): ServiceProvider {
  return {
    id: r.id,
    name: r.name,
    establishedIn: r.established_in,
    representative: { authorityId: r.representative_authority_id, name: r.rep_name, kind: r.representative_kind as ServiceProvider['representative']['kind'], state: r.representative_state },
    citation: DIRECTIVE_2023_1544,
  };
}

export async function getProvider(ctx: CaseContext, id: string, db: Kysely<Database> = ctx.db): Promise<ServiceProvider | null> {
  const row = (await providerRows(db)).find((r) => r.id === id);
  return row ? presentProvider(row) : null;
}

const MEASURE_OF: Record<string, Measure> = { 'subscriber-data': 'subscriber-info', 'identification-data': 'identification-data', 'traffic-data': 'traffic-data', 'content-data': 'content-data' };

/** Whether Reg. 2023/1543 is offered from `from` to this provider, by the legal engine (with providerRep). */
export function regulationOffered(ctx: CaseContext, from: string, provider: ServiceProvider, kind: OrderKind, categories: readonly string[], date: string, emergency: boolean): { offered: boolean; reasons: string[] } {
  const measures = kind === 'EPOC-PR' ? (['preservation'] as Measure[]) : categories.map((c) => MEASURE_OF[c] as Measure);
  const reasons: string[] = [];
  for (const measure of measures) {
    const result = ctx.finder.find({ from, to: provider.establishedIn, providerRep: provider.representative.state, measure, date, emergency });
    if (!result.applicable.some((b) => b.instrument === 'EU-2023-1543')) {
      const why = result.notApplicable.find((n) => n.instrument === 'EU-2023-1543')?.reason ?? `EU-2023-1543 does not provide for ${measure}`;
      reasons.push(why);
    }
  }
  return { offered: reasons.length === 0, reasons };
}

/** Providers, each with whether an order from `from` is offered to its representative (API and wizard). */
export async function listProviders(ctx: CaseContext, from: string | null, date: string): Promise<(ServiceProvider & { offered: boolean | null; reasons: string[]; representativeNode: PartyNode })[]> {
  const fed = ctx.orderFederation;
  const out: (ServiceProvider & { offered: boolean | null; reasons: string[]; representativeNode: PartyNode })[] = [];
  for (const r of await providerRows(ctx.db)) {
    const p = presentProvider(r);
    // Where the orders to its representative go (trust list); null on a server that is not a node.
    const representativeNode = fed === undefined ? null : await fed.nodeOf(p.representative.authorityId);
    if (from === null) out.push({ ...p, offered: null, reasons: [], representativeNode });
    else out.push({ ...p, ...regulationOffered(ctx, from, p, 'EPOC', ['subscriber-data'], date, false), representativeNode });
  }
  return out;
}