/**
 * @module documents/forms
 * One document model per form, built from a {@link FormInput}.
 */
import type { DocumentModel, FormId } from '../model.js';
import { FormContext, type FormInput } from './common.js';
import { annexIII, eio, epoc, epocPr } from './eu.js';
import { letter } from './letter.js';
import { tcyPreservation, tcySubscriberMla } from './tcy.js';

const BUILDERS: Record<FormId, (c: FormContext) => DocumentModel> = {
  'tcy-preservation': tcyPreservation,
  'tcy-subscriber-mla': tcySubscriberMla,
  epoc,
  'epoc-pr': epocPr,
  'eu-annex-iii': annexIII,
  eio,
  letter,
};

export function buildDocument(form: FormId, input: FormInput): DocumentModel {
  return BUILDERS[form](new FormContext(input));
}

export type { FormInput, PersonInCharge } from './common.js';
