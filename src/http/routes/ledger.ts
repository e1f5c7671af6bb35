/**
 * @module http/routes/ledger
 * The node's transparency log over HTTP. Under `/api/ledger/log/` the c2sp.org/tlog-tiles
 * layout (`checkpoint`, `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`), immutable tiles
 * cacheable; JSON routes for the log's status, a consistency proof between two sizes, an
 * on-demand checkpoint, and (under the case, with its tenant check) an audit event's inclusion
 * proof. Who may read what is in the policy table (auditors and administrators; peer nodes later).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Gauge } from 'prom-client';
import { z } from 'zod';
import { findEntry, parseTilePath, readTile, signatureLineFacts, treeHead, type Ledger } from '../../ledger/index.js';
import { MAX_ADD_CHECKPOINT_BYTES, openForks, WITNESS_REFUSALS } from '../../ledger/witness.js';
import type { AppDeps } from '../deps.js';
import type { Metrics } from '../metrics.js';
import type { Principal } from '../principal.js';
import { HttpProblem } from '../problems.js';

const tags = ['ledger'];

function ledgerOf(deps: AppDeps): Ledger {
  if (deps.ledger === undefined) throw new HttpProblem('not-found', 'this node runs no transparency log');
  return deps.ledger;
}

/** The visible case of an audit event (the same tenant rule as the case routes). */
async function visibleCase(deps: AppDeps, principal: Principal, caseId: string): Promise<void> {
  const row = await deps.cases.db.selectFrom('cases').select(['requesting_authority_id', 'addressee_id', 'sent_at']).where('id', '=', caseId).executeTakeFirst();
  const visible = row !== undefined && principal.authorityId !== null && (row.requesting_authority_id === principal.authorityId || (row.addressee_id === principal.authorityId && row.sent_at !== null));
  if (!visible) throw new HttpProblem('not-found', `no case ${caseId}`);
}

const proofSchema = z.object({
  eventId: z.string(),
  index: z.number().int(),
  treeSize: z.number().int(),
  leaf: z.string().describe('The logged entry: RFC 8785 JSON of the event metadata and digests'),
  proof: z.array(z.string()).describe('Inclusion proof (RFC 9162 §2.1.3), base64 hashes, the leaf sibling first'),
  checkpoint: z.string().describe('The signed checkpoint (c2sp.org/tlog-checkpoint)'),
  tlogProof: z.string().describe('The same as a c2sp.org/tlog-proof@v1 file'),
  verifierKey: z.string().describe('The log key (signed-note vkey)'),
});

export async function registerLedgerRoutes(app: FastifyInstance, deps: AppDeps, metrics: Metrics): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const db = deps.cases.db;

  // Readiness and alarms read the same state (see ops.ts and the README "Transparency log").
  new Gauge({
    name: 'comity_ledger_incidents_open',
    help: 'Open ledger incidents: the node refuses to sign checkpoints until an administrator resolves them',
    registers: [metrics.registry],
    async collect() {
      this.set(deps.ledger === undefined ? 0 : (await deps.ledger.incidents()).length);
    },
  });
  new Gauge({
    name: 'comity_ledger_checkpoint_size',
    help: 'Tree size of the latest signed checkpoint',
    registers: [metrics.registry],
    async collect() {
      this.set(deps.ledger === undefined ? 0 : ((await deps.ledger.latest())?.size ?? 0));
    },
  });

  new Gauge({
    name: 'comity_ledger_forks_open',
    help: 'Split views detected (two checkpoints of one log, both signed by it, that contradict each other): see README "Witnessing"',
    registers: [metrics.registry],
    async collect() {
      this.set((await openForks(db)).length);
    },
  });

  api.get('/api/ledger', { schema: { tags, summary: 'The log: origin, key, latest checkpoint, open incidents, last full verification' } }, async () => {
    const ledger = ledgerOf(deps);
    const [identity, latest, incidents, verification, head] = await Promise.all([ledger.identity(), ledger.latest(), ledger.incidents(), ledger.lastVerification(), treeHead(db)]);
    return {
      origin: ledger.origin,
      verifierKey: identity.vkey,
      treeSize: head.size,
      checkpoint: latest === undefined ? null : { size: latest.size, root: latest.root.toString('base64'), signedAt: latest.signedAt, note: latest.note },
      incidents,
      // Each with the witness key's id and the time the witness signed at, read from its signature line.
      cosignatures: latest === undefined ? [] : (await db.selectFrom('ledger_cosignatures').select(['witness', 'node_id', 'size', 'collected_at', 'signature']).where('origin', '=', ledger.origin).where('size', '=', latest.size).orderBy('witness').execute()).map((c) => {
        const facts = signatureLineFacts(c.signature);
        return { witness: c.witness, nodeId: c.node_id, size: Number(c.size), collectedAt: c.collected_at, keyId: facts?.keyId ?? null, signedAt: facts?.signedAt ?? null };
      }),
      forks: (await openForks(db)).map((f) => ({ origin: f.origin, size: f.size, detectedAt: f.detectedAt, how: f.how, ownLog: f.origin === ledger.origin })),
      lastVerification: verification === undefined ? null : { finishedAt: verification.finishedAt, ok: verification.ok, size: verification.report.size, checkpoints: verification.report.checkpoints, firstBadIndex: verification.report.firstBadIndex, problems: verification.report.problems },
    };
  });

  api.post('/api/ledger/checkpoint', { schema: { tags, summary: 'Sign a checkpoint now (refused while the log is inconsistent with one signed before)' } }, async () => {
    const published = await ledgerOf(deps).publish();
    return { size: published.checkpoint.size, signed: published.signed, note: published.checkpoint.note };
  });

  // Witnessing (c2sp.org/tlog-witness) for the logs of this node's peers. Public as the protocol
  // wants it: a submission is authenticated by the log's signature on the checkpoint, and only
  // logs named by an imported peer agreement are witnessed (others: 404).
  // The protocol names no media type for the request: its body is read as text whatever the
  // client declares, or without a Content-Type at all (a scope of its own: the rest of the API
  // keeps its parsers).
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/witness/add-checkpoint',
      { bodyLimit: MAX_ADD_CHECKPOINT_BYTES, schema: { tags, summary: 'Submit a checkpoint of a peer log with a consistency proof; answers the cosignature (c2sp.org/tlog-witness). The body is read as text whatever its Content-Type.', body: z.string() } },
      async (request, reply) => {
        const witnessing = deps.exchange?.witnessing;
        if (witnessing === undefined) throw new HttpProblem('witness-unknown-log', 'this server is not a federation node: it witnesses no log');
        const answer = await witnessing.addCheckpoint(Buffer.from(request.body, 'utf8'));
        if (answer.reason !== undefined) request.log.warn({ witness: answer.status }, `witness refused a checkpoint: ${answer.reason}`);
        if (answer.status === 200 || answer.status === 409) return reply.code(answer.status).type(answer.contentType).send(answer.body);
        throw new HttpProblem(WITNESS_REFUSALS[answer.status], answer.body);
      },
    );
  });

  api.get(
    '/api/witness/:originHash/checkpoint',
    { schema: { tags, summary: 'The latest checkpoint this node cosigned for a log, by the SHA-256 (hex) of its origin (tlog-witness monitoring)', params: z.strictObject({ originHash: z.string().max(64) }) } },
    async (request, reply) => {
      const note = await deps.exchange?.witnessing?.view(request.params.originHash);
      if (note === undefined) throw new HttpProblem('not-found', 'this node has cosigned no checkpoint of that log');
      return reply.type('text/plain; charset=utf-8').send(note);
    },
  );

  api.get(
    '/api/ledger/consistency',
    { schema: { tags, summary: 'Consistency proof between two tree sizes (RFC 9162 §2.1.4)', querystring: z.strictObject({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }) } },
    async (request) => {
      const { from, to } = request.query;
      const head = await treeHead(db);
      if (from > to || to > head.size) throw new HttpProblem('invalid-parameter', `sizes must satisfy 1 ≤ from ≤ to ≤ ${head.size}`);
      const proof = await ledgerOf(deps).consistency(from, to);
      return { from, to, proof: proof.map((h) => h.toString('base64')) };
    },
  );

  api.get('/api/ledger/log/checkpoint', { schema: { tags, summary: 'The latest signed checkpoint (c2sp.org/tlog-tiles)' } }, async (_request, reply) => {
    const latest = await ledgerOf(deps).latest();
    if (latest === undefined) throw new HttpProblem('not-found', 'no checkpoint signed yet');
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache, max-age=0').send(latest.note);
  });

  api.get('/api/ledger/log/tile/*', { schema: { tags, summary: 'A tile or entry bundle (c2sp.org/tlog-tiles), immutable' } }, async (request, reply) => {
    const rest = (request.params as { '*': string })['*'];
    let address;
    try {
      address = parseTilePath(`tile/${rest}`);
    } catch {
      throw new HttpProblem('invalid-parameter', 'not a tile path: tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]');
    }
    // Tiles of the published tree only: its latest checkpoint's size.
    const latest = await ledgerOf(deps).latest();
    const tile = latest === undefined ? undefined : await readTile(db, address, latest.size);
    if (tile === undefined) throw new HttpProblem('not-found', 'no such tile in the published tree');
    return reply.type('application/octet-stream').header('cache-control', 'public, max-age=31536000, immutable').send(tile);
  });

  api.get(
    '/api/cases/:id/audit/:eventId/proof',
    { schema: { tags, summary: 'Inclusion proof of an audit event of a case in the signed log', params: z.strictObject({ id: z.string().min(1).max(64), eventId: z.string().min(1).max(64) }), response: { 200: proofSchema } } },
    async (request) => {
      await visibleCase(deps, request.principal as Principal, request.params.id);
      const event = await db.selectFrom('audit_events').select('id').where('id', '=', request.params.eventId).where('object_type', '=', 'case').where('object_id', '=', request.params.id).executeTakeFirst();
      if (event === undefined) throw new HttpProblem('not-found', `no audit event ${request.params.eventId} of this case`);
      const ledger = ledgerOf(deps);
      const [proof, identity] = await Promise.all([ledger.proofOf(event.id), ledger.identity()]);
      return { eventId: event.id, index: proof.index, treeSize: proof.size, leaf: proof.leaf, proof: proof.proof.map((h) => h.toString('base64')), checkpoint: proof.checkpoint, tlogProof: proof.tlogProof, verifierKey: identity.vkey };
    },
  );
}

/** Log positions of audit events (index; tree size of the latest checkpoint), for the case audit trail. */
export async function logPositions(deps: AppDeps, ids: readonly string[]): Promise<{ positions: Map<string, number>; checkpointSize: number | null }> {
  const positions = new Map<string, number>();
  if (deps.ledger === undefined) return { positions, checkpointSize: null };
  for (const id of ids) {
    const entry = await findEntry(deps.cases.db, id);
    if (entry !== undefined) positions.set(id, entry.index);
  }
  return { positions, checkpointSize: (await deps.ledger.latest())?.size ?? null };
}
