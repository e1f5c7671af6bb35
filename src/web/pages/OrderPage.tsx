/**
 * One Regulation (EU) 2023/1543 order, for whichever party the reader's authority plays: the
 * certificate, the parties (issuing authority, the provider's representative, the enforcing
 * authority and whether it was notified, Art. 8), Art. 4 and the validation, the clocks (started
 * on delivery, each cited), the history, and the actions the reader's party may take now — the
 * Regulation's own: acknowledge, produce, preserve, Annex III, Art. 17, Annex V and VI, the
 * enforcing authority's Art. 12 grounds, Art. 16 enforcement. No mutual-assistance wording.
 */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { ParseKeys } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Cite } from '../components/Citation';
import { NodeOf } from '../components/NodeOf';
import { CheckboxField, SelectField, TextArea, TextField } from '../components/Field';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { ProblemAlert } from '../components/ProblemAlert';
import { useApi } from '../hooks/useApi';
import { useLocale } from '../hooks/useLocale';
import { ACTION_FORM, DATA_CATEGORIES, GROUNDS, IMPOSSIBILITY_REASONS, ISSUER_KINDS, sha256Hex, type OrderView } from '../lib/orders';
import type { LawCitation } from '../lib/bases';
import type { ApiProblem } from '../lib/problem';
import { formatDateTime } from '../lib/time-left';
import { useParams } from '../router';

export default function OrderPage() {
  const { t } = useTranslation();
  const tk = (key: string) => t(key as ParseKeys);
  const locale = useLocale();
  const { id = '' } = useParams();
  const order = useApi((signal) => api.client.get<OrderView>(`/api/orders/${encodeURIComponent(id)}`, { signal }), [id]);
  const [message, setMessage] = useState<string | null>(null);
  const o = order.data;
  return (
    <>
      <PageTitle>{o ? t('orders.orderTitle', { kind: o.kind, reference: o.reference }) : t('orders.title')}</PageTitle>
      {order.problem && <ProblemAlert problem={order.problem} onRetry={order.reload} />}
      {!o && !order.problem && <Loading />}
      {message && (
        <p role="status" className="alert success" data-testid="order-status-message">
          {message}
        </p>
      )}
      {o && (
        <div data-testid="order" data-state={o.state}>
          <p>
            <strong data-testid="order-state" data-state={o.state}>
              {tk(`orders.state.${o.state}`)}
            </strong>
            {o.emergency && <span className="badge"> {t('orders.emergency')}</span>} · {t('orders.yourParty')}: {o.yourParties.map((p) => tk(`orders.party.${p}`)).join(', ')}
          </p>
          <section aria-labelledby="order-parties-title" className="card">
            <h2 id="order-parties-title">{t('orders.parties')}</h2>
            <dl className="facts">
              <dt>{t('orders.issuingAuthority')}</dt>
              <dd>
                {o.issuingAuthority.name} ({o.issuingAuthority.party}) — {tk(`orders.issuer.${o.certificate.issuer.kind}`)}: {o.certificate.issuer.name}
                <br />
                <NodeOf testId="order-node-issuing" node={o.issuingAuthority.node} />
              </dd>
              <dt>{t('orders.provider')}</dt>
              <dd data-testid="order-provider">
                {o.provider ? t('orders.providerDetails', { name: o.provider.name, established: o.provider.establishedIn, kind: tk(`orders.repKind.${o.provider.representative.kind}`), rep: o.provider.representative.name, state: o.provider.representative.state }) : o.addressee.name}
                <br />
                <NodeOf testId="order-node-addressee" node={o.addressee.node} />
              </dd>
              <dt>{t('orders.enforcingAuthority')}</dt>
              <dd data-testid="order-enforcing" data-status={o.enforcing?.status ?? 'none'}>
                {o.enforcing ? `${o.enforcing.name} — ${tk(`orders.enforcingStatus.${o.enforcing.status}`)}` : t('orders.noEnforcing')}
                {o.enforcing && (
                  <>
                    <br />
                    <NodeOf testId="order-node-enforcing" node={o.enforcing.node} />
                  </>
                )}
                <br />
                <span className="small">{o.notification.reason}</span> <Citations list={o.notification.citations} />
              </dd>
              {o.transmitNotBefore && (
                <>
                  <dt>{t('orders.transmitNotBefore')}</dt>
                  <dd data-testid="order-transmit-not-before">
                    <time dateTime={o.transmitNotBefore}>{formatDateTime(o.transmitNotBefore, locale)}</time>
                  </dd>
                </>
              )}
              <dt>{t('orders.art4')}</dt>
              <dd data-testid="order-art4">
                {tk(`orders.validationStatus.${o.validationStatus}`)}
                {o.validation && ` — ${tk(`orders.issuer.${o.validation.kind}`)}: ${o.validation.name} (${o.validation.reference})`}
                <br />
                <span className="small">{o.issuing.reasons.join(' ')}</span> <Citations list={o.issuing.citations} />
              </dd>
            </dl>
          </section>
          <section aria-labelledby="order-certificate-title" className="card">
            <h2 id="order-certificate-title">{o.kind === 'EPOC' ? t('orders.annexI') : t('orders.annexII')}</h2>
            <dl className="facts" data-testid="order-certificate">
              <dt>{t('orders.categories')}</dt>
              <dd>{o.certificate.categories.map((c) => tk(`orders.category.${c}`)).join(', ')}</dd>
              <dt>{t('orders.identifierValue')}</dt>
              <dd>{o.certificate.identifiers.map((i) => `${tk(`orders.identifier.${i.type}`)}: ${i.value}`).join('; ')}</dd>
              <dt>{t('orders.period')}</dt>
              <dd>
                {o.certificate.timeRange.from} – {o.certificate.timeRange.to}
              </dd>
              <dt>{t('orders.offence')}</dt>
              <dd>
                {o.certificate.offence.description} ({o.certificate.offence.nationalProvision}, {t('orders.maxYears', { count: o.certificate.offence.maxPenaltyYears })})
              </dd>
              <dt>{t('orders.necessity')}</dt>
              <dd>{o.certificate.necessity}</dd>
              {o.certificate.emergency.emergency && (
                <>
                  <dt>{t('orders.emergencyReasons')}</dt>
                  <dd>{o.certificate.emergency.reasons}</dd>
                </>
              )}
            </dl>
          </section>
          <section aria-labelledby="order-clocks-title" className="card" data-testid="order-clocks">
            <h2 id="order-clocks-title">{t('orders.clocks')}</h2>
            {o.clocks.length === 0 ? (
              <p>{t('orders.noClocks')}</p>
            ) : (
              <ul>
                {o.clocks.map((c) => (
                  <li key={c.clock} data-testid="order-clock" data-clock={c.clock} data-status={c.status}>
                    <strong>{tk(`orders.clock.${c.clock}`)}</strong> ({tk(`orders.party.${c.party}`)}) — {tk(`orders.clockStatus.${c.status}`)}; {t('orders.started')} <time dateTime={c.startedAt}>{formatDateTime(c.startedAt, locale)}</time>, {t('orders.due')}{' '}
                    <time dateTime={c.dueAt}>{formatDateTime(c.dueAt, locale)}</time>
                    <br />
                    <span className="small">{c.text}</span> <Cite citation={c.citation} />
                  </li>
                ))}
              </ul>
            )}
          </section>
          {o.actions.length > 0 && (
            <section aria-labelledby="order-actions-title" data-testid="order-actions">
              <h2 id="order-actions-title">{t('orders.actions')}</h2>
              {o.actions.map((a) => (
                <Action
                  key={`${a}-${o.version}`}
                  order={o}
                  event={a}
                  onDone={() => {
                    setMessage(t('orders.done', { event: tk(`orders.event.${a}`) }));
                    order.reload();
                  }}
                />
              ))}
            </section>
          )}
          <section aria-labelledby="order-history-title" className="card" data-testid="order-history">
            <h2 id="order-history-title">{t('orders.history')}</h2>
            <ol>
              {o.events.map((e) => (
                <li key={e.seq} data-event={e.event}>
                  <time dateTime={e.at}>{formatDateTime(e.at, locale)}</time> — {tk(`orders.event.${e.event}`)} ({tk(`orders.party.${e.party}`)}){e.reason ? `: ${e.reason}` : ''}
                </li>
              ))}
            </ol>
          </section>
        </div>
      )}
    </>
  );
}

/** Citations separated by semicolons. */
function Citations({ list }: { list: readonly LawCitation[] }) {
  return (
    <>
      {list.map((c, i) => (
        <span key={i}>
          {i > 0 && '; '}
          <Cite citation={c} />
        </span>
      ))}
    </>
  );
}

function Action({ order, event, onDone }: { order: OrderView; event: string; onDone: () => void }) {
  const { t } = useTranslation();
  const tk = (key: string) => t(key as ParseKeys);
  const id = useId();
  const form = ACTION_FORM[event] ?? 'plain';
  const [reason, setReason] = useState('');
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [c, setC] = useState('');
  const [d, setD] = useState('');
  const [flag, setFlag] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const needsValidation = form === 'validation' || (form === 'approve' && order.issuing.validation === 'prior');

  const body = async (): Promise<Record<string, unknown>> => {
    const base: Record<string, unknown> = { expectedVersion: order.version };
    if (form === 'reason') base.reason = reason;
    if (needsValidation) base.validation = { kind: a || (order.issuing.validators[0] ?? 'judge'), name: b, reference: c };
    if (form === 'production') base.form = { items: [{ description: b, category: a || order.certificate.categories[0], sha256: /^[0-9a-f]{64}$/.test(c) ? c : await sha256Hex(c || b) }], ...(d ? { note: d } : {}) };
    if (form === 'annex-iii') base.form = { reason: a || IMPOSSIBILITY_REASONS[0], details: b, dataPreserved: flag };
    if (form === 'annex-v') base.form = { instrument: a || 'EPOC', reference: b, issuedOn: c };
    if (form === 'annex-vi') base.form = { reasons: b };
    if (form === 'objection') base.form = { thirdCountry: a, law: b, applicability: c, conflict: d };
    if (form === 'ground') base.form = { ground: a || GROUNDS[0], reasons: b };
    return base;
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await api.client.post(`/api/orders/${encodeURIComponent(order.id)}/events/${event}`, await body());
      onDone();
    } catch (error) {
      setProblem(error as ApiProblem);
      setBusy(false);
    }
  };
  const fields: ReactNode[] = [];
  if (form === 'reason') fields.push(<TextArea key="r" id={`${id}-reason`} label={t('orders.reason')} value={reason} onChange={setReason} />);
  if (needsValidation) {
    fields.push(
      <SelectField key="vk" id={`${id}-vkind`} label={t('orders.validatorKind')} value={a || (order.issuing.validators[0] ?? '')} onChange={setA}>
        {ISSUER_KINDS.filter((k) => order.issuing.validators.includes(k)).map((k) => (
          <option key={k} value={k}>
            {tk(`orders.issuer.${k}`)}
          </option>
        ))}
      </SelectField>,
      <TextField key="vn" id={`${id}-vname`} label={t('orders.validatorName')} value={b} onChange={setB} />,
      <TextField key="vr" id={`${id}-vref`} label={t('orders.validatorReference')} value={c} onChange={setC} />,
    );
  }
  if (form === 'production') {
    fields.push(
      <SelectField key="pc" id={`${id}-pcat`} label={t('orders.itemCategory')} value={a || (order.certificate.categories[0] ?? '')} onChange={setA}>
        {DATA_CATEGORIES.filter((k) => order.certificate.categories.includes(k)).map((k) => (
          <option key={k} value={k}>
            {tk(`orders.category.${k}`)}
          </option>
        ))}
      </SelectField>,
      <TextField key="pd" id={`${id}-pdesc`} label={t('orders.itemDescription')} value={b} onChange={setB} />,
      <TextField key="ph" id={`${id}-phash`} label={t('orders.itemDigest')} value={c} onChange={setC} hint={t('orders.itemDigestHint')} />,
      <TextArea key="pn" id={`${id}-pnote`} label={t('orders.note')} value={d} onChange={setD} />,
    );
  }
  if (form === 'annex-iii') {
    fields.push(
      <SelectField key="ir" id={`${id}-ireason`} label={t('orders.impossibilityReason')} value={a || IMPOSSIBILITY_REASONS[0]} onChange={setA}>
        {IMPOSSIBILITY_REASONS.map((k) => (
          <option key={k} value={k}>
            {tk(`orders.impossibility.${k}`)}
          </option>
        ))}
      </SelectField>,
      <TextArea key="id" id={`${id}-idetails`} label={t('orders.details')} value={b} onChange={setB} />,
      <CheckboxField key="ip" id={`${id}-ipreserved`} label={t('orders.dataPreserved')} checked={flag} onChange={setFlag} />,
    );
  }
  if (form === 'annex-v') {
    fields.push(
      <SelectField key="vi" id={`${id}-vinst`} label={t('orders.subsequentInstrument')} value={a || 'EPOC'} onChange={setA}>
        {['EPOC', 'EIO', 'MLA'].map((k) => (
          <option key={k} value={k}>
            {tk(`orders.subsequent.${k}`)}
          </option>
        ))}
      </SelectField>,
      <TextField key="vr" id={`${id}-vref`} label={t('orders.subsequentReference')} value={b} onChange={setB} />,
      <TextField key="vd" id={`${id}-vdate`} label={t('orders.issuedOn')} value={c} onChange={setC} type="date" />,
    );
  }
  if (form === 'annex-vi') fields.push(<TextArea key="x" id={`${id}-xreasons`} label={t('orders.extensionReasons')} value={b} onChange={setB} />);
  if (form === 'objection') {
    fields.push(
      <TextField key="oc" id={`${id}-ocountry`} label={t('orders.thirdCountry')} value={a} onChange={setA} />,
      <TextField key="ol" id={`${id}-olaw`} label={t('orders.thirdCountryLaw')} value={b} onChange={setB} />,
      <TextArea key="oa" id={`${id}-oapp`} label={t('orders.applicability')} value={c} onChange={setC} />,
      <TextArea key="of" id={`${id}-oconf`} label={t('orders.conflict')} value={d} onChange={setD} />,
    );
  }
  if (form === 'ground') {
    fields.push(
      <SelectField key="g" id={`${id}-ground`} label={t('orders.ground')} value={a || GROUNDS[0]} onChange={setA}>
        {GROUNDS.map((k) => (
          <option key={k} value={k}>
            {tk(`orders.groundName.${k}`)}
          </option>
        ))}
      </SelectField>,
      <TextArea key="gr" id={`${id}-greasons`} label={t('orders.reason')} value={b} onChange={setB} />,
    );
  }
  const label = tk(`orders.event.${event}`);
  return (
    <form className="action card" aria-labelledby={`${id}-title`} data-testid={`order-action-${event}`} onSubmit={(e) => void submit(e)} noValidate>
      <h3 id={`${id}-title`}>{label}</h3>
      <p className="small">{tk(`orders.eventHelp.${event}`)}</p>
      {fields}
      {problem && <ProblemAlert problem={problem} />}
      <button type="submit" className="button primary" disabled={busy}>
        {label}
      </button>
    </form>
  );
}
