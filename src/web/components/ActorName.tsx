/**
 * A person behind an actor id (`user:…`, `token:…`): their name and roles (names of the reader's
 * own authority only; another authority's people by role and authority). The id stays available
 * as a tooltip for auditors; the system and peers are named in words.
 */
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth';
import type { ActorView } from '../types';

export function actorLabel(t: (key: string, options?: Record<string, unknown>) => string, actor: string, view: ActorView | null | undefined, authorityName: (id: string) => string): string {
  if (view) {
    const roles = view.roles.map((r) => t(`roles.${r}`)).join(' · ');
    const who = view.name ?? (view.authorityId ? authorityName(view.authorityId) : t('actors.platform'));
    const token = view.token ? ` — ${t('actors.token', { name: view.token })}` : '';
    return roles ? `${who} (${roles})${token}` : `${who}${token}`;
  }
  if (actor === 'system') return t('actors.system');
  if (actor.startsWith('peer:') || actor.startsWith('node:')) return t('actors.peer', { id: actor.slice(actor.indexOf(':') + 1) });
  if (actor.startsWith('os:')) return t('actors.operator', { name: actor.slice(3) });
  return actor;
}

export function ActorName({ actor, view }: { actor: string; view: ActorView | null | undefined }) {
  const { t } = useTranslation();
  const { authorityName } = useAuth();
  return (
    <span className="actor" title={actor} data-actor={actor}>
      {actorLabel(t as unknown as (key: string, options?: Record<string, unknown>) => string, actor, view, authorityName)}
    </span>
  );
}
