/** A case state: translated text with a shape icon; colour only repeats what text and icon say. */
import { useTranslation } from 'react-i18next';
import type { CaseState } from '../types';

type Tone = 'preparing' | 'in-progress' | 'attention' | 'done' | 'ended';

const TONES: Record<CaseState, Tone> = {
  draft: 'preparing',
  submitted: 'preparing',
  returned: 'attention',
  rejected: 'ended',
  approved: 'preparing',
  sent: 'in-progress',
  received: 'in-progress',
  acknowledged: 'in-progress',
  'in-assessment': 'in-progress',
  'clarification-requested': 'attention',
  accepted: 'in-progress',
  postponed: 'attention',
  refused: 'attention',
  'partially-executed': 'in-progress',
  executed: 'in-progress',
  responded: 'done',
  closed: 'done',
  withdrawn: 'ended',
  lapsed: 'ended',
};

const ICONS: Record<Tone, string> = { preparing: '✎', 'in-progress': '◔', attention: '!', done: '✓', ended: '–' };

export function StateBadge({ state }: { state: CaseState }) {
  const { t } = useTranslation();
  const tone = TONES[state];
  return (
    <span className={`badge badge-${tone}`}>
      <span className="badge-icon" aria-hidden="true">
        {ICONS[tone]}
      </span>
      {t(`states.${state}`)}
    </span>
  );
}
