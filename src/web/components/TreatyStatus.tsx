/**
 * Participation status and verification, in text with a shape (colour only repeats them): used by
 * the treaty explorer, the party profile and the threshold panel.
 */
import { useTranslation } from 'react-i18next';
import { STATUS_STYLE, type ParticipationStatus } from '../lib/participation';

export function StatusLabel({ status }: { status: ParticipationStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`status status-${status}`} data-status={status}>
      <span className="status-swatch" aria-hidden="true" style={{ background: STATUS_STYLE[status].fill }}>
        {STATUS_STYLE[status].icon}
      </span>
      {t(`treaty.status.${status}`)}
    </span>
  );
}

/** "✓ verified" or "⚠ not verified": whether a fact rests on a confirmed source. */
export function VerifiedFlag({ verified }: { verified: boolean }) {
  const { t } = useTranslation();
  return verified ? (
    <span className="verified" data-verified="true">
      <span aria-hidden="true">✓ </span>
      {t('treaty.verified')}
    </span>
  ) : (
    <span className="unverified" data-verified="false">
      <span aria-hidden="true">⚠ </span>
      {t('treaty.unverified')}
    </span>
  );
}

/** "(derived)": an entry-into-force date computed by the instrument's rule, not read in the data. */
export function DerivedMark() {
  const { t } = useTranslation();
  return (
    <span className="derived" data-derived="true">
      ({t('treaty.derived')})
    </span>
  );
}
