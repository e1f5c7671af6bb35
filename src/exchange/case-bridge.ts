/**
 * @module exchange/case-bridge
 * Cases across nodes (issue 12). Each node keeps its own record of a case — the requesting node
 * its outgoing request, the requested node its incoming one — under one id, the conversation id
 * of every message about it. A step that crosses the border (every event but the requesting
 * side's internal approval) is a message; the receiving node applies it to its record through the
 * same workflow rules (`applyPeerEvent` → `cases/workflow.ts`), inside the inbox transaction, so a
 * step the rules refuse comes back as a signed rejection and changes nothing.
 *
 * When both sides are hosted on this node, nothing travels: the single-node behaviour is unchanged.
 */
import type { Kysely, Selectable } from 'kysely';
import { applyPeerEvent, CaseError, importSentCase, TRANSITIONS, type Actor, type CaseContext, type CaseEvent, type CaseFederation, type TransitionInput } from '../cases/index.js';
import { requestSchema, type Request } from '../cases/request.js';
import { basisIssues } from '../cases/validate.js';
import { cite } from '../law/cite.js';
import type { CasesTable, Database } from '../db/index.js';
import type { EvidenceContext } from '../evidence/context.js';
import type { SecretBox } from '../auth/secrets.js';
import { signerFor } from '../evidence/custody.js';
import { acceptTransfersIn, applyTransferReceived, recordTransfersOut, sealCaseEvidence, type TransferSettings } from './evidence-transfer.js';
import type { ExchangeMessage } from './message.js';
import { MessageRejected, type MessageHandler } from './inbox.js';
import type { MessageType } from './message-types.js';
import { applyReadNotice } from './read-notice.js';
import type { ExchangeRuntime } from './runtime.js';
import { emergencyCoSigners } from './trust.js';
import { logOrder, type OrderCore, type OrderFacts } from '../provider/order.js';

/** The message type of each border-crossing event (TS 103 120 mapping: docs/exchange-etsi-mapping.md). */
export const EVENT_MESSAGE_TYPES: Readonly<Partial<Record<CaseEvent, MessageType>>> = Object.freeze({
  send: 'request',
  receive: 'acknowledgement',
  acknowledge: 'acknowledgement',
  'start-assessment': 'notice',
  'request-clarification': 'clarification-request',
  'answer-clarification': 'clarification-answer',
  accept: 'decision',
  postpone: 'decision',
  resume: 'decision',
  refuse: 'decision',
  'execute-partially': 'execution',
  execute: 'execution',
  respond: 'response',
  withdraw: 'withdrawal',
  close: 'closing',
  lapse: 'notice',
});

/** The authority of the side that performs `event`, and the other side's. */
function sidesOf(row: Selectable<CasesTable>, event: CaseEvent): { actor: string; other: string } {
  return TRANSITIONS[event].side === 'requesting' ? { actor: row.requesting_authority_id, other: row.addressee_id } : { actor: row.addressee_id, other: row.requesting_authority_id };
}

function transitionInput(body: Record<string, unknown>): TransitionInput {
  const input: TransitionInput = {};
  const given = (body.input ?? {}) as Record<string, unknown>;
  if (typeof given.reason === 'string') input.reason = given.reason;
  for (const key of ['review', 'assessment', 'response'] as const) if (given[key] !== undefined) input[key] = given[key];
  return input;
}

/**
 * The sending half: for an event of a case whose other side is on a peer, the sealed message.
 * An emergency request also carries the signature of another authority hosted here (a
 * prosecutor, a central authority), the second signature of exchange-evidence.md §3(4).
 */
export function createCaseFederation(runtime: ExchangeRuntime, options: { evidence?: EvidenceContext; transfers?: TransferSettings; orderLog?: OrderLog } = {}): CaseFederation {
  return {
    async prepare(row, actor, event, input) {
      const type = EVENT_MESSAGE_TYPES[event];
      if (type === undefined) return null;
      const { actor: from, other: to } = sidesOf(row, event);
      const trust = await runtime.trust();
      const remote = trust.nodeOfAuthority(to);
      if (remote === undefined || remote.self || !trust.self.authorities.has(from)) return null;
      const emergency = row.emergency === 1;
      const reviewers = emergency && event === 'send' ? emergencyCoSigners(trust, from) : [];
      // Only the request itself is an emergency message, with its second signature (the receiver
      // refuses an emergency message without one). The later steps of an emergency case — the
      // requested side's answers above all, whose node may host no second authority to co-sign —
      // go unmarked but are relayed as urgently (the outbox's emergency flag).
      const marked = emergency && event === 'send';
      const { reason, review, assessment, response } = input;
      // A response carries the case's evidence: sealed now for the peer, fetched by it in chunks.
      const evidence = event === 'respond' && options.evidence && options.transfers ? await sealCaseEvidence(options.evidence, options.transfers, row.id, remote.nodeId) : [];
      const signer = evidence.length > 0 && options.evidence ? await signerFor(options.evidence.keys, from, new Date()) : null;
      // An order straight to a provider on a peer node (issue 14 part B): its facts and the proof
      // that this node logged it, which the provider's gate verifies (src/provider/verify.ts).
      const toProvider = event === 'send' && remote.authorities.get(to)?.kind === 'service-provider';
      const order = toProvider ? await orderFactsOf(row, from, to, emergency, reviewers, options.orderLog) : null;
      const prepared = await runtime.prepare(
        {
          from: { authority: from },
          to: { authority: to },
          inReplyTo: null,
          conversation: row.id,
          type,
          instrument: row.legal_basis.split(':')[0] ?? null,
          action: event,
          emergency: marked,
          // JSON form: no undefined members in what is signed.
          body: JSON.parse(JSON.stringify({ caseVersion: row.version, input: { reason, review, assessment, response }, ...(event === 'send' ? { case: row } : {}), ...(evidence.length > 0 ? { evidence } : {}), ...(order === null ? {} : { order }) })) as Record<string, unknown>,
        },
        reviewers,
        row.id,
      );
      const ev = options.evidence;
      const enqueue = async (trx: Kysely<Database>) => {
        await prepared.enqueue(trx);
        if (emergency && !marked) await trx.updateTable('exchange_outbox').set({ emergency: 1 }).where('message_id', '=', prepared.message.id).execute();
        if (signer !== null && ev !== undefined) await recordTransfersOut(trx, ev, signer, evidence, { caseId: row.id, actor: actor.id, authorityId: from, peerNodeId: remote.nodeId, toAuthority: to, messageId: prepared.message.id }, prepared.message.time);
      };
      return { enqueue, committed: () => runtime.relay.wake() };
    },
  };
}

/**
 * The requested side's own legal engine re-checks an incoming request before anything is applied:
 * the States are those of the two authorities (the sender's from its signed agreement, ours from
 * our directory), never the parties the request claims; the cited provision must be an applicable
 * basis between them for every measure on the day the request was sent, with both States'
 * reservations and declarations as this node's knowledge base records them (law/bases.ts).
 * @throws {MessageRejected} `basis-not-applicable` (or `unknown-basis`, `wrong-party`) with the engine's reasons and citation.
 */
async function recheckLegalBasis(cases: CaseContext, trx: Kysely<Database>, sent: Selectable<CasesTable>, message: ExchangeMessage): Promise<void> {
  const rows = await trx.selectFrom('authorities').select(['id', 'party']).where('id', 'in', [message.from.authority, message.to.authority]).execute();
  const partyOf = (id: string) => rows.find((r) => r.id === id)?.party;
  const from = partyOf(message.from.authority);
  const to = partyOf(message.to.authority);
  if (from === undefined || to === undefined) throw new MessageRejected('not-found', 'the sender or the addressed authority is not in this node\'s directory');
  if (sent.requesting_party !== from || sent.requested_party !== to) {
    throw new MessageRejected('wrong-party', `the request claims ${sent.requesting_party} → ${sent.requested_party}, but its authorities are of ${from} → ${to}`);
  }
  let request: Request;
  try {
    request = requestSchema.parse(JSON.parse(sent.request ?? 'null'));
  } catch {
    throw new MessageRejected('invalid-message', 'the request carries no valid request content');
  }
  if (request.legalBasis !== sent.legal_basis) throw new MessageRejected('invalid-message', 'the request cites two different legal bases');
  const date = message.time.slice(0, 10);
  const issues = basisIssues(cases.finder, cases.kb, request, from, to, date).filter((i) => i.code === 'unknown-basis' || i.code === 'basis-not-applicable' || i.code === 'unknown-offence');
  if (issues.length === 0) return;
  const citation = issues.find((i) => i.citation !== undefined)?.citation;
  const cited = citation ? ` [${cite(citation)}]` : '';
  throw new MessageRejected(issues[0]!.code === 'unknown-offence' ? 'basis-not-applicable' : issues[0]!.code, `the requested side's legal engine refuses the request: ${issues.map((i) => i.message).join('; ')}${cited}`);
}

/** Where the issuing node logs an order and gets its tlog-proof (the node's ledger). */
export interface OrderLog {
  readonly db: Kysely<Database>;
  proofOf(sourceId: string): Promise<{ tlogProof: string }>;
}

const CATEGORY_OF_MEASURE: Readonly<Record<string, OrderFacts['category']>> = { 'content-data': 'content-data', 'traffic-data': 'traffic-data', 'traffic-disclosure': 'traffic-data', 'identification-data': 'identification-data', 'subscriber-info': 'subscriber-data' };
const CATEGORY_RANK: readonly OrderFacts['category'][] = ['content-data', 'traffic-data', 'identification-data', 'subscriber-data'];

/**
 * The order's facts from the case: EPOC-PR for a preservation alone, else EPOC (CETS 224: an
 * Art. 7 order); the most protected data category among its measures; logged on this node when
 * it has a log (else sent without proof: the provider quarantines it, `order-not-in-issuing-log`).
 */
async function orderFactsOf(row: Selectable<CasesTable>, from: string, to: string, emergency: boolean, reviewers: readonly string[], orderLog: OrderLog | undefined): Promise<OrderFacts | null> {
  const instrument = row.legal_basis.split(':')[0] ?? null;
  if (instrument !== 'EU-2023-1543' && instrument !== 'CETS224') return null;
  const measures = JSON.parse(row.measures) as string[];
  const categories = measures.flatMap((m) => (CATEGORY_OF_MEASURE[m] === undefined ? [] : [CATEGORY_OF_MEASURE[m]]));
  const category = CATEGORY_RANK.find((c) => categories.includes(c)) ?? 'subscriber-data';
  const kind: OrderFacts['kind'] = instrument === 'CETS224' ? 'CETS224-ART7' : categories.length === 0 && measures.includes('preservation') ? 'EPOC-PR' : 'EPOC';
  const core: OrderCore = { ref: row.id, kind, category, issuedAt: new Date().toISOString(), issuingAuthority: from, validatedBy: reviewers[0] ?? null, provider: to, instrument, emergency };
  const logProof = orderLog === undefined ? null : await logOrder(orderLog.db, orderLog, core);
  return { ref: core.ref, kind, category, issuedAt: core.issuedAt, issuingAuthority: from, validatedBy: core.validatedBy, logProof };
}

/** The receiving half: applies a peer's step to this node's record of the case. */
export function createCaseMessageHandler(cases: CaseContext, options: { onTransfers?: () => void; onTransfersConfirmed?: () => void; box?: SecretBox } = {}): MessageHandler {
  return {
    async apply(trx, opened) {
      const message = opened.message;
      if (message.type === 'notice' && message.action === 'read') return applyReadNotice(trx, opened);
      // The receiver has stored evidence this node sent: its chunks here can go (closed after the commit).
      if (message.type === 'notice' && message.action === 'transfer-received') {
        if ((await applyTransferReceived(trx, message)) > 0) setTimeout(() => options.onTransfersConfirmed?.(), 50);
        return;
      }
      const event = message.action as CaseEvent;
      if (!(event in TRANSITIONS) || EVENT_MESSAGE_TYPES[event] !== message.type) throw new MessageRejected('invalid-message', `action ${message.action} does not go with type ${message.type}`);
      const actor: Actor = { id: `peer:${message.from.node}/${message.from.authority}`, authorityId: message.from.authority };
      try {
        if (event === 'send') {
          const sent = message.body.case as Selectable<CasesTable> | undefined;
          if (sent === undefined || sent.id !== message.conversation) throw new MessageRejected('invalid-message', 'a request carries its case, under the conversation id');
          if (sent.requesting_authority_id !== message.from.authority || sent.addressee_id !== message.to.authority) throw new MessageRejected('wrong-side', 'the request names other authorities than its sender and recipient');
          await recheckLegalBasis(cases, trx, sent, message);
          await importSentCase(cases, trx, sent, actor);
          return;
        }
        const row = await trx.selectFrom('cases').select(['requesting_authority_id', 'addressee_id', 'legal_basis', 'emergency', 'state', 'version', 'id']).where('id', '=', message.conversation).executeTakeFirst();
        if (row === undefined) throw new MessageRejected('not-found', `no case ${message.conversation} on this node`);
        const sides = sidesOf(row as Selectable<CasesTable>, event);
        if (sides.actor !== message.from.authority || sides.other !== message.to.authority) throw new MessageRejected('wrong-side', `${message.from.authority} is not the side that may ${event} case ${message.conversation}`);
        await applyPeerEvent(cases, trx, message.conversation, actor, event, transitionInput(message.body));
        // Evidence announced with a response: recorded with it, fetched after the commit.
        if (event === 'respond' && (await acceptTransfersIn(trx, message, new Date().toISOString(), options.box)) > 0) setTimeout(() => options.onTransfers?.(), 50);
      } catch (error) {
        if (error instanceof CaseError) throw new MessageRejected(error.code, error.message);
        throw error;
      }
    },
  };
}
