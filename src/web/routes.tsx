/**
 * The workspace's pages. To add a page: write `pages/MyPage.tsx` with a default export, add one
 * entry here (a `nav` entry also puts it in the main navigation, in table order), and add its
 * strings to every i18n/*.json. Pages that pull in heavy libraries (recharts, d3-geo,
 * world-atlas) MUST be `lazy(() => import(…))`: the build fails if such a library lands in the
 * first load (vite.config.ts), and scripts/web-size.mjs keeps the first load under 300 KB gzipped.
 * Small, always-needed pages are imported statically.
 */
import { lazy, type ComponentType } from 'react';
import type { ParseKeys } from 'i18next';
import Cases from './pages/Cases';
import Dashboard from './pages/Dashboard';
import type { Role } from './types';

export interface RouteDef {
  /** Stable name (tests, analytics-free telemetry, links in code). */
  name: string;
  /** Pattern with `:param` segments, matched in table order. */
  path: string;
  component: ComponentType;
  /** i18n key of the navigation label (entries with one appear in the main navigation). */
  nav?: ParseKeys;
  /** Only users with one of these roles see the navigation entry. */
  roles?: readonly Role[];
}

export const ROUTES: readonly RouteDef[] = [
  { name: 'dashboard', path: '/', component: Dashboard, nav: 'nav.dashboard' },
  { name: 'cases', path: '/cases', component: Cases, nav: 'nav.cases' },
  {
    name: 'new-request',
    path: '/requests/new',
    component: lazy(() => import('./pages/NewRequest')),
    nav: 'nav.newRequest',
    roles: ['drafter', 'central-authority-officer', '24/7-officer'],
  },
  { name: 'case', path: '/cases/:id', component: lazy(() => import('./pages/CasePage')) },
  { name: 'treaties', path: '/treaties', component: lazy(() => import('./pages/TreatyExplorer')), nav: 'nav.treaties' },
  { name: 'statistics', path: '/statistics', component: lazy(() => import('./pages/Statistics')), nav: 'nav.statistics' },
];

/** Paths of the routes, for links: `paths.case('c-1')` → "/cases/c-1". */
export const paths = {
  dashboard: () => '/',
  cases: () => '/cases',
  case: (id: string) => `/cases/${encodeURIComponent(id)}`,
  newRequest: () => '/requests/new',
  treaties: () => '/treaties',
  statistics: () => '/statistics',
};
