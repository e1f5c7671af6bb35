/**
 * The treaty explorer (placeholder). Loaded lazily (routes.tsx): it may use d3-geo, topojson-client
 * and world-atlas, which must never reach the first load.
 */
import { useTranslation } from 'react-i18next';
import { PageTitle } from '../components/PageTitle';
import { Placeholder } from '../components/Placeholder';

export default function TreatyExplorer() {
  const { t } = useTranslation();
  return (
    <>
      <PageTitle>{t('treaties.title')}</PageTitle>
      <p className="lead">{t('treaties.intro')}</p>
      <Placeholder />
    </>
  );
}
