/** The body of a page that is still being built. */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from './Icon';

export function Placeholder({ children }: { children?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="placeholder" role="note">
      <p>
        <Icon name="info" />{' '}
        {t('placeholder.notice')}
      </p>
      {children}
    </div>
  );
}
