/**
 * @module cases/retention
 * Data protection for personal data in a case: purpose and retention period per case, a
 * deletion date set when the case ends, and a purge that really deletes — request content,
 * review, assessment, event payloads and response attachments are removed (on SQLite with `secure_delete`, so the
 * bytes are overwritten), leaving only the skeleton the audit trail refers to.
 * Model: CETS 224 Art. 14(5) (retention only as long as necessary, with specific periods).
 */
import type { CaseContext } from './context.js';
import { SYSTEM_ACTOR } from './context.js';
import { forgetDigest, writeAudit } from './audit.js';

/** Stands in for purged reasons in the history. */
export const PURGED = '[purged]';

/** Purges every ended case whose deletion date has come. Returns the purged case ids. */
export async function purgeExpiredCases(ctx: CaseContext): Promise<string[]> {
  const now = ctx.now().toISOString();
  const today = now.slice(0, 10);
  const due = await ctx.db
    .selectFrom('cases')
    .select(['id'])
    .where('delete_after', 'is not', null)
    .where('delete_after', '<=', today)
    .where('purged_at', 'is', null)
    .limit(500)
    .execute();
  const purged: string[] = [];
  for (const { id } of due) {
    await ctx.transaction(async (trx) => {
      const before = await trx.selectFrom('cases').selectAll().where('id', '=', id).where('purged_at', 'is', null).executeTakeFirst();
      if (!before) return;
      // Version and history count workflow events only: a purge changes content, not state, so
      // it bumps neither; its audit event's `after` is exactly the stored row.
      const after = { ...before, request: null, review: null, assessment: null, purged_at: now };
      await trx.updateTable('cases').set({ request: null, review: null, assessment: null, purged_at: now }).where('id', '=', id).execute();
      // Reasons may name people: they go, but a placeholder keeps the history replayable.
      await trx.updateTable('case_events').set({ payload: null }).where('case_id', '=', id).execute();
      await trx.updateTable('case_events').set({ reason: PURGED }).where('case_id', '=', id).where('reason', 'is not', null).execute();
      // Attachments of the response are received personal data too: deleted, bytes and all.
      const attachments = await trx.deleteFrom('case_attachments').where('case_id', '=', id).executeTakeFirst();
      await writeAudit(trx, { id: ctx.newId(), actor: SYSTEM_ACTOR.id, action: 'case.purge', objectType: 'case', objectId: id, at: now, before, after, details: { deleteAfter: before.delete_after, attachmentsDeleted: Number(attachments.numDeletedRows) } });
      forgetDigest(id);
      purged.push(id);
    });
  }
  return purged;
}

/** Who read a case, when, and for what (records of access). */
export async function accessRecords(ctx: CaseContext, caseId: string): Promise<{ actor: string; action: string; at: string }[]> {
  return ctx.db.selectFrom('case_access').select(['actor', 'action', 'at']).where('case_id', '=', caseId).orderBy('at').orderBy('id').execute();
}
