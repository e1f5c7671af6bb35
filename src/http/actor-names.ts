/**
 * @module http/actor-names
 * Who an actor id is, for people reading a history, an audit trail or an access log: `user:<id>`
 * and `token:<id>` (an API token: its holder) become the holder's name, roles and authority.
 * Names of another authority's people are not given (only their roles and authority): a case is
 * shared between authorities, their staff lists are not. Ids of the system, a peer node or the
 * CLI's operating-system user are shown as they are.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { parseRoles } from '../auth/account-rows.js';
import type { Role } from '../auth/roles.js';

export interface ActorView {
  /** Display name; null for a person of another authority. */
  name: string | null;
  roles: Role[];
  authorityId: string | null;
  /** The API token's name when the actor is a token. */
  token?: string;
}

export async function actorViews(db: Kysely<Database>, actors: Iterable<string>, viewerAuthorityId: string | null): Promise<Record<string, ActorView>> {
  const userIds = new Set<string>();
  const tokenIds = new Set<string>();
  const all = new Set(actors);
  for (const a of all) {
    if (a.startsWith('user:')) userIds.add(a.slice(5));
    else if (a.startsWith('token:')) tokenIds.add(a.slice(6));
  }
  const tokens = tokenIds.size === 0 ? [] : await db.selectFrom('api_tokens').select(['id', 'user_id', 'name']).where('id', 'in', [...tokenIds]).execute();
  for (const t of tokens) userIds.add(t.user_id);
  const users = userIds.size === 0 ? [] : await db.selectFrom('users').select(['id', 'display_name', 'roles', 'authority_id']).where('id', 'in', [...userIds]).execute();
  const byId = new Map(
    users.map((u) => [
      u.id,
      { name: viewerAuthorityId === null || u.authority_id === viewerAuthorityId ? u.display_name : null, roles: parseRoles(u.roles), authorityId: u.authority_id } satisfies ActorView,
    ]),
  );
  const tokenOf = new Map(tokens.map((t) => [t.id, t]));
  const views: Record<string, ActorView> = {};
  for (const a of all) {
    if (a.startsWith('user:')) {
      const u = byId.get(a.slice(5));
      if (u) views[a] = u;
    } else if (a.startsWith('token:')) {
      const t = tokenOf.get(a.slice(6));
      const u = t ? byId.get(t.user_id) : undefined;
      if (t && u) views[a] = { ...u, token: t.name };
    }
  }
  return views;
}
