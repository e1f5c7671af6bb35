/** The workspace: sign-in until a session with its second factor exists, then the routed pages. */
import { useTranslation } from 'react-i18next';
import { AuthProvider, useAuth } from './auth';
import { Loading } from './components/Loading';
import { Shell } from './components/Shell';
import NotFound from './pages/NotFound';
import SignIn from './pages/SignIn';
import { ParamsProvider, useRouteMatch } from './router';
import { ROUTES } from './routes';

function Routed() {
  const match = useRouteMatch(ROUTES);
  if (!match) return <NotFound />;
  const Page = match.route.component;
  return (
    <ParamsProvider params={match.params}>
      <Page />
    </ParamsProvider>
  );
}

function Gate() {
  const { status } = useAuth();
  const { t } = useTranslation();
  if (status.kind === 'loading') return <Loading label={t('app.loading')} />;
  if (status.kind !== 'signed-in') return <SignIn />;
  return <Routed />;
}

export function App() {
  return (
    <AuthProvider>
      <Shell>
        <Gate />
      </Shell>
    </AuthProvider>
  );
}
