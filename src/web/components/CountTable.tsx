import type { ReactNode } from 'react';
import { useLocale } from '../hooks/useLocale';
import { formatNumber } from '../i18n/labels';

export interface CountRow {
  readonly key: string;
  /** What the row counts (shown as the row header). */
  readonly label: ReactNode;
  readonly count: number;
}

/**
 * A two-column table of counts (what, how many), optionally with a total: the accessible,
 * exact companion of a chart on the dashboard, the statistics page and the provider's report.
 */
export function CountTable({ rows, what, countHeader, caption, total, testId }: { rows: readonly CountRow[]; what: string; countHeader: string; caption?: string; total?: { label: string; count: number }; testId?: string }) {
  const locale = useLocale();
  const n = (value: number) => formatNumber(value, locale);
  return (
    <table className="table compact" {...(testId === undefined ? {} : { 'data-testid': testId })}>
      {caption !== undefined && <caption className="visually-hidden">{caption}</caption>}
      <thead>
        <tr>
          <th scope="col">{what}</th>
          <th scope="col" className="num">
            {countHeader}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row">{r.label}</th>
            <td className="num">{n(r.count)}</td>
          </tr>
        ))}
      </tbody>
      {total !== undefined && (
        <tfoot>
          <tr>
            <th scope="row">{total.label}</th>
            <td className="num">{n(total.count)}</td>
          </tr>
        </tfoot>
      )}
    </table>
  );
}
