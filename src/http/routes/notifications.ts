/**
 * @module http/routes/notifications
 * The caller's own notifications and notification settings (issue 16). Every query is by the
 * caller's user id: nobody reads or marks another's. Notifications carry the kind and the case,
 * never request content.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getPreferences, listNotifications, markRead, NOTIFICATION_KINDS, setPreferences } from '../../notifications/index.js';
import type { AppDeps } from '../deps.js';
import type { Principal } from '../principal.js';
import { HttpProblem } from '../problems.js';

function caller(principal: Principal | null): Principal {
  if (!principal) throw new HttpProblem('unauthenticated');
  return principal;
}

export async function registerNotificationRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['notifications'];
  const db = deps.cases.db;

  api.get(
    '/api/me/notifications',
    { schema: { tags, summary: 'Your notifications, newest first, with the unread count (kind and case only, no request content)', querystring: z.strictObject({ unread: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(500).optional() }) } },
    async (request) => {
      const q = request.query;
      return listNotifications(db, caller(request.principal).userId, { unreadOnly: q.unread === 'true', ...(q.limit ? { limit: q.limit } : {}) });
    },
  );

  api.post(
    '/api/me/notifications/read',
    {
      schema: {
        tags,
        summary: 'Mark your notifications read: the ones named, or all',
        body: z.union([z.strictObject({ ids: z.array(z.string().min(1).max(64)).min(1).max(500) }), z.strictObject({ all: z.literal(true) })]),
      },
    },
    async (request) => {
      const body = request.body;
      const changed = await markRead(db, caller(request.principal).userId, deps.cases.now().toISOString(), 'ids' in body ? body.ids : 'all');
      return { changed };
    },
  );

  api.get('/api/me/notification-preferences', { schema: { tags, summary: 'What you choose to receive, per kind: in the workspace and by e-mail' } }, async (request) => ({
    email: deps.mailConfigured ?? false,
    preferences: await getPreferences(db, caller(request.principal).userId),
  }));

  api.put(
    '/api/me/notification-preferences',
    {
      schema: {
        tags,
        summary: 'Choose what you receive, per kind',
        body: z.strictObject({
          preferences: z
            .array(z.strictObject({ kind: z.enum(NOTIFICATION_KINDS), inApp: z.boolean(), email: z.boolean() }))
            .min(1)
            .max(NOTIFICATION_KINDS.length)
            .refine((list) => new Set(list.map((p) => p.kind)).size === list.length, 'kinds must not repeat'),
        }),
      },
    },
    async (request) => ({ email: deps.mailConfigured ?? false, preferences: await setPreferences(db, caller(request.principal).userId, request.body.preferences) }),
  );
}
