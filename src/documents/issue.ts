/**
 * @module documents/issue
 * Issuing a formal document: the form is checked against the case's legal basis, filled,
 * printed, and — when the person issuing it acts for the issuing authority, in a role that sends
 * requests, on a case past its draft — signed (PAdES) with that authority's document-signing key
 * from the key store, under a certificate naming the authority and the node. The SHA-256 of the
 * signed file is written in the case's audit trail (`case.document-issued`) in its own
 * transaction, for the ledger. Anyone else on the case gets an unsigned copy that says so.
 */
import { createHash, type KeyObject } from 'node:crypto';
import type { Authority } from '../cases/authorities.js';
import { writeAudit } from '../cases/audit.js';
import type { CaseContext } from '../cases/context.js';
import type { CaseDetail } from '../cases/presenter.js';
import type { KeyStore } from '../keys/index.js';
import type { KnowledgeBase } from '../law/index.js';
import { issueCertificate } from './certificate.js';
import { answerFormsFor, requestFormsFor } from './forms-for.js';
import { buildDocument, type PersonInCharge } from './forms/index.js';
import type { DocumentModel, FormId } from './model.js';
import { signPlaceholder } from './pades.js';
import { renderDocument } from './render.js';
import { documentLanguages, translator } from './words.js';

/** Roles that issue documents in an authority's name (they send requests or answer them). */
export const ISSUING_ROLES = ['central-authority-officer', '24/7-officer', 'service-provider-agent'] as const;

/** How long the self-issued certificate of a document-signing key is valid. */
const CERTIFICATE_YEARS = 5;

export type DocumentErrorCode = 'form-not-applicable' | 'document-unavailable' | 'unknown-language';

export class DocumentError extends Error {
  override readonly name = 'DocumentError';
  constructor(
    readonly code: DocumentErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface IssueRequest {
  readonly detail: CaseDetail;
  readonly requesting: Authority;
  readonly addressee: Authority;
  /** Default: the first form for the case's basis (the official one). */
  readonly form?: FormId;
  /** Default: the request's language when documents exist in it, else English. */
  readonly language?: string;
  readonly person: PersonInCharge & { readonly authorityId: string | null; readonly roles: readonly string[]; readonly actor: string };
  /** Name of this node (printed and in the certificate). */
  readonly node: string;
}

export interface IssuedDocument {
  readonly pdf: Buffer;
  readonly sha256: string;
  readonly signed: boolean;
  readonly form: FormId;
  readonly language: string;
  readonly model: DocumentModel;
}

/** The forms a case offers: the requesting side's, then the addressee's answer forms. */
export function formsOf(detail: Pick<CaseDetail, 'legalBasis' | 'assessment'>): FormId[] {
  return [...requestFormsFor(detail.legalBasis), ...answerFormsFor(detail.legalBasis, detail.assessment !== null)];
}

export async function issueDocument(deps: { cases: CaseContext; keys: KeyStore; kb: KnowledgeBase }, input: IssueRequest): Promise<IssuedDocument> {
  const { detail } = input;
  if (detail.request === null) throw new DocumentError('document-unavailable', 'the content of this case was deleted at the end of its retention period: no document can be issued');
  const forms = formsOf(detail);
  const form = input.form ?? forms[0] ?? 'letter';
  if (!forms.includes(form)) throw new DocumentError('form-not-applicable', `form "${form}" does not fit legal basis ${detail.legalBasis}: use ${forms.join(', ')}`);
  const languages = documentLanguages();
  const language = input.language ?? (languages.includes(detail.request.language) ? detail.request.language : 'en');
  if (!languages.includes(language)) throw new DocumentError('unknown-language', `no documents in "${language}": use ${languages.join(', ')}`);

  const issuer = form === 'eu-annex-iii' ? input.addressee : input.requesting;
  const now = deps.cases.now();
  const signs = input.person.authorityId === issuer.id && input.person.roles.some((r) => (ISSUING_ROLES as readonly string[]).includes(r)) && detail.state !== 'draft';
  const built = buildDocument(form, { detail, requesting: input.requesting, addressee: input.addressee, kb: deps.kb, personInCharge: input.person, issuer, issuedAt: now, language, node: input.node });
  const t = translator(language);
  const model: DocumentModel = signs ? built : { ...built, marks: [t(detail.state === 'draft' ? 'mark.draft' : 'mark.copy'), ...built.marks], signature: [...built.signature.slice(0, 3), t('signature.unsigned')] };

  if (!signs) {
    const pdf = await renderDocument(model, { issuedAt: now });
    return { pdf, sha256: sha256(pdf), signed: false, form, language, model };
  }
  const { key, privateKey, certificate } = await authoritySigner(deps.keys, issuer, input.node, now);
  const unsigned = await renderDocument(model, {
    issuedAt: now,
    signatureField: { signerName: issuer.name, reason: model.title, location: input.node, contactInfo: input.person.email, signedAt: now },
  });
  const pdf = signPlaceholder(unsigned, certificate, privateKey);
  const digest = sha256(pdf);
  await recordIssue(deps.cases, { caseId: detail.id, actor: input.person.actor, at: now.toISOString(), form, language, sha256: digest, keyId: key.id });
  return { pdf, sha256: digest, signed: true, form, language, model };
}

/**
 * An authority's document-signing key (ECDSA P-256, made on first use) and its self-issued
 * certificate naming the authority and the node: what signs its PDFs (PAdES) and the detached
 * CAdES signatures of its e-Evidence certificates (eorders/signature.ts).
 */
export async function authoritySigner(keys: KeyStore, authority: Pick<Authority, 'id' | 'name' | 'party'>, node: string, now: Date): Promise<{ key: { id: string }; privateKey: KeyObject; certificate: Buffer }> {
  const key = await keys.ensure(authority.id, 'document-signing', 'ECDSA-P256', now);
  if (key.publicKeyDer === null) throw new Error('document-signing key without public key');
  const privateKey = await keys.privateKey(key.id, 'sign');
  const notBefore = new Date(key.notBefore);
  const certificate = issueCertificate({
    subject: { commonName: authority.name, country: authority.party, authorityId: authority.id, node },
    publicKeyDer: key.publicKeyDer,
    privateKey,
    keyId: key.id,
    notBefore,
    notAfter: new Date(Date.UTC(notBefore.getUTCFullYear() + CERTIFICATE_YEARS, notBefore.getUTCMonth(), notBefore.getUTCDate())),
  });
  return { key, privateKey, certificate };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The audit event of an issued document: its digest, for the ledger (no content, no name). */
async function recordIssue(ctx: CaseContext, e: { caseId: string; actor: string; at: string; form: FormId; language: string; sha256: string; keyId: string }): Promise<void> {
  const document = { form: e.form, language: e.language, sha256: e.sha256, keyId: e.keyId };
  await ctx.transaction(async (trx) => {
    await writeAudit(trx, { id: ctx.newId(), actor: e.actor, action: 'case.document-issued', objectType: 'case', objectId: e.caseId, at: e.at, before: null, after: document, details: document });
  });
}

