/**
 * Who is signed in. `useAuth()` gives the session status, the signed-in user (`me`), their
 * authority and the directory of authorities (`authorityName(id)`), and the sign-in steps:
 * password, then the TOTP second factor when the role requires it (or its enrolment).
 * A 401 from any API call returns to the sign-in page.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from './api';
import { ApiProblem } from './lib/problem';
import type { Authority, LoginResponse, Me, Role } from './types';

export type AuthStatus =
  | { kind: 'loading' }
  | { kind: 'signed-out'; problem?: ApiProblem }
  /** Password accepted; the second factor is still to be confirmed (or enrolled first). */
  | { kind: 'second-factor'; enrol: boolean }
  | { kind: 'signed-in'; me: Me };

export interface AuthValue {
  status: AuthStatus;
  /** The signed-in user, once the second factor passed. */
  me: Me | null;
  /** The user's authority (null for a platform administrator, or before the directory loaded). */
  authority: Authority | null;
  authorities: readonly Authority[];
  /** The authority's name, or a readable fallback for an id the directory does not know. */
  authorityName: (id: string) => string;
  hasRole: (...roles: Role[]) => boolean;
  signIn: (email: string, password: string) => Promise<LoginResponse>;
  verifyCode: (code: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Back to the password step (e.g. "use another account" during the second factor). */
  restart: () => Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<AuthStatus>({ kind: 'loading' });
  const [authorities, setAuthorities] = useState<Authority[]>([]);

  const refresh = useCallback(async (): Promise<void> => {
    try {
      const me = await api.auth.me();
      if (!me.mfaPassed) {
        setStatus((s) => (s.kind === 'second-factor' ? s : { kind: 'second-factor', enrol: false }));
        return;
      }
      setStatus({ kind: 'signed-in', me });
    } catch (error) {
      if (error instanceof ApiProblem && error.needsSignIn) setStatus({ kind: 'signed-out' });
      else setStatus({ kind: 'signed-out', ...(error instanceof ApiProblem ? { problem: error } : {}) });
    }
  }, []);

  useEffect(() => {
    void refresh();
    return api.client.onUnauthenticated((problem) => {
      setStatus((s) => (s.kind === 'signed-in' ? { kind: 'signed-out', problem } : s.kind === 'loading' ? s : { kind: 'signed-out' }));
    });
  }, [refresh]);

  const signedInUser = status.kind === 'signed-in' ? status.me : null;
  useEffect(() => {
    if (!signedInUser) return;
    const controller = new AbortController();
    api
      .authorities(controller.signal)
      .then(setAuthorities)
      .catch(() => setAuthorities([]));
    return () => controller.abort();
  }, [signedInUser]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const answer = await api.auth.login(email, password);
      if (answer.mfaRequired) setStatus({ kind: 'second-factor', enrol: answer.mfaEnrolmentRequired });
      else await refresh();
      return answer;
    },
    [refresh],
  );

  const verifyCode = useCallback(
    async (code: string) => {
      if (status.kind === 'second-factor' && status.enrol) await api.auth.confirmTotp(code);
      else await api.auth.totp(code);
      await refresh();
    },
    [refresh, status],
  );

  const signOut = useCallback(async () => {
    try {
      await api.auth.logout();
    } finally {
      setAuthorities([]);
      setStatus({ kind: 'signed-out' });
    }
  }, []);

  const value = useMemo<AuthValue>(() => {
    const me = status.kind === 'signed-in' ? status.me : null;
    const byId = new Map(authorities.map((a) => [a.id, a]));
    return {
      status,
      me,
      authority: me?.authorityId ? (byId.get(me.authorityId) ?? null) : null,
      authorities,
      authorityName: (id: string) => byId.get(id)?.name ?? t('common.unknownAuthority', { id }),
      hasRole: (...roles: Role[]) => !!me && roles.some((r) => me.roles.includes(r)),
      signIn,
      verifyCode,
      signOut,
      restart: signOut,
    };
  }, [status, authorities, signIn, verifyCode, signOut, t]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth must be used inside <AuthProvider>');
  return value;
}

/** The signed-in user; only for pages behind sign-in (the shell renders them only then). */
export function useMe(): Me {
  const { me } = useAuth();
  if (!me) throw new Error('useMe: nobody is signed in');
  return me;
}
