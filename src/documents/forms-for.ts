/**
 * @module documents/forms-for
 * Which official forms fit a case: pure (the workspace imports it too). Budapest Arts 29/30 and
 * 35(1)(b) → T-CY(2018)11; Art. 31 → T-CY(2018)10; Regulation 2023/1543 Art. 5 → EPOC (Annex I),
 * Art. 6 → EPOC-PR (Annex II), and, once the addressee has assessed, Annex III; Directive
 * 2014/41 → EIO (Annex A); every basis also has the formal letter of request.
 */

export type RequestForm = 'tcy-preservation' | 'tcy-subscriber-mla' | 'epoc' | 'epoc-pr' | 'eio' | 'letter';
export type AnswerForm = 'eu-annex-iii';

/** The forms of the requesting side for a legal basis (a provision id), the official one first. */
export function requestFormsFor(legalBasis: string): RequestForm[] {
  if (legalBasis === 'ETS185:29' || legalBasis === 'ETS185:30' || legalBasis === 'ETS185:35(1)(b)') return ['tcy-preservation', 'letter'];
  if (legalBasis === 'ETS185:31') return ['tcy-subscriber-mla', 'letter'];
  if (legalBasis.startsWith('EU-2023-1543:5')) return ['epoc'];
  if (legalBasis === 'EU-2023-1543:6') return ['epoc-pr'];
  if (legalBasis.startsWith('EU-2014-41:')) return ['eio'];
  return ['letter'];
}

/** The forms of the addressee: Annex III under the Regulation, once an assessment is recorded. */
export function answerFormsFor(legalBasis: string, assessed: boolean): AnswerForm[] {
  return assessed && legalBasis.startsWith('EU-2023-1543:') ? ['eu-annex-iii'] : [];
}

/** Languages documents are written in (one words file each in `i18n/`; a test keeps the two in step). */
export const DOCUMENT_LANGUAGES = ['en', 'fr'] as const;
