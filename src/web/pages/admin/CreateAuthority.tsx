/** Administration: a platform administrator adds an authority to the node's directory. */
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { AUTHORITY_KINDS } from '../../../cases/authority-kinds';
import { api } from '../../api';
import { ApiProblem } from '../../lib/problem';

/** A platform administrator adds an authority to the node's directory (POST /api/authorities; the API validates). */
export function CreateAuthority({ onDone, onProblem }: { onDone: (message: string) => void; onProblem: (p: ApiProblem | undefined) => void }) {
  const { t } = useTranslation();
  const ids = { id: useId(), name: useId(), party: useId(), kind: useId(), timeZone: useId(), languages: useId(), email: useId() };
  const empty = { id: '', name: '', party: '', kind: 'central-authority', timeZone: 'Europe/Paris', languages: 'en', email: '' };
  const [form, setForm] = useState(empty);
  const set = (key: keyof typeof empty) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const languages = form.languages.split(/[\s,]+/).filter((l) => l !== '');
      await api.admin.createAuthority({ id: form.id.trim(), name: form.name.trim(), party: form.party.trim().toUpperCase(), kind: form.kind, timeZone: form.timeZone.trim(), languages, contact: form.email.trim() === '' ? {} : { email: form.email.trim() } });
      onProblem(undefined);
      onDone(t('admin.authorities.createdDone', { name: form.name.trim() }));
      setForm(empty);
    } catch (error) {
      if (error instanceof ApiProblem) onProblem(error);
    }
  };
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby="create-authority-title" data-testid="create-authority">
      <h3 id="create-authority-title">{t('admin.authorities.create')}</h3>
      <div className="field">
        <label htmlFor={ids.id}>{t('admin.authorities.id')}</label>
        <p className="hint small muted">{t('admin.authorities.idHint')}</p>
        <input id={ids.id} type="text" required pattern="[a-z0-9][a-z0-9\-]{1,62}" value={form.id} onChange={set('id')} />
      </div>
      <div className="field">
        <label htmlFor={ids.name}>{t('admin.authorities.name')}</label>
        <input id={ids.name} type="text" required value={form.name} onChange={set('name')} />
      </div>
      <div className="field">
        <label htmlFor={ids.party}>{t('admin.authorities.party')}</label>
        <p className="hint small muted">{t('admin.authorities.partyHint')}</p>
        <input id={ids.party} type="text" required maxLength={2} value={form.party} onChange={set('party')} />
      </div>
      <div className="field">
        <label htmlFor={ids.kind}>{t('admin.authorities.kind')}</label>
        <select id={ids.kind} value={form.kind} onChange={set('kind')}>
          {AUTHORITY_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`admin.authorities.kinds.${k}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.timeZone}>{t('admin.authorities.timeZone')}</label>
        <input id={ids.timeZone} type="text" required value={form.timeZone} onChange={set('timeZone')} />
      </div>
      <div className="field">
        <label htmlFor={ids.languages}>{t('admin.authorities.languages')}</label>
        <p className="hint small muted">{t('admin.authorities.languagesHint')}</p>
        <input id={ids.languages} type="text" required value={form.languages} onChange={set('languages')} />
      </div>
      <div className="field">
        <label htmlFor={ids.email}>{t('admin.authorities.email')}</label>
        <input id={ids.email} type="email" value={form.email} onChange={set('email')} />
      </div>
      <button type="submit" className="button">
        {t('admin.authorities.createButton')}
      </button>
    </form>
  );
}
