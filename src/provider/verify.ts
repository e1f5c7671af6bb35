/**
 * @module provider/verify
 * The provider's gate: every check an order must pass before it reaches the answerable state,
 * each with its own reason code (reasons.ts). The checks are pure — the caller gives what the
 * node knows (its trust list, the legal engine, the orders and checkpoints it has seen) — so the
 * same function serves the inbox and the tests.
 *
 * (a) signature: the envelope opened (every signature verified by a key the trust list assigns
 *     to a named authority, in its validity window: src/exchange/envelope.ts); a refused envelope
 *     is classified by {@link signatureFailure}.
 * (b) authority: the legal engine — Reg. 2023/1543 Art. 4 (issuing-authorities.json) or
 *     CETS 224 Art. 7 (provider-path.json) — on the date of issue, with the instrument binding
 *     both States and no reservation closing the path; a validation is a reviewer signature by
 *     an authority of a validating kind.
 * (c) log: the order's entry is in the issuing node's log — a c2sp tlog-proof verified offline
 *     against the log key of the sender's peer agreement, the entry recomputed from the order —
 *     and the checkpoint agrees with any checkpoint of that log already held.
 * (d) emergency: an emergency order bears a second signature (exchange-evidence.md §3(4)) and,
 *     where Art. 4(5) gives no emergency route, its prior validation.
 * (e) replay: a message id or order reference already seen is refused.
 */
import type { AgreementAuthority } from '../exchange/agreement.js';
import type { SignatureRole } from '../exchange/envelope.js';
import type { ExchangeErrorCode } from '../exchange/errors.js';
import type { ExchangeMessage } from '../exchange/message.js';
import type { TrustList } from '../exchange/trust.js';
import type { KnowledgeBase } from '../law/knowledge-base.js';
import { kindsOfAuthority, mayIssue, mayValidate, type AuthorityKind as IssuingKind, type IssuingAnswer, type IssuingRules } from '../law/issuing-authorities.js';
import { pathOfOrderKind, providerDeadline, providerPathRules, type ProviderPath } from '../law/provider-path.js';
import { ParticipationIndex } from '../law/status.js';
import type { InstrumentId } from '../law/model.js';
import { LedgerError } from '../ledger/errors.js';
import { parseVerifierKey } from '../ledger/note.js';
import { verifyTlogProof } from '../ledger/tlog-proof.js';
import { orderFactsSchema, orderLeafText, type OrderCore, type OrderFacts } from './order.js';
import { notChecked, reasonsOf, type CheckResult, type Checks, type QuarantineReason } from './reasons.js';

/** The instruments whose orders go through the provider's gate. */
export const GATED_INSTRUMENTS: ReadonlySet<string> = new Set(providerPathRules().paths.map((p) => p.instrument));

/** Is `message` an order to a provider authority hosted on this node (and so subject to the gate)? */
export function isProviderOrder(message: { type?: unknown; action?: unknown; instrument?: unknown; body?: unknown; to?: { authority?: unknown } }, trust: TrustList): boolean {
  if (message.type !== 'request' || message.action !== 'send') return false;
  const to = typeof message.to?.authority === 'string' ? trust.self.authorities.get(message.to.authority) : undefined;
  if (to?.kind !== 'service-provider') return false;
  const body = message.body as { order?: unknown } | undefined;
  return (typeof message.instrument === 'string' && GATED_INSTRUMENTS.has(message.instrument)) || (typeof body === 'object' && body !== null && body.order !== undefined);
}

/**
 * The Art. 4 kind of an authority: as its node declares it in the agreement, else the most
 * restrictive reading of its coarse kind (a "prosecutor or judge" counts as a prosecutor, a
 * police unit or central authority as an "other competent authority"); providers and enforcing
 * authorities issue nothing. With `rules`, a declared kind the coarse kind cannot have (a police
 * unit declared a judge) is no kind at all: see {@link declaredKindMismatch}.
 */
export function issuingKindOf(authority: Pick<AgreementAuthority, 'kind' | 'issuingKind'> | undefined, rules?: IssuingRules): IssuingKind | null {
  if (authority === undefined) return null;
  if (authority.issuingKind !== undefined) {
    if (rules !== undefined && declaredKindMismatch(authority, rules) !== null) return null;
    return authority.issuingKind;
  }
  switch (authority.kind) {
    case 'prosecutor-or-judge':
      return 'public-prosecutor';
    case 'police-unit':
    case 'central-authority':
    case '24/7-point-of-contact':
      return 'other-competent-authority';
    default:
      return null;
  }
}

/**
 * Why the Art. 4 kind an agreement declares for an authority is one its coarse kind cannot have
 * (issuing-authorities.json `directoryKinds`), or null when it can (or none is declared).
 */
export function declaredKindMismatch(authority: Pick<AgreementAuthority, 'kind' | 'issuingKind'> & { id?: string }, rules: IssuingRules): string | null {
  if (authority.issuingKind === undefined) return null;
  const answer = kindsOfAuthority(rules, { id: authority.id ?? 'the authority', kind: authority.kind, issuingKind: authority.issuingKind }, authority.issuingKind);
  return answer.competent ? null : `its node's agreement declares ${answer.reason}`;
}

/** The reason code of an envelope the exchange refused, when it is an order (check (a), (d) or (e)). */
export function signatureFailure(code: ExchangeErrorCode, claimedEmergency: boolean): { check: 'signature' | 'emergency' | 'replay'; code: QuarantineReason } {
  switch (code) {
    case 'unknown-key':
    case 'unknown-authority':
    case 'unknown-sender':
      return { check: 'signature', code: 'order-key-untrusted' };
    case 'key-revoked':
      return { check: 'signature', code: 'order-key-removed' };
    case 'key-expired':
      return { check: 'signature', code: 'order-key-expired' };
    case 'missing-signature':
      return claimedEmergency ? { check: 'emergency', code: 'order-emergency-unvalidated' } : { check: 'signature', code: 'order-signature-invalid' };
    case 'stale':
    case 'id-reused':
      return { check: 'replay', code: 'order-replayed' };
    case 'bad-signature':
      return { check: 'signature', code: 'order-signature-invalid' };
    default:
      return { check: 'signature', code: 'order-malformed' };
  }
}

export interface VerifyInput {
  readonly message: ExchangeMessage;
  readonly signatures: readonly { authority: string; kid: string; role: SignatureRole }[];
  readonly trust: TrustList;
  readonly kb: KnowledgeBase;
  readonly participation?: ParticipationIndex;
  readonly now: Date;
  /** Whether this message id, or the sender's order reference, was already received. */
  readonly seen: { messageId: boolean; ref: boolean };
  /** Checkpoints of the issuing log already held by this node (root: hex). */
  readonly heldCheckpoints: readonly { size: number; root: string }[];
}

export interface Verification {
  readonly checks: Checks;
  readonly reasons: QuarantineReason[];
  readonly facts: OrderFacts | null;
  /** The checkpoint the proof verified against (to remember, when the order is verified). */
  readonly checkpoint: { origin: string; size: number; root: string; note: string } | null;
  /** The provider's deadline (hours from receipt), with its citation, when the path gives one. */
  readonly deadline: ReturnType<typeof providerDeadline> | null;
}

const fail = (code: QuarantineReason, detail: string, citation?: CheckResult['citation']): CheckResult => ({ status: 'fail', code, detail, ...(citation ? { citation } : {}) });
const pass = (detail: string, citation?: CheckResult['citation']): CheckResult => ({ status: 'pass', detail, ...(citation ? { citation } : {}) });

function authorityCheck(input: VerifyInput, facts: OrderFacts, path: ProviderPath, issuerKind: IssuingKind | null, participation: ParticipationIndex): { result: CheckResult; art4: IssuingAnswer | null } {
  const { message, trust } = input;
  const sender = trust.node(message.from.node);
  const issuer = sender?.authorities.get(message.from.authority);
  const provider = trust.self.authorities.get(message.to.authority);
  const date = facts.issuedAt.slice(0, 10);
  const instrument = path.instrument as InstrumentId;
  if (!path.categories.includes(facts.category)) {
    return { result: fail('order-category-not-allowed', `${path.instrument} does not carry orders for ${facts.category} (only ${path.categories.join(', ')})`, path.issuerCitation), art4: null };
  }
  for (const party of [issuer?.party, provider?.party]) {
    if (party === undefined) continue;
    const status = participation.partyStatus(party, instrument, date);
    const reserved = (path.reservationArticles ?? []).find((article) => status.reservations.some((r) => r.id === `${path.instrument}-${article}`));
    if (reserved !== undefined) return { result: fail('order-instrument-reserved', `${party} made the reservation of ${path.instrument} Art. ${reserved}: it does not apply this path`, path.reservationCitation), art4: null };
  }
  for (const party of [issuer?.party, provider?.party]) {
    if (party === undefined) continue;
    const status = participation.partyStatus(party, instrument, date);
    if (status.status !== 'in-force') {
      const citation = participation.instrumentStatus(instrument, date).citation;
      return { result: fail('order-instrument-not-in-force', `${path.instrument} does not bind ${party} on ${date} (status: ${status.status})${status.verified ? '' : ' — unconfirmed data'}`, citation), art4: null };
    }
  }
  const mismatch = issuer === undefined ? null : declaredKindMismatch({ ...issuer, id: message.from.authority }, input.kb.issuing);
  if (mismatch !== null) return { result: fail('order-issuer-not-competent', `${message.from.authority}: ${mismatch}`, input.kb.issuing.directoryKinds.citation), art4: null };
  if (issuerKind === null) return { result: fail('order-issuer-not-competent', `${message.from.authority} (${issuer?.kind ?? 'unknown'}) is not an issuing authority`), art4: null };
  if (path.issuers === 'any-competent') {
    return { result: pass(`${message.from.authority} (${issuerKind}) may issue a ${facts.kind} for ${facts.category}. ${path.issuerNote ?? ''}`.trim(), path.issuerCitation), art4: null };
  }
  const order = facts.kind === 'EPOC-PR' ? 'EPOC-PR' : 'EPOC';
  const art4 = mayIssue(input.kb.issuing, { order, category: facts.category, authority: issuerKind, emergency: message.emergency });
  const citation = art4.citations[0];
  if (!art4.mayIssue) return { result: fail('order-issuer-not-competent', art4.reason, citation), art4 };
  if (art4.validation === 'prior') {
    const validator = validatorOf(input, facts);
    if (validator === null) {
      const named = facts.validatedBy === null ? undefined : sender?.authorities.get(facts.validatedBy);
      const mismatch = named === undefined || facts.validatedBy === null ? null : declaredKindMismatch({ ...named, id: facts.validatedBy }, input.kb.issuing);
      return { result: fail('order-validation-missing', mismatch === null ? `${art4.reason}: the order bears no validation signature` : `${art4.reason}: the validator ${facts.validatedBy} does not count — ${mismatch}`, citation), art4 };
    }
    const answer = mayValidate(input.kb.issuing, { order, category: facts.category, authority: validator.kind });
    if (!answer.mayValidate) return { result: fail('order-validation-missing', `${validator.id} (${validator.kind}) signed as validator, but ${answer.reason}`, answer.citation), art4 };
    return { result: pass(`${art4.reason}: validated by ${validator.id} (${validator.kind}), whose signature the order bears`, citation), art4 };
  }
  return { result: pass(art4.reason, citation), art4 };
}

/** The validating authority: named in the order and a verified reviewer signature of the same sender node. */
function validatorOf(input: VerifyInput, facts: OrderFacts): { id: string; kind: IssuingKind } | null {
  if (facts.validatedBy === null) return null;
  if (!input.signatures.some((s) => s.role === 'reviewer' && s.authority === facts.validatedBy)) return null;
  const kind = issuingKindOf(input.trust.node(input.message.from.node)?.authorities.get(facts.validatedBy), input.kb.issuing);
  return kind === null ? null : { id: facts.validatedBy, kind };
}

function logCheck(input: VerifyInput, facts: OrderFacts, core: OrderCore): { result: CheckResult; checkpoint: Verification['checkpoint'] } {
  const sender = input.trust.node(input.message.from.node);
  if (sender?.logKey === undefined) return { result: fail('order-log-key-missing', `the peer agreement of ${input.message.from.node} publishes no log key: import a newer agreement (comity peers add)`), checkpoint: null };
  if (facts.logProof === null) return { result: fail('order-not-in-issuing-log', 'the order carries no proof that it is in the issuing node\'s log'), checkpoint: null };
  const verifier = parseVerifierKey(sender.logKey);
  try {
    const proved = verifyTlogProof(facts.logProof, verifier.name, verifier, { entry: Buffer.from(orderLeafText(core), 'utf8') });
    const root = proved.checkpoint.root.toString('hex');
    const fork = input.heldCheckpoints.find((c) => c.size === proved.checkpoint.size && c.root !== root);
    if (fork !== undefined) return { result: fail('order-log-inconsistent', `the issuing log ${verifier.name} showed this node another tree of the same size ${fork.size}: the log forked`), checkpoint: null };
    const newer = input.heldCheckpoints.filter((c) => c.size > proved.checkpoint.size).length;
    const note = newer > 0 ? ` (this node holds ${newer} newer checkpoint(s) of the log; no consistency proof travels with the order, so only same-size forks are detected)` : '';
    return {
      result: pass(`entry ${proved.index} of ${verifier.name}, in the checkpoint of size ${proved.checkpoint.size} signed by the log key of the peer agreement${note}`),
      checkpoint: { origin: verifier.name, size: proved.checkpoint.size, root, note: proved.checkpoint.note ?? '' },
    };
  } catch (error) {
    if (!(error instanceof LedgerError)) throw error;
    if (error.code === 'invalid-proof') return { result: fail('order-not-in-issuing-log', `the proof does not show this order in the issuing log: ${error.message}`), checkpoint: null };
    return { result: fail('order-log-proof-invalid', `the log proof does not verify with the log key of the peer agreement: ${error.message}`), checkpoint: null };
  }
}

/** Runs every check on an order whose envelope opened. */
export function verifyOrder(input: VerifyInput): Verification {
  const { message, trust } = input;
  const participation = input.participation ?? new ParticipationIndex(input.kb);
  const sender = trust.node(message.from.node);
  const issuer = sender?.authorities.get(message.from.authority);
  const reviewers = input.signatures.filter((s) => s.role === 'reviewer');
  const signer = input.signatures.find((s) => s.role === 'sender');
  const checks: Checks = {
    signature: pass(`signed by ${message.from.authority} (${issuer?.kind ?? '?'}) of ${message.from.node} with key ${signer?.kid ?? '?'} from the trust list${reviewers.length > 0 ? `; second signature by ${reviewers.map((r) => r.authority).join(', ')}` : ''}`),
    authority: notChecked('not checked'),
    log: notChecked('not checked'),
    emergency: message.emergency ? notChecked('not checked') : { status: 'not-applicable', detail: 'not an emergency order' },
    replay: input.seen.messageId ? fail('order-replayed', `message ${message.id} was already received`) : input.seen.ref ? fail('order-replayed', 'an order with this reference from this node was already received: a re-sent order') : pass('first delivery of this message and of this order reference'),
  };
  const parsed = orderFactsSchema.safeParse((message.body as { order?: unknown }).order);
  if (!parsed.success || parsed.data.issuingAuthority !== message.from.authority) {
    const issue = parsed.success ? 'order.issuingAuthority is not the signing authority' : `order${parsed.error.issues[0]?.path.length ? `.${parsed.error.issues[0].path.join('.')}` : ''}: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
    checks.authority = fail('order-malformed', `the order's facts are missing or invalid (${issue})`);
    return { checks, reasons: reasonsOf(checks), facts: null, checkpoint: null, deadline: null };
  }
  const facts = parsed.data;
  const rules = providerPathRules();
  const path = pathOfOrderKind(rules, facts.kind);
  if (path === undefined || path.instrument !== message.instrument) {
    checks.authority = fail('order-malformed', `a ${facts.kind} does not travel under instrument ${String(message.instrument)}`);
    return { checks, reasons: reasonsOf(checks), facts, checkpoint: null, deadline: null };
  }
  if (Date.parse(facts.issuedAt) > Date.parse(message.time) + 5 * 60_000) checks.replay = fail('order-replayed', `the order is dated ${facts.issuedAt}, after the message that carries it`);
  const issuerKind = issuingKindOf(issuer, input.kb.issuing);
  const { result, art4 } = authorityCheck(input, facts, path, issuerKind, participation);
  checks.authority = result;
  const core: OrderCore = { ref: facts.ref, kind: facts.kind, category: facts.category, issuedAt: facts.issuedAt, issuingAuthority: facts.issuingAuthority, validatedBy: facts.validatedBy, provider: message.to.authority, instrument: message.instrument, emergency: message.emergency };
  const log = logCheck(input, facts, core);
  checks.log = log.result;
  if (message.emergency) {
    const emergency = input.kb.issuing.emergency;
    if (reviewers.length === 0) checks.emergency = fail('order-emergency-unvalidated', 'an emergency order must bear a second signature of another authority (validation or co-signature)', emergency.citation);
    else if (art4?.validation === 'ex-post') checks.emergency = pass(`second signature by ${reviewers.map((r) => r.authority).join(', ')}; Art. 4(5): validation by ${art4.validators.join(', ')} must follow within ${art4.validateWithinHours ?? '?'} hours`, emergency.citation);
    else if (!path.emergencyRoute) checks.emergency = pass(`second signature by ${reviewers.map((r) => r.authority).join(', ')}; ${path.instrument} has no emergency route: its ordinary deadline applies`, path.deadlines[0]?.citation);
    else checks.emergency = pass(`second signature by ${reviewers.map((r) => r.authority).join(', ')}`, emergency.citation);
  }
  const deadline = providerDeadline(path, facts.kind, message.emergency) ?? null;
  return { checks, reasons: reasonsOf(checks), facts, checkpoint: log.checkpoint, deadline };
}
