/** Page links for a server-paged list: first, previous, "page x of y", next, last. */
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../i18n/labels';
import { Link } from '../router';
import { useLocale } from '../hooks/useLocale';

export interface PaginationProps {
  page: number;
  pages: number;
  /** The href of a page. */
  hrefFor: (page: number) => string;
}

export function Pagination({ page, pages, hrefFor }: PaginationProps) {
  const { t } = useTranslation();
  const locale = useLocale();
  if (pages <= 1) return null;
  const item = (target: number, label: string, symbol: string, disabled: boolean) =>
    disabled ? (
      <span className="button secondary" aria-disabled="true">
        <span aria-hidden="true">{symbol}</span>
        <span className="visually-hidden">{label}</span>
      </span>
    ) : (
      <Link className="button secondary" to={hrefFor(target)} keepFocus aria-label={label} title={label}>
        <span aria-hidden="true">{symbol}</span>
      </Link>
    );
  return (
    <nav className="pagination" aria-label={t('pagination.label')}>
      {item(1, t('pagination.first'), '«', page <= 1)}
      {item(page - 1, t('pagination.previous'), '‹', page <= 1)}
      <span className="pagination-status" aria-current="page">
        {t('pagination.page', { page: formatNumber(page, locale), pages: formatNumber(pages, locale) })}
      </span>
      {item(page + 1, t('pagination.next'), '›', page >= pages)}
      {item(pages, t('pagination.last'), '»', page >= pages)}
    </nav>
  );
}
