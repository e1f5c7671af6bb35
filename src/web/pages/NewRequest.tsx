/** The request wizard (placeholder): legal basis, required contents, safeguards → POST /api/cases. */
import { useTranslation } from 'react-i18next';
import { PageTitle } from '../components/PageTitle';
import { Placeholder } from '../components/Placeholder';

export default function NewRequest() {
  const { t } = useTranslation();
  return (
    <>
      <PageTitle>{t('newRequest.title')}</PageTitle>
      <p className="lead">{t('newRequest.intro')}</p>
      <Placeholder />
    </>
  );
}
