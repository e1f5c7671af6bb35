/**
 * @module cases
 * The request workflow on both sides: authorities, requests, validation against the legal
 * engine, safeguards, assessment and refusal, legal clocks, audit, data protection.
 */
export * from './workflow.js';
export * from './errors.js';
export * from './context.js';
export * from './request.js';
export * from './assessment.js';
export * from './event-payload.js';
export * from './authorities.js';
export * from './presenter.js';
export { applyPeerEvent, importSentCase, readCase, createCase, createCaseOnce, forgetExpiredIdempotencyKeys, IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_KEY_TTL_HOURS, transitionCase, updateDraft } from './commands.js';
export type { CreatedOnce, TransitionInput, UpdateDraftOptions } from './commands.js';
export * from './attachments.js';
export { sniffMediaType } from './media-type.js';
export { isVisibleName, isVisibleText } from './visible-text.js';
export { getCase, listCases, listDeadlines } from './queries.js';
export type { CaseDeadline, DeadlineFilter, ListFilter } from './queries.js';
export { announceDueSoon, DUE_SOON_HOURS, escalateOverdue, startScheduler } from './scheduler.js';
export type { Escalation } from './scheduler.js';
export { purgeExpiredCases, accessRecords } from './retention.js';
export { basisIssues, missingContents, missingSafeguards } from './validate.js';
export type { ValidationIssue } from './validate.js';
export { caseFile, fileCase, resolveFollows } from './links.js';
export type { CaseFile, LinkedRequest, PreservationClock } from './links.js';
export { applyEventToTargets, caseTargets, EMERGENCY_TARGET_HOURS } from './targets.js';
export type { CaseTarget } from './targets.js';
export { ADDRESSEE_KIND_OF, channelMisfit } from './channel-fit.js';
export type { ChannelMisfit } from './channel-fit.js';
