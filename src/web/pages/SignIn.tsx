/**
 * Sign-in: e-mail and password, then — when the role requires it — the 6-digit TOTP code (or,
 * for an account without one yet, its enrolment). Errors come from the problem's `code`,
 * translated, and are tied to the fields (aria-invalid, aria-describedby).
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { useAuth } from '../auth';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { ApiProblem } from '../lib/problem';
import type { TotpEnrolment } from '../types';
import { Icon } from '../components/Icon';

const asProblem = (error: unknown) => (error instanceof ApiProblem ? error : new ApiProblem({ status: 0, code: 'unexpected-response', detail: String(error) }));

function PasswordStep() {
  const { t } = useTranslation();
  const { signIn, status } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>(status.kind === 'signed-out' ? status.problem : undefined);
  const errorId = useId();
  const emailId = useId();
  const passwordId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      await signIn(email.trim(), password);
    } catch (error) {
      setProblem(asProblem(error));
      setBusy(false);
    }
  };
  const credentialsWrong = problem?.code === 'invalid-credentials';

  return (
    <form className="form card" onSubmit={(e) => void submit(e)} noValidate={false} aria-describedby={problem ? errorId : undefined}>
      <p>{t('signIn.intro')}</p>
      {problem && <ProblemAlert problem={problem} id={errorId} />}
      <div className="field">
        <label htmlFor={emailId}>{t('signIn.email')}</label>
        <input
          id={emailId}
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={credentialsWrong || undefined}
          aria-describedby={credentialsWrong ? errorId : undefined}
        />
      </div>
      <div className="field">
        <label htmlFor={passwordId}>{t('signIn.password')}</label>
        <input
          id={passwordId}
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={credentialsWrong || undefined}
          aria-describedby={credentialsWrong ? errorId : undefined}
        />
      </div>
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? t('signIn.submitting') : t('signIn.submit')}
      </button>
    </form>
  );
}

function CodeStep({ enrol }: { enrol: boolean }) {
  const { t } = useTranslation();
  const { verifyCode, restart } = useAuth();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [formatError, setFormatError] = useState(false);
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const codeId = useId();
  const hintId = useId();
  const errorId = useId();

  useEffect(() => {
    if (!enrol || enrolment) inputRef.current?.focus();
  }, [enrol, enrolment]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const digits = code.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(digits)) {
      setFormatError(true);
      inputRef.current?.focus();
      return;
    }
    setFormatError(false);
    setBusy(true);
    setProblem(undefined);
    try {
      await verifyCode(digits);
    } catch (error) {
      setProblem(asProblem(error));
      setCode('');
      setBusy(false);
      inputRef.current?.focus();
    }
  };

  const startEnrolment = async () => {
    setProblem(undefined);
    try {
      setEnrolment(await api.auth.enrolTotp());
    } catch (error) {
      setProblem(asProblem(error));
    }
  };

  const invalid = formatError || problem?.code === 'mfa-invalid';
  return (
    <form className="form card" onSubmit={(e) => void submit(e)} noValidate>
      <h2>{enrol ? t('signIn.enrolTitle') : t('signIn.codeTitle')}</h2>
      <p>{enrol ? t('signIn.enrolIntro') : t('signIn.codeIntro')}</p>
      {problem && <ProblemAlert problem={problem} id={errorId} />}
      {enrol && !enrolment && (
        <button type="button" className="button secondary" onClick={() => void startEnrolment()}>
          {t('signIn.enrolStart')}
        </button>
      )}
      {enrol && enrolment && (
        <p>
          {t('signIn.enrolSecret')}: <code className="secret">{enrolment.secret}</code>
        </p>
      )}
      {(!enrol || enrolment) && (
        <>
          <div className="field">
            <label htmlFor={codeId}>{t('signIn.code')}</label>
            <input
              ref={inputRef}
              id={codeId}
              name="code"
              className="code-input"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={7}
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
              aria-invalid={invalid || undefined}
              aria-describedby={[hintId, formatError ? `${codeId}-format` : '', problem ? errorId : ''].filter(Boolean).join(' ')}
            />
            <p className="hint" id={hintId}>
              {t('signIn.codeHint')}
            </p>
            {formatError && (
              <p className="field-error" id={`${codeId}-format`}>
                <Icon name="warning" />{' '}
                {t('signIn.codeFormat')}
              </p>
            )}
          </div>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? t('signIn.verifying') : t('signIn.verify')}
          </button>
        </>
      )}
      <p>
        <button type="button" className="link-button" onClick={() => void restart()}>
          {t('signIn.restart')}
        </button>
      </p>
    </form>
  );
}

export default function SignIn() {
  const { t } = useTranslation();
  const { status } = useAuth();
  return (
    <div className="sign-in">
      <PageTitle>{t('signIn.title')}</PageTitle>
      {status.kind === 'second-factor' ? <CodeStep enrol={status.enrol} /> : <PasswordStep />}
    </div>
  );
}
