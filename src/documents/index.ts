/**
 * @module documents
 * Formal documents a central authority sends: the official forms (T-CY templates, EPOC, EPOC-PR,
 * Annex III, EIO) and a formal letter, filled from the case and the legal engine, in the
 * request's language, printed in every script and signed (PAdES).
 */
export { issueDocument, formsOf, DocumentError, ISSUING_ROLES } from './issue.js';
export type { IssueRequest, IssuedDocument, DocumentErrorCode } from './issue.js';
export { requestFormsFor, answerFormsFor } from './forms-for.js';
export { documentLanguages } from './words.js';
export { FORM_IDS } from './model.js';
export type { FormId, DocumentModel } from './model.js';
