/**
 * @module cases/authorities
 * Authorities that send and receive requests: central authorities, 24/7 points of contact,
 * prosecutors and judges, police units, service providers and EU enforcing authorities. Each
 * has a party, an IANA time zone (its day periods are counted in it) and accepted languages.
 */
import { writePathOn } from '../db/write-path-switches.js';
import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import type { Kysely, Selectable } from 'kysely';
import type { AuthoritiesTable, Database } from '../db/index.js';
import type { Actor, CaseContext } from './context.js';
import { writeAudit } from './audit.js';
import { CaseError, zodIssues } from './errors.js';
import { AUTHORITY_KINDS as ISSUING_KINDS } from '../law/issuing-authorities.js';

import { AUTHORITY_KINDS, type AuthorityKind } from './authority-kinds.js';
export { AUTHORITY_KINDS, type AuthorityKind } from './authority-kinds.js';

function isTimeZone(zone: string): boolean {
  try {
    Temporal.Now.instant().toZonedDateTimeISO(zone);
    return !/^[+-]/.test(zone);
  } catch {
    return false;
  }
}

export const authorityInputSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and hyphens'),
  party: z.string().regex(/^[A-Z]{2}$/),
  kind: z.enum(AUTHORITY_KINDS),
  name: z.string().min(2).max(300),
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Paris'),
  languages: z.array(z.string().regex(/^[a-z]{2,3}$/)).min(1).max(20),
  contact: z
    .strictObject({
      email: z.email().optional(),
      phone: z.string().max(50).optional(),
      address: z.string().max(500).optional(),
      officeHours: z.string().max(200).optional(),
    })
    .default({}),
  /**
   * Separation of duties (src/http/policies.ts, CASE_EVENT_ROLES `distinctFromDrafter`): the
   * reviewer who approves a request must not be one who drafted it. On unless the authority
   * turns it off (e.g. a one-person office).
   */
  separationOfDuties: z.boolean().default(true),
  /** Reg. 2023/1543 Art. 4 kind of an issuing or validating authority (published in the peer agreement). */
  issuingKind: z.enum(ISSUING_KINDS).optional(),
});
export type AuthorityInput = z.input<typeof authorityInputSchema>;

export interface Authority {
  id: string;
  party: string;
  kind: AuthorityKind;
  name: string;
  timeZone: string;
  languages: string[];
  contact: Record<string, string>;
  separationOfDuties: boolean;
  createdAt: string;
}

export function presentAuthority(row: Selectable<AuthoritiesTable>): Authority {
  return {
    id: row.id,
    party: row.party,
    kind: row.kind as AuthorityKind,
    name: row.name,
    timeZone: row.time_zone,
    languages: JSON.parse(row.languages) as string[],
    contact: JSON.parse(row.contact) as Record<string, string>,
    separationOfDuties: row.separation_of_duties !== 0,
    createdAt: row.created_at,
  };
}

/**
 * Authorities found, per context, by id. Authorities are only ever added (no code updates or
 * deletes one), so a row once committed stays valid: the cache holds only rows known to be
 * committed (see {@link findAuthority}) and never remembers an absence, so an authority created
 * elsewhere is found on the next lookup. Bounded: cleared when it would exceed
 * {@link AUTHORITY_CACHE_SIZE} entries.
 */
const authorityCaches = new WeakMap<CaseContext, Map<string, Authority>>();
const AUTHORITY_CACHE_SIZE = 1000;

function authorityCache(ctx: CaseContext): Map<string, Authority> {
  let cache = authorityCaches.get(ctx);
  if (cache === undefined) {
    cache = new Map();
    authorityCaches.set(ctx, cache);
  }
  return cache;
}

/** Remembers authorities read in a transaction once it has committed (so they are committed too). */
export function rememberAuthorities(ctx: CaseContext, authorities: Iterable<Authority>): void {
  const cache = authorityCache(ctx);
  for (const authority of authorities) {
    if (cache.size >= AUTHORITY_CACHE_SIZE && !cache.has(authority.id)) cache.clear();
    cache.set(authority.id, authority);
  }
}

/**
 * The authority `id`, from the context's cache or read through `db`. Outside a transaction pass
 * `ctx.db`: the row read is committed, and is cached. Inside one pass the transaction and an
 * `uncommitted` list: the row read may be an uncommitted write of that transaction (or of an
 * earlier item of its group commit), so it is appended to the list instead of cached; call
 * {@link rememberAuthorities} with the list once the transaction has committed.
 */
export async function findAuthority(ctx: CaseContext, db: Kysely<Database>, id: string, uncommitted?: Authority[]): Promise<Authority | null> {
  const cached = writePathOn('authority-cache') ? authorityCache(ctx).get(id) : undefined;
  if (cached !== undefined) return cached;
  const authority = await getAuthority(db, id);
  if (authority === null) return null;
  if (db === ctx.db) rememberAuthorities(ctx, [authority]);
  else uncommitted?.push(authority);
  return authority;
}

export async function createAuthority(ctx: CaseContext, actor: Actor, input: unknown): Promise<Authority> {
  const parsed = authorityInputSchema.safeParse(input);
  if (!parsed.success) throw new CaseError('invalid-request', 'invalid authority', zodIssues(parsed.error));
  const a = parsed.data;
  if (!ctx.kb.parties.has(a.party)) throw new CaseError('invalid-request', `unknown party ${a.party}`, [{ field: 'party', message: 'an ISO 3166-1 alpha-2 code' }]);
  if (a.issuingKind !== undefined) {
    // Reg. 2023/1543 Art. 4: the recorded kind must be one an authority of this directory kind can have.
    const allowed = ctx.kb.issuing.directoryKinds.kinds[a.kind] ?? [];
    if (!allowed.includes(a.issuingKind)) throw new CaseError('validation-failed', `a ${a.kind} cannot be a ${a.issuingKind} under Art. 4 of Regulation (EU) 2023/1543`, [{ field: 'issuingKind', message: allowed.length > 0 ? `one of ${allowed.join(', ')}` : `a ${a.kind} has no Art. 4 kind` }]);
  }
  const at = ctx.now().toISOString();
  const row = { id: a.id, party: a.party, kind: a.kind, name: a.name, time_zone: a.timeZone, languages: JSON.stringify(a.languages), contact: JSON.stringify(a.contact), separation_of_duties: a.separationOfDuties ? 1 : 0, issuing_kind: a.issuingKind ?? null, created_at: at };
  return ctx.transaction(async (trx) => {
    const existing = await trx.selectFrom('authorities').select('id').where('id', '=', a.id).executeTakeFirst();
    if (existing) throw new CaseError('conflict', `authority ${a.id} already exists`);
    await trx.insertInto('authorities').values(row).execute();
    await writeAudit(trx, { id: ctx.newId(), actor: actor.id, action: 'authority.create', objectType: 'authority', objectId: a.id, at, before: null, after: row });
    // Invalidate rather than fill: the row is committed only when this transaction resolves.
    authorityCache(ctx).delete(a.id);
    return presentAuthority(row);
  });
}

export async function listAuthorities(ctx: CaseContext): Promise<Authority[]> {
  const rows = await ctx.db.selectFrom('authorities').selectAll().orderBy('id').execute();
  return rows.map(presentAuthority);
}

/** `db` may be a transaction: inside one, every query must use it (SQLite and PGlite have one connection). */
export async function getAuthority(db: Kysely<Database>, id: string): Promise<Authority | null> {
  const row = await db.selectFrom('authorities').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? presentAuthority(row) : null;
}
