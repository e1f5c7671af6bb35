/**
 * @module law/cite
 * Human form of a citation: `ETS185 Art. 29(2)(a)`, with `[unverified]` when not verified.
 */
import type { Citation } from './model.js';

/**
 * @example cite({ instrument: 'ETS185', article: '29', paragraph: '2(a)', source, verified: true }) // 'ETS185 Art. 29(2)(a)'
 */
export function cite(citation: Citation, options: { mark?: boolean } = {}): string {
  // Paragraph "2(a)" renders as "(2)(a)": the first level in brackets, sub-points as written.
  const paragraph = citation.paragraph === undefined ? '' : citation.paragraph.replace(/^([^()]+)/, '($1)');
  const article = /^[0-9]/.test(citation.article) ? `Art. ${citation.article}${paragraph}` : `${citation.article}${paragraph ? ` ${paragraph}` : ''}`;
  const mark = (options.mark ?? true) && !citation.verified ? ' [unverified]' : '';
  return `${citation.instrument} ${article}${mark}`;
}
