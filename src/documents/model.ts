/**
 * @module documents/model
 * A formal document as data: the official form's title and reference, then its sections of
 * numbered fields. Each field carries the case's value or is explicitly not applicable — the
 * renderer never invents text, and golden tests walk this structure field by field.
 */

/** The forms a central authority sends (or, for Annex III, a service provider answers with). */
export const FORM_IDS = ['tcy-preservation', 'tcy-subscriber-mla', 'epoc', 'epoc-pr', 'eu-annex-iii', 'eio', 'letter'] as const;
export type FormId = (typeof FORM_IDS)[number];
/** Forms of Regulation (EU) 2023/1543 printed from an order's structured data only (src/eorders/documents.ts). */
export type OrderFormId = 'eu-annex-v' | 'eu-annex-vi';

/** A field's value: text, or explicitly not applicable (printed as such, never left blank). */
export type FieldValue = { readonly text: string } | { readonly notApplicable: true };

export interface DocumentField {
  /** Stable key of the official form's field (golden tests): e.g. `5.2-person-in-charge`. */
  readonly key: string;
  readonly label: string;
  readonly value: FieldValue;
  /** A long value (the facts) flows over pages below its label instead of beside it. */
  readonly long?: boolean;
}

export interface DocumentSection {
  readonly key: string;
  readonly heading: string;
  readonly fields: readonly DocumentField[];
  /** A table (e.g. the identifiers of the data sought); rows never split across pages. */
  readonly table?: { readonly columns: readonly string[]; readonly rows: readonly (readonly string[])[] };
}

export interface DocumentModel {
  readonly form: FormId | OrderFormId;
  readonly language: string;
  /** The form's own title, e.g. "European Production Order Certificate (EPOC)". */
  readonly title: string;
  /** Where the form comes from, e.g. "Regulation (EU) 2023/1543, Annex I". */
  readonly formReference: string;
  /** The case reference printed in every footer. */
  readonly reference: string;
  /** The issuing authority, printed in every header. */
  readonly issuer: string;
  /** Marks such as CONFIDENTIAL or EMERGENCY, printed under the title. */
  readonly marks: readonly string[];
  readonly sections: readonly DocumentSection[];
  /** The signature block's lines (who signs, for whom, when, how). */
  readonly signature: readonly string[];
  /** Words the renderer prints: "Page {page} of {pages}", "Not applicable". */
  readonly words: { readonly page: string; readonly notApplicable: string };
}

export const text = (value: string | null | undefined): FieldValue => (value === null || value === undefined || value.trim() === '' ? { notApplicable: true } : { text: value });
export const notApplicable: FieldValue = { notApplicable: true };
