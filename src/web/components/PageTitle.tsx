/**
 * The page's <h1> and document title. After an in-app navigation it takes the focus, so that
 * keyboard and screen-reader users start reading the new page from its heading.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { consumeFocusRequest, useLocation } from '../router';

export function PageTitle({ children, title }: { children: ReactNode; /** Document title, when children is not plain text. */ title?: string }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLHeadingElement>(null);
  const { href } = useLocation();
  const text = title ?? (typeof children === 'string' ? children : '');
  useEffect(() => {
    document.title = text ? `${text} — ${t('app.name')}` : t('app.name');
  }, [text, t]);
  useEffect(() => {
    if (consumeFocusRequest()) ref.current?.focus();
  }, [href]);
  return (
    <h1 ref={ref} tabIndex={-1} id="page-title">
      {children}
    </h1>
  );
}
