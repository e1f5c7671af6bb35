/**
 * Labels for values that come from the API as ids (measures, states, events, roles). Ids the
 * resources do not know (e.g. a measure added to the knowledge base later) show as they are.
 */
import type { TFunction } from 'i18next';
import type { Resources } from './languages';

export type MeasureId = keyof Resources['measures'];

export function measureLabel(t: TFunction, measure: string): string {
  const keys = t('measures', { returnObjects: true }) as Record<string, string>;
  return keys[measure] ?? measure;
}

/** A number in the reader's language ("10 000" in French, "10,000" in English). */
export function formatNumber(value: number, language: string): string {
  return new Intl.NumberFormat(language).format(value);
}
