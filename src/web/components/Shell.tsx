/**
 * The page frame: skip link, header (banner) with the user, their authority, the language switch
 * and sign-out, the main navigation, <main> with the current page, and a footer.
 */
import { Suspense, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth';
import { Link, useLocation } from '../router';
import { ROUTES } from '../routes';
import { ErrorBoundary } from './ErrorBoundary';
import { LanguageSwitch } from './LanguageSwitch';
import { Loading } from './Loading';
import { useUnread } from '../hooks/useUnread';
import { paths } from '../routes';

function isCurrent(routePath: string, path: string): boolean {
  return routePath === '/' ? path === '/' : path === routePath || path.startsWith(`${routePath}/`);
}

export function Shell({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { me, authority, signOut } = useAuth();
  const { path } = useLocation();
  const navItems = ROUTES.filter((r) => r.nav && (!r.roles || (me && r.roles.some((role) => me.roles.includes(role)))));
  // The most specific entry is current (/cases/new is "New request", not "Cases").
  const unread = useUnread(Boolean(me?.mfaPassed), path);
  const current = navItems.filter((r) => isCurrent(r.path, path)).sort((a, b) => b.path.length - a.path.length)[0];

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="site-header">
        <div className="brand">
          <Link to="/" className="brand-link" aria-label={t('app.home')}>
            <span className="brand-mark" aria-hidden="true">
              ⚖
            </span>
            <span className="brand-name">{t('app.name')}</span>
          </Link>
          <p className="brand-tagline">{t('app.tagline')}</p>
        </div>
        <div className="header-tools">
          {me && (
            <section className="account" aria-label={t('header.account')}>
              <p className="account-user">
                <span className="visually-hidden">{t('header.user')} </span>
                <strong>{me.displayName ?? me.email}</strong>
              </p>
              <p className="account-authority">
                <span className="visually-hidden">{t('header.authority')}: </span>
                {me.authorityId ? (authority?.name ?? me.authorityId) : t('header.platform')}
              </p>
              <p className="account-roles small">
                <span className="visually-hidden">{t('header.roles')}: </span>
                {me.roles.map((r) => t(`roles.${r}`)).join(' · ')}
              </p>
            </section>
          )}
          {me && (
            <Link to={paths.notifications()} className="button secondary notifications-link" aria-current={path === paths.notifications() ? 'page' : undefined} data-testid="notifications-link">
              {t('notifications.title')}
              {unread !== null && unread > 0 && (
                <span className="count-badge" data-testid="unread-count">
                  {unread}
                  <span className="visually-hidden"> {t('notifications.unread')}</span>
                </span>
              )}
            </Link>
          )}
          <LanguageSwitch />
          {me && (
            <button type="button" className="button secondary" onClick={() => void signOut()}>
              {t('header.signOut')}
            </button>
          )}
        </div>
      </header>
      {me && (
        <nav className="main-nav" aria-label={t('nav.label')}>
          <ul>
            {navItems.map((r) => (
              <li key={r.name}>
                <Link to={r.path} aria-current={r === current ? 'page' : undefined}>
                  {r.nav ? t(r.nav) : r.name}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        <ErrorBoundary resetKey={path}>
          <Suspense fallback={<Loading />}>{children}</Suspense>
        </ErrorBoundary>
      </main>
      <footer className="site-footer">
        <p className="small muted">{t('app.footer')}</p>
      </footer>
    </div>
  );
}
