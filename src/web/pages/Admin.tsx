/**
 * Administration (issue 16): the accounts of one's authority (all, for a platform administrator)
 * — create, change roles, disable or enable, set a new password, reset the second factor —, the
 * API tokens of those accounts (revoke), and the authorities of the node (platform administrators
 * add them). Every action goes through the API's policy table and is audited there.
 */
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { useAuth, useMe } from '../auth';
import { CreateAuthority } from './admin/CreateAuthority';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { useApi } from '../hooks/useApi';
import { useLocale } from '../hooks/useLocale';
import { ApiProblem } from '../lib/problem';
import { formatDateTime } from '../lib/time-left';
import { ROLES, type Role, type UserAccount } from '../types';

const AUTHORITY_ROLES: readonly Role[] = ROLES;
const PLATFORM_ROLES: readonly Role[] = ['administrator', 'auditor'];

function RolesPicker({ legend, value, onChange, allowed }: { legend: string; value: Role[]; onChange: (roles: Role[]) => void; allowed: readonly Role[] }) {
  const { t } = useTranslation();
  return (
    <fieldset className="roles-picker">
      <legend>{legend}</legend>
      {allowed.map((r) => (
        <label key={r} className="inline-check">
          <input type="checkbox" checked={value.includes(r)} onChange={(e) => onChange(e.target.checked ? [...value, r] : value.filter((x) => x !== r))} /> {t(`roles.${r}`)}
        </label>
      ))}
    </fieldset>
  );
}

function UserRow({ u, self, onDone, onProblem }: { u: UserAccount; self: boolean; onDone: (message: string) => void; onProblem: (p: ApiProblem) => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { authorityName } = useAuth();
  const [editing, setEditing] = useState<'roles' | 'password' | null>(null);
  const [roles, setRoles] = useState<Role[]>(u.roles);
  const [password, setPassword] = useState('');
  const pwId = useId();
  const run = async (work: () => Promise<unknown>, message: string) => {
    try {
      await work();
      setEditing(null);
      setPassword('');
      onDone(message);
    } catch (error) {
      if (error instanceof ApiProblem) onProblem(error);
    }
  };
  return (
    <tr data-testid="admin-user" data-email={u.email}>
      <th scope="row">
        {u.displayName}
        <span className="block small muted">{u.email}</span>
      </th>
      <td>{u.authorityId ? authorityName(u.authorityId) : t('header.platform')}</td>
      <td>
        {editing === 'roles' ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void run(() => api.admin.updateUser(u.id, { roles }), t('admin.users.rolesSaved', { name: u.displayName }));
            }}
          >
            <RolesPicker legend={t('admin.users.rolesOf', { name: u.displayName })} value={roles} onChange={setRoles} allowed={u.authorityId ? AUTHORITY_ROLES : PLATFORM_ROLES} />
            <button type="submit" className="button small">
              {t('admin.save')}
            </button>{' '}
            <button type="button" className="link-button" onClick={() => setEditing(null)}>
              {t('admin.cancel')}
            </button>
          </form>
        ) : (
          u.roles.map((r) => t(`roles.${r}`)).join(' · ')
        )}
      </td>
      <td>
        {u.disabledAt ? <span className="badge badge-ended">{t('admin.users.disabled')}</span> : <span className="badge badge-done">{t('admin.users.active')}</span>}
        <span className="block small">{u.totpEnabled ? t('admin.users.totpOn') : t('admin.users.totpOff')}</span>
        <span className="block small muted">
          {t('admin.users.created')} <time dateTime={u.createdAt}>{formatDateTime(u.createdAt, locale)}</time>
        </span>
      </td>
      <td>
        {self ? (
          <span className="small muted">{t('admin.users.you')}</span>
        ) : (
          <div className="row-actions">
            <button type="button" className="link-button" onClick={() => setEditing(editing === 'roles' ? null : 'roles')}>
              {t('admin.users.changeRoles')}
              <span className="visually-hidden"> — {u.displayName}</span>
            </button>
            {u.disabledAt ? (
              <button type="button" className="link-button" onClick={() => void run(() => api.admin.enable(u.id), t('admin.users.enabled', { name: u.displayName }))}>
                {t('admin.users.enable')}
                <span className="visually-hidden"> — {u.displayName}</span>
              </button>
            ) : (
              <button type="button" className="link-button" onClick={() => window.confirm(t('admin.users.confirmDisable', { name: u.displayName })) && void run(() => api.admin.disable(u.id), t('admin.users.disabledDone', { name: u.displayName }))}>
                {t('admin.users.disable')}
                <span className="visually-hidden"> — {u.displayName}</span>
              </button>
            )}
            <button type="button" className="link-button" onClick={() => setEditing(editing === 'password' ? null : 'password')}>
              {t('admin.users.setPassword')}
              <span className="visually-hidden"> — {u.displayName}</span>
            </button>
            {u.totpEnabled && (
              <button type="button" className="link-button" onClick={() => window.confirm(t('admin.users.confirmTotp', { name: u.displayName })) && void run(() => api.admin.resetSecondFactor(u.id), t('admin.users.totpReset', { name: u.displayName }))}>
                {t('admin.users.resetTotp')}
                <span className="visually-hidden"> — {u.displayName}</span>
              </button>
            )}
            {editing === 'password' && (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  void run(() => api.admin.setPassword(u.id, password), t('admin.users.passwordSet', { name: u.displayName }));
                }}
              >
                <label htmlFor={pwId}>{t('admin.users.newPassword', { name: u.displayName })}</label>
                <input id={pwId} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
                <button type="submit" className="button small">
                  {t('admin.save')}
                </button>
              </form>
            )}
          </div>
        )}
      </td>
    </tr>
  );
}

function CreateUser({ onDone, onProblem }: { onDone: (message: string) => void; onProblem: (p: ApiProblem | undefined) => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const { authorities } = useAuth();
  const ids = { email: useId(), name: useId(), authority: useId(), password: useId() };
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [authorityId, setAuthorityId] = useState<string>(me.authorityId ?? '');
  const [roles, setRoles] = useState<Role[]>(['drafter']);
  const [password, setPassword] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.admin.createUser({ email, displayName, authorityId: authorityId === '' ? null : authorityId, roles, password });
      onProblem(undefined);
      onDone(t('admin.users.createdDone', { name: displayName }));
      setEmail('');
      setDisplayName('');
      setPassword('');
    } catch (error) {
      if (error instanceof ApiProblem) onProblem(error);
    }
  };
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby="create-user-title" data-testid="create-user">
      <h3 id="create-user-title">{t('admin.users.create')}</h3>
      <div className="field">
        <label htmlFor={ids.email}>{t('admin.users.email')}</label>
        <input id={ids.email} type="email" autoComplete="off" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.name}>{t('admin.users.name')}</label>
        <input id={ids.name} type="text" required value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
      </div>
      {me.authorityId === null && (
        <div className="field">
          <label htmlFor={ids.authority}>{t('admin.users.authority')}</label>
          <select id={ids.authority} value={authorityId} onChange={(e) => setAuthorityId(e.target.value)}>
            <option value="">{t('header.platform')}</option>
            {(authorities ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <RolesPicker legend={t('admin.users.roles')} value={roles} onChange={setRoles} allowed={authorityId === '' ? PLATFORM_ROLES : AUTHORITY_ROLES} />
      <div className="field">
        <label htmlFor={ids.password}>{t('admin.users.initialPassword')}</label>
        <p className="hint small muted">{t('admin.users.initialPasswordHint')}</p>
        <input id={ids.password} type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </div>
      <button type="submit" className="button">
        {t('admin.users.createButton')}
      </button>
    </form>
  );
}

export default function Admin() {
  const { t } = useTranslation();
  const locale = useLocale();
  const me = useMe();
  const users = useApi((signal) => api.admin.users(signal), []);
  const tokens = useApi((signal) => api.admin.tokens(signal), []);
  // The directory is loaded here (not from useAuth) so that an authority added below shows at once.
  const directory = useApi((signal) => api.authorities(signal), []);
  const authorities = directory.data;
  const [message, setMessage] = useState('');
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const done = (text: string) => {
    setProblem(undefined);
    setMessage(text);
    users.reload();
    tokens.reload();
    directory.reload();
  };
  return (
    <>
      <PageTitle>{t('admin.title')}</PageTitle>
      <p className="lead">{t('admin.intro')}</p>
      <p role="status" className="list-status" data-testid="admin-status">
        {message}
      </p>
      {problem && <ProblemAlert problem={problem} />}

      <section aria-labelledby="users-title">
        <h2 id="users-title">{t('admin.users.title')}</h2>
        {users.problem && <ProblemAlert problem={users.problem} onRetry={users.reload} />}
        {!users.data && !users.problem && <Loading />}
        {users.data && (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">{t('admin.users.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('admin.users.name')}</th>
                  <th scope="col">{t('admin.users.authority')}</th>
                  <th scope="col">{t('admin.users.roles')}</th>
                  <th scope="col">{t('admin.users.status')}</th>
                  <th scope="col">{t('admin.users.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {users.data.map((u) => (
                  <UserRow key={`${u.id}:${u.roles.join()}:${u.disabledAt ?? ''}:${u.totpEnabled}`} u={u} self={u.id === me.userId} onDone={done} onProblem={setProblem} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <CreateUser onDone={done} onProblem={setProblem} />
      </section>

      <section aria-labelledby="tokens-title">
        <h2 id="tokens-title">{t('admin.tokens.title')}</h2>
        <p className="small muted">{t('admin.tokens.intro')}</p>
        {tokens.problem && <ProblemAlert problem={tokens.problem} onRetry={tokens.reload} />}
        {tokens.data && tokens.data.length === 0 && <p className="empty">{t('admin.tokens.empty')}</p>}
        {tokens.data && tokens.data.length > 0 && (
          <div className="table-wrap">
            <table className="table compact">
              <caption className="visually-hidden">{t('admin.tokens.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('admin.tokens.name')}</th>
                  <th scope="col">{t('admin.tokens.holder')}</th>
                  <th scope="col">{t('admin.tokens.scopes')}</th>
                  <th scope="col">{t('admin.tokens.lastUsed')}</th>
                  <th scope="col">{t('admin.tokens.state')}</th>
                </tr>
              </thead>
              <tbody>
                {tokens.data.map((tk) => (
                  <tr key={tk.id}>
                    <th scope="row">{tk.name}</th>
                    <td>{tk.userDisplayName}</td>
                    <td>{tk.scopes.join(', ')}</td>
                    <td>{tk.lastUsedAt ? <time dateTime={tk.lastUsedAt}>{formatDateTime(tk.lastUsedAt, locale)}</time> : '—'}</td>
                    <td>
                      {tk.revokedAt ? (
                        t('admin.tokens.revoked')
                      ) : tk.expiresAt < new Date().toISOString() ? (
                        t('admin.tokens.expired')
                      ) : (
                        <button
                          type="button"
                          className="link-button"
                          onClick={() =>
                            window.confirm(t('admin.tokens.confirm', { name: tk.name })) &&
                            void api.admin.revokeToken(tk.id).then(
                              () => done(t('admin.tokens.revokedDone', { name: tk.name })),
                              (error: unknown) => error instanceof ApiProblem && setProblem(error),
                            )
                          }
                        >
                          {t('admin.tokens.revoke')}
                          <span className="visually-hidden"> — {tk.name}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="authorities-title">
        <h2 id="authorities-title">{t('admin.authorities.title')}</h2>
        <p className="small muted">{me.authorityId === null ? t('admin.authorities.introPlatform') : t('admin.authorities.intro')}</p>
        <div className="table-wrap">
          <table className="table compact">
            <caption className="visually-hidden">{t('admin.authorities.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.authorities.name')}</th>
                <th scope="col">{t('admin.authorities.party')}</th>
                <th scope="col">{t('admin.authorities.kind')}</th>
                <th scope="col">{t('admin.authorities.timeZone')}</th>
              </tr>
            </thead>
            <tbody>
              {(authorities ?? []).map((a) => (
                <tr key={a.id}>
                  <th scope="row">
                    {a.name} <code className="small">{a.id}</code>
                  </th>
                  <td>{a.party}</td>
                  <td>{a.kind}</td>
                  <td>{a.timeZone}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {me.authorityId === null && <CreateAuthority onDone={done} onProblem={setProblem} />}
      </section>
    </>
  );
}
