/**
 * @module http/routes/documents
 * `GET /api/cases/:id/pdf?form=&language=`: the case's formal document (see `src/documents`),
 * signed when the caller issues it for the issuing authority, an unsigned copy otherwise. The
 * route itself (path, policy, tenant check) lives with the case routes; this is its body.
 */
import { z } from 'zod';
import type { Authority } from '../../cases/index.js';
import type { CaseDetail } from '../../cases/presenter.js';
// The document renderer (PDFKit, fonts, forms) is loaded on the first document, not at start.
import type { DocumentError, IssuedDocument } from '../../documents/index.js';
import { FORM_IDS } from '../../documents/model.js';
import { createDbKeyStore, type KeyStore } from '../../keys/index.js';
import { localizeLawText } from '../../law/i18n.js';
import type { AppDeps } from '../deps.js';
import type { Principal } from '../principal.js';
import { HttpProblem, type ProblemCode } from '../problems.js';

export const documentQuerySchema = z.strictObject({
  form: z.enum(FORM_IDS).optional(),
  language: z.string().regex(/^[a-z]{2,3}$/, 'an ISO 639 language code').optional(),
});

const DOCUMENT_CODES: Record<DocumentError['code'], ProblemCode> = {
  'form-not-applicable': 'form-not-applicable',
  'document-unavailable': 'document-unavailable',
  'unknown-language': 'invalid-parameter',
};

const keyStores = new WeakMap<AppDeps, KeyStore>();

export function keysOf(deps: AppDeps): KeyStore {
  let keys = keyStores.get(deps);
  if (!keys) {
    keys = createDbKeyStore(deps.cases.db, deps.auth.secretBox);
    keyStores.set(deps, keys);
  }
  return keys;
}

export async function caseDocument(
  deps: AppDeps,
  principal: Principal,
  input: { detail: CaseDetail; requesting: Authority; addressee: Authority; query: z.infer<typeof documentQuerySchema> },
): Promise<IssuedDocument> {
  const user = await deps.cases.db.selectFrom('users').select(['display_name', 'email', 'authority_id']).where('id', '=', principal.userId).executeTakeFirst();
  const own = principal.authorityId === input.requesting.id ? input.requesting : input.addressee;
  const phone = own.contact.phone;
  const documents = await import('../../documents/index.js');
  try {
    return await documents.issueDocument(
      { cases: deps.cases, keys: keysOf(deps), kb: deps.kb },
      {
        detail: input.detail,
        requesting: input.requesting,
        addressee: input.addressee,
        ...(input.query.form ? { form: input.query.form } : {}),
        ...(input.query.language ? { language: input.query.language } : {}),
        person: {
          name: user?.display_name ?? own.name,
          email: user?.email ?? own.contact.email ?? '',
          ...(phone ? { phone } : {}),
          authorityId: principal.via === 'session' ? principal.authorityId : null,
          roles: principal.roles,
          actor: principal.actor,
        },
        node: new URL(deps.config.publicUrl).host,
      },
    );
  } catch (error) {
    if (error instanceof documents.DocumentError) throw new HttpProblem(DOCUMENT_CODES[error.code], error.message);
    throw error;
  }
}

/** Clock descriptions in `lang` (the knowledge base's translation of the text stored with the clock, when it is current). */
export function localizeClocks<T extends { provision: string; deadlineId: string; description: string }>(clocks: readonly T[], lang: string): T[] {
  return clocks.map((c) => ({ ...c, description: localizeLawText(lang, `${c.provision}/deadline/${c.deadlineId}`, c.description) }));
}
