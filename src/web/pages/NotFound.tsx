import { useTranslation } from 'react-i18next';
import { PageTitle } from '../components/PageTitle';
import { Link } from '../router';

export default function NotFound() {
  const { t } = useTranslation();
  return (
    <>
      <PageTitle>{t('notFound.title')}</PageTitle>
      <p>{t('notFound.body')}</p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </>
  );
}
