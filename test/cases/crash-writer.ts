/**
 * @module test/cases/crash-writer
 * Child process for the crash test (`crash.test.ts`): writes cases in a burst until it is killed.
 *
 * Run as `node --import tsx crash-writer.ts <target>`, where `<target>` is a SQLite database
 * file or a `postgres://…` URL. It opens and migrates the database, seeds the demo authorities
 * that are missing, then loops forever: create a French preservation request to the United
 * States (a unique `references.requesting`), approve it with the demo review, send it. After each
 * committed operation it writes one line to stdout:
 *
 *     ack <operation> <caseId> <version>
 *
 * A write is acknowledged when the parent has received the whole line (up to the newline): the
 * line is written only after the transaction's commit returned. On Linux, writes to a pipe are
 * synchronous in Node, so the line is in the pipe before the next operation starts.
 *
 * Before the first operation it writes `ready <pid>`. Any error is printed to stderr and ends
 * the process with status 1 (the parent expects only SIGKILL). If the parent goes away, the next
 * write fails with EPIPE and the process exits, so it never loops orphaned.
 */
import { loadKnowledgeBase } from '../../src/law/index.js';
import { openDatabase } from '../../src/db/index.js';
import type { DbConfig } from '../../src/db/index.js';
import { createAuthority, createCase, createCaseContext, getAuthority, transitionCase, type Actor } from '../../src/cases/index.js';
import { DEMO_AUTHORITIES, DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';

const target = process.argv[2];
if (target === undefined || target === '') {
  process.stderr.write('usage: crash-writer.ts <sqlite file | postgres://…>\n');
  process.exit(2);
}
const config: DbConfig = /^postgres(ql)?:\/\//i.test(target) ? { kind: 'postgres', url: target, poolMax: 2 } : { kind: 'sqlite', file: target };

process.stdout.on('error', () => process.exit(3)); // the parent is gone (EPIPE)

const admin: Actor = { id: 'crash-admin', authorityId: null };
const fr: Actor = { id: 'crash-writer@fr-ca', authorityId: 'fr-ca' };

function ack(operation: string, caseId: string, version: number): void {
  process.stdout.write(`ack ${operation} ${caseId} ${version}\n`);
}

try {
  const handle = await openDatabase(config);
  await handle.migrate();
  // Real clock: the send is validated on today's date, and ETS185:29 FR→US applies from 2026-11-28.
  const ctx = createCaseContext(handle.db, loadKnowledgeBase());
  for (const authority of DEMO_AUTHORITIES) {
    if ((await getAuthority(handle.db, authority.id)) === null) await createAuthority(ctx, admin, authority);
  }
  process.stdout.write(`ready ${process.pid}\n`);
  for (let n = 1; ; n++) {
    const created = await createCase(ctx, fr, preservationRequestFrToUs({ references: { requesting: `CRASH-${process.pid}-${n}` } }));
    ack('create', created.id, created.version);
    const approved = await transitionCase(ctx, fr, created.id, 'approve', { review: DEMO_REVIEW, expectedVersion: created.version });
    ack('approve', approved.id, approved.version);
    const sent = await transitionCase(ctx, fr, created.id, 'send', { expectedVersion: approved.version });
    ack('send', sent.id, sent.version);
  }
} catch (error) {
  process.stderr.write(`crash-writer failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  if (error instanceof Error && 'issues' in error) process.stderr.write(`${JSON.stringify(error.issues)}\n`);
  process.exit(1);
}
