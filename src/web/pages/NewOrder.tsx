/**
 * The EPOC (Annex I) / EPOC-PR (Annex II) certificate as a form: the service provider (offered
 * only where Reg. 2023/1543 reaches its designated establishment or legal representative), the
 * issuing authority's kind (only the Art. 4 kinds the account's authority may have, from
 * `GET /api/orders/form`; Art. 4 decides on approval), the data categories, the data sought,
 * the offence, necessity, and the residence test of Art. 8(2). The object it sends is the
 * certificate the server stores, sends between nodes and prints.
 */
import { useId, useState, type FormEvent } from 'react';
import type { ParseKeys } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Cite } from '../components/Citation';
import { NodeOf } from '../components/NodeOf';
import { CheckboxField, SelectField, TextArea, TextField } from '../components/Field';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { useMe } from '../auth';
import { useApi } from '../hooks/useApi';
import { DATA_CATEGORIES, type OrderCertificateInput, type OrderFormOptionsView, type OrderKind, type OrderSummaryView, type OrderView, type ProviderView } from '../lib/orders';
import type { ApiProblem } from '../lib/problem';
import { navigate } from '../router';
import { paths } from '../routes';

export default function NewOrder() {
  const { t } = useTranslation();
  const tk = (key: string) => t(key as ParseKeys);
  const me = useMe();
  const id = useId();
  const providers = useApi((signal) => api.client.get<ProviderView[]>('/api/providers', { signal }), []);
  const own = useApi((signal) => api.client.get<OrderSummaryView[]>('/api/orders', { signal }), []);
  const options = useApi((signal) => api.client.get<OrderFormOptionsView>('/api/orders/form', { signal }), []);
  const [kind, setKind] = useState<OrderKind>('EPOC');
  const [precededBy, setPrecededBy] = useState('');
  const [provider, setProvider] = useState('');
  const [chosenIssuerKind, setIssuerKind] = useState('investigating-judge');
  const [issuerName, setIssuerName] = useState('');
  const [fileReference, setFileReference] = useState('');
  const [emergency, setEmergency] = useState(false);
  const [emergencyReasons, setEmergencyReasons] = useState('');
  const [categories, setCategories] = useState<string[]>([]);
  const [identifierType, setIdentifierType] = useState('email');
  const [identifier, setIdentifier] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [offence, setOffence] = useState('');
  const [provision, setProvision] = useState('');
  const [penalty, setPenalty] = useState('');
  const [annexIV, setAnnexIV] = useState(false);
  const [necessity, setNecessity] = useState('');
  const [offenceHere, setOffenceHere] = useState(false);
  const [residesHere, setResidesHere] = useState(false);
  const [receiving, setReceiving] = useState('');
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);

  const offered = (providers.data ?? []).filter((p) => p.offered !== false);
  // Only the kinds the account's authority may declare (the server refuses any other).
  const issuerKinds: readonly string[] = options.data?.issuerKinds ?? [];
  const issuerKind = issuerKinds.includes(chosenIssuerKind) ? chosenIssuerKind : (issuerKinds[0] ?? '');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const certificate: OrderCertificateInput = {
      order: kind,
      issuer: { kind: issuerKind, name: issuerName, fileReference },
      provider,
      emergency: emergency ? { emergency: true, reasons: emergencyReasons } : { emergency: false },
      categories,
      identifiers: [{ type: identifierType, value: identifier }],
      timeRange: { from, to },
      offence: { description: offence, nationalProvision: provision, maxPenaltyYears: Number(penalty), annexIV },
      necessity,
      residenceTest: { offenceInIssuingState: offenceHere, personResidesInIssuingState: residesHere },
      ...(receiving.trim() ? { receivingAuthority: receiving } : {}),
    };
    try {
      const created = await api.client.post<OrderView>('/api/orders', { issuingAuthority: me.authorityId, certificate, ...(kind === 'EPOC' && precededBy ? { precededBy } : {}) });
      navigate(paths.order(created.id));
    } catch (error) {
      setProblem(error as ApiProblem);
      setBusy(false);
    }
  };
  const chosen = offered.find((p) => p.id === provider);
  return (
    <>
      <PageTitle>{t('orders.newTitle')}</PageTitle>
      <p className="lead">{t('orders.newIntro')}</p>
      {providers.problem && <ProblemAlert problem={providers.problem} onRetry={providers.reload} />}
      {options.problem && <ProblemAlert problem={options.problem} onRetry={options.reload} />}
      {(!providers.data || !options.data) && !providers.problem && !options.problem && <Loading />}
      {problem && <ProblemAlert problem={problem} />}
      {providers.data && options.data && (
        <form onSubmit={(e) => void submit(e)} noValidate data-testid="order-form" className="card">
          <fieldset>
            <legend>{t('orders.sectionOrder')}</legend>
            <SelectField id={`${id}-kind`} label={t('orders.kind')} value={kind} onChange={(v) => setKind(v as OrderKind)}>
              <option value="EPOC">{t('orders.kindEpoc')}</option>
              <option value="EPOC-PR">{t('orders.kindEpocPr')}</option>
            </SelectField>
            <SelectField id={`${id}-provider`} label={t('orders.provider')} value={provider} onChange={setProvider} testId="order-provider">
              <option value="">{t('orders.choose')}</option>
              {offered.map((p) => (
                <option key={p.id} value={p.id}>
                  {t('orders.providerOption', { name: p.name, established: p.establishedIn, rep: p.representative.name, state: p.representative.state })}
                </option>
              ))}
            </SelectField>
            {kind === 'EPOC' && (own.data ?? []).some((o) => o.kind === 'EPOC-PR' && o.yourParties.includes('issuing')) && (
              <SelectField id={`${id}-preceded`} label={t('orders.precededBy')} value={precededBy} onChange={setPrecededBy} hint={t('orders.precededByHint')}>
                <option value="">{t('orders.none')}</option>
                {(own.data ?? [])
                  .filter((o) => o.kind === 'EPOC-PR' && o.yourParties.includes('issuing'))
                  .map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.reference}
                    </option>
                  ))}
              </SelectField>
            )}
            {chosen && (
              <p className="small" data-testid="order-provider-details">
                {t('orders.providerDetails', { name: chosen.name, established: chosen.establishedIn, kind: tk(`orders.repKind.${chosen.representative.kind}`), rep: chosen.representative.name, state: chosen.representative.state })}{' '}
                {chosen.representativeNode !== undefined && <NodeOf testId="order-provider-node" node={chosen.representativeNode} />}
              </p>
            )}
          </fieldset>
          <fieldset>
            <legend>{t('orders.sectionIssuer')}</legend>
            <SelectField id={`${id}-issuer-kind`} label={t('orders.issuerKind')} value={issuerKind} onChange={setIssuerKind} hint={t('orders.issuerKindHint')}>
              {issuerKinds.map((k) => (
                <option key={k} value={k}>
                  {tk(`orders.issuer.${k}`)}
                </option>
              ))}
            </SelectField>
            <p className="small" data-testid="order-issuer-kinds" data-kinds={issuerKinds.join(' ')}>
              {issuerKinds.length === 0
                ? t('orders.issuerKindsNone', { authority: options.data.issuingAuthority?.name ?? '' })
                : options.data.issuingAuthority
                  ? t('orders.issuerKindsOf', { authority: options.data.issuingAuthority.name, kinds: issuerKinds.map((k) => tk(`orders.issuer.${k}`)).join(', ') })
                  : null}{' '}
              <Cite citation={options.data.citation} />
            </p>
            <TextField id={`${id}-issuer-name`} label={t('orders.issuerName')} value={issuerName} onChange={setIssuerName} />
            <TextField id={`${id}-file`} label={t('orders.fileReference')} value={fileReference} onChange={setFileReference} />
            <CheckboxField id={`${id}-emergency`} label={t('orders.emergencyLabel')} checked={emergency} onChange={setEmergency} />
            {emergency && <TextArea id={`${id}-emergency-reasons`} label={t('orders.emergencyReasons')} value={emergencyReasons} onChange={setEmergencyReasons} />}
          </fieldset>
          <fieldset>
            <legend>{t('orders.sectionData')}</legend>
            {DATA_CATEGORIES.map((c) => (
              <CheckboxField key={c} id={`${id}-cat-${c}`} label={tk(`orders.category.${c}`)} checked={categories.includes(c)} onChange={(on) => setCategories((cs) => (on ? [...cs, c] : cs.filter((x) => x !== c)))} />
            ))}
            <SelectField id={`${id}-identifier-type`} label={t('orders.identifierType')} value={identifierType} onChange={setIdentifierType}>
              {['email', 'account', 'ip-address', 'phone', 'url', 'other'].map((k) => (
                <option key={k} value={k}>
                  {tk(`orders.identifier.${k}`)}
                </option>
              ))}
            </SelectField>
            <TextField id={`${id}-identifier`} label={t('orders.identifierValue')} value={identifier} onChange={setIdentifier} />
            <TextField id={`${id}-from`} label={t('orders.from')} value={from} onChange={setFrom} type="date" />
            <TextField id={`${id}-to`} label={t('orders.to')} value={to} onChange={setTo} type="date" />
          </fieldset>
          <fieldset>
            <legend>{t('orders.sectionOffence')}</legend>
            <TextArea id={`${id}-offence`} label={t('orders.offence')} value={offence} onChange={setOffence} />
            <TextField id={`${id}-provision`} label={t('orders.provision')} value={provision} onChange={setProvision} />
            <TextField id={`${id}-penalty`} label={t('orders.penalty')} value={penalty} onChange={setPenalty} type="number" />
            <CheckboxField id={`${id}-annex-iv`} label={t('orders.annexIV')} checked={annexIV} onChange={setAnnexIV} />
            <TextArea id={`${id}-necessity`} label={t('orders.necessity')} value={necessity} onChange={setNecessity} />
          </fieldset>
          <fieldset>
            <legend>{t('orders.sectionNotification')}</legend>
            <p className="small">{t('orders.residenceHint')}</p>
            <CheckboxField id={`${id}-offence-here`} label={t('orders.offenceHere')} checked={offenceHere} onChange={setOffenceHere} />
            <CheckboxField id={`${id}-resides-here`} label={t('orders.residesHere')} checked={residesHere} onChange={setResidesHere} />
            <TextField id={`${id}-receiving`} label={t('orders.receiving')} value={receiving} onChange={setReceiving} />
          </fieldset>
          <button type="submit" className="button primary" disabled={busy || issuerKinds.length === 0}>
            {t('orders.saveDraft')}
          </button>
        </form>
      )}
    </>
  );
}
