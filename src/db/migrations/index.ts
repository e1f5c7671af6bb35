/**
 * @module db/migrations
 * Every migration, registered statically for Kysely's Migrator (no directory scanning, so it
 * works the same from sources, a bundle or a single-file build). To add one: create
 * `NNNN_name.ts` exporting `up` (and `down`), import it here, add it to {@link migrations}, and
 * update `../schema.ts`. Names sort in execution order; never rename or edit a released one.
 */
import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_core.js';
import * as m0002 from './0002_cases.js';
import * as m0003 from './0003_auth.js';
import * as m0004 from './0004_attachments.js';
import * as m0005 from './0005_idempotency.js';
import * as m0006 from './0006_sign_in_throttle.js';
import * as m0007 from './0007_separation_of_duties.js';
import * as m0010 from './0010_keys.js';
import * as m0011 from './0011_ledger.js';
import * as m0020 from './0020_exchange.js';
import * as m0030 from './0030_evidence.js';
import * as m0031 from './0031_witness.js';
import * as m0050 from './0050_eorders.js';
import * as m0040 from './0040_evidence_signatures.js';
import * as m0041 from './0041_attachment_evidence.js';
import * as m0035 from './0035_exchange_transfers.js';
import * as m0036 from './0036_http_rate_limits.js';
import * as m0055 from './0055_provider_orders.js';
import * as m0060 from './0060_linked_requests.js';
import * as m0061 from './0061_case_targets.js';
import * as m0065 from './0065_notifications.js';
import * as m0075 from './0075_transfer_closing.js';
import * as m0079 from './0079_outbox_pending_index.js';
import * as m0080 from './0080_outbox_due_index_dropped.js';
import * as m0081 from './0081_ledger_nodes_clustered.js';
import * as m0082 from './0082_ledger_entries_source_seq.js';

/** The migrations by name, in order. */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_core': m0001,
  '0002_cases': m0002,
  '0003_auth': m0003,
  '0004_attachments': m0004,
  '0005_idempotency': m0005,
  '0006_sign_in_throttle': m0006,
  '0007_separation_of_duties': m0007,
  '0010_keys': m0010,
  '0011_ledger': m0011,
  '0020_exchange': m0020,
  '0030_evidence': m0030,
  '0031_witness': m0031,
  '0050_eorders': m0050,
  '0040_evidence_signatures': m0040,
  '0041_attachment_evidence': m0041,
  '0035_exchange_transfers': m0035,
  '0036_http_rate_limits': m0036,
  '0055_provider_orders': m0055,
  '0060_linked_requests': m0060,
  '0061_case_targets': m0061,
  '0065_notifications': m0065,
  '0075_transfer_closing': m0075,
  '0079_outbox_pending_index': m0079,
  '0080_outbox_due_index_dropped': m0080,
  '0081_ledger_nodes_clustered': m0081,
  '0082_ledger_entries_source_seq': m0082,
});

/** Names of all migrations known to this version, in execution order. */
export const migrationNames: readonly string[] = Object.freeze(Object.keys(migrations).sort());

/** Static provider for `new Migrator({ db, provider: migrationProvider })`. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...migrations }),
};
