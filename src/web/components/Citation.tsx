/** A legal citation in its human form (`ETS185 Art. 29(2)(e)`), linked to its source, with an "unverified" mark when it was not checked against an official text. */
import { useTranslation } from 'react-i18next';
import { citeText, type LawCitation } from '../lib/bases';
import { Icon } from './Icon';

/** "unverified" beside a fact not checked against an official text (text and icon, not colour alone). */
export function UnverifiedMark({ citation }: { citation?: Pick<LawCitation, 'verified'> | undefined }) {
  const { t } = useTranslation();
  if (citation && citation.verified) return null;
  return (
    <span className="unverified" data-verified="false">
      {' '}
      <Icon name="warning" /> {t('wizard.unverified')}
    </span>
  );
}

export function Cite({ citation }: { citation: LawCitation }) {
  const inner = <cite>{citeText(citation)}</cite>;
  return (
    <span className="citation">
      {citation.source ? (
        <a href={citation.source} target="_blank" rel="noreferrer noopener">
          {inner}
        </a>
      ) : (
        inner
      )}
      <UnverifiedMark citation={citation} />
    </span>
  );
}
