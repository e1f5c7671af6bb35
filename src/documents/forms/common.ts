/**
 * @module documents/forms/common
 * What every form is filled from — the case, its two authorities, the person in charge and the
 * legal engine — and the fields several forms share: dates in the issuing authority's time zone
 * with its offset, labels in words (never raw codes), only the elements actually given, the legal
 * basis with its citation. No internal state (workflow state, version, ids) is ever printed.
 */
import { Temporal } from 'temporal-polyfill';
import type { Authority } from '../../cases/authorities.js';
import type { CaseDetail } from '../../cases/presenter.js';
import type { Request } from '../../cases/request.js';
import { cite, type KnowledgeBase, type Provision } from '../../law/index.js';
import { lawTextIn } from '../../law/i18n.js';
import { text, notApplicable, type DocumentField, type DocumentSection, type FieldValue } from '../model.js';
import { translator, type Translate } from '../words.js';

export interface PersonInCharge {
  readonly name: string;
  readonly email: string;
  readonly phone?: string;
}

export interface FormInput {
  readonly detail: CaseDetail;
  readonly requesting: Authority;
  readonly addressee: Authority;
  readonly kb: KnowledgeBase;
  /** The officer issuing the document (the signed-in user). */
  readonly personInCharge: PersonInCharge;
  /** The issuing authority: the requesting one, or the addressee for Annex III. */
  readonly issuer: Authority;
  readonly issuedAt: Date;
  readonly language: string;
  /** The node's name, printed with the signature (the certificate names it too). */
  readonly node: string;
}

/** Everything a form builder needs, with the language bound. */
export class FormContext {
  readonly t: Translate;
  readonly law: (key: string, english: string) => string;
  readonly request: Request;
  readonly provision: Provision | undefined;

  constructor(readonly input: FormInput) {
    if (input.detail.request === null) throw new Error('a purged case has no request to print');
    this.t = translator(input.language);
    this.law = lawTextIn(input.language);
    this.request = input.detail.request;
    this.provision = input.kb.provisions.find((p) => p.id === input.detail.legalBasis);
  }

  /** Field helper: `key` also names the label (`field.<key>`). */
  field(key: string, value: FieldValue, long = false): DocumentField {
    return { key, label: this.t(`field.${key}`), value, ...(long ? { long } : {}) };
  }

  section(key: string, fields: DocumentField[], table?: DocumentSection['table']): DocumentSection {
    return { key, heading: this.t(`section.${key}`), fields, ...(table ? { table } : {}) };
  }

  /** An instant in the issuing authority's zone with its offset: "28/11/2026 12:00 (UTC+01:00, Europe/Paris)". */
  instant(iso: string | Date, zone = this.input.issuer.timeZone): string {
    const at = typeof iso === 'string' ? Temporal.Instant.from(iso) : Temporal.Instant.fromEpochMilliseconds(iso.getTime());
    const z = at.toZonedDateTimeISO(zone);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${pad(z.day)}/${pad(z.month)}/${z.year} ${pad(z.hour)}:${pad(z.minute)} (UTC${z.offset}, ${zone})`;
  }

  /** A calendar date in the issuing authority's zone: "28/11/2026". */
  date(iso: string | Date, zone = this.input.issuer.timeZone): string {
    return this.instant(iso, zone).slice(0, 10);
  }

  /** A party's name in the document's language (CLDR, through Intl), else the knowledge base's. */
  partyName(id: string): string {
    const name = new Intl.DisplayNames([this.input.language], { type: 'region', fallback: 'none' }).of(id);
    return name ?? this.input.kb.parties.get(id)?.name ?? id;
  }

  measures(): string {
    return this.input.detail.measures.map((m) => this.law(`measure/${m}/name`, this.input.kb.measures.get(m)?.name ?? m)).join('; ');
  }

  legalBasis(): FieldValue {
    const p = this.provision;
    if (!p) return notApplicable;
    const instrument = this.input.kb.instruments.get(p.instrument);
    const title = this.law(`${p.id}/title`, p.title);
    const instrumentTitle = instrument ? this.law(`instrument/${instrument.id}/title`, instrument.title) : p.instrument;
    const unverified = p.citation.verified ? '' : ` ${this.t('word.unverified')}`;
    return text(`${cite(p.citation, { mark: false })}${unverified} — ${title}. ${instrumentTitle}.`);
  }

  offences(): FieldValue {
    return text(
      this.request.offences
        .map((o) => {
          const offence = this.input.kb.offences.get(o.category);
          const name = offence ? this.law(`offence/${offence.id}/name`, offence.name) : o.category;
          const penalty = o.maxPenaltyYears === null ? '' : ` — ${this.t('word.maxPenalty', { years: o.maxPenaltyYears })}`;
          return `${name}: ${o.nationalProvision}${penalty}`;
        })
        .join('\n'),
    );
  }

  /** An authority's details, one field each, each marked not applicable when not on record. */
  authorityFields(prefix: string, authority: Authority, withPerson: boolean): DocumentField[] {
    const fields = [this.field(`${prefix}.organisation`, text(`${authority.name} (${this.partyName(authority.party)})`))];
    if (withPerson) fields.push(this.field(`${prefix}.person`, text(this.input.personInCharge.name)));
    fields.push(this.field(`${prefix}.address`, text(authority.contact.address)));
    fields.push(this.field(`${prefix}.phone`, text(withPerson ? (this.input.personInCharge.phone ?? authority.contact.phone) : authority.contact.phone)));
    fields.push(this.field(`${prefix}.email`, text(withPerson ? this.input.personInCharge.email : authority.contact.email)));
    if (withPerson) {
      fields.push(this.field(`${prefix}.officeHours`, text(authority.contact.officeHours)));
      fields.push(this.field(`${prefix}.timeZone`, text(`${authority.timeZone} (UTC${Temporal.Instant.fromEpochMilliseconds(this.input.issuedAt.getTime()).toZonedDateTimeISO(authority.timeZone).offset})`)));
    }
    return fields;
  }

  /** The contact for additional confirmation: the person in charge, with telephone and e-mail. */
  contactFields(prefix: string): DocumentField[] {
    const p = this.input.personInCharge;
    return [
      this.field(`${prefix}.name`, text(p.name)),
      this.field(`${prefix}.phone`, text(p.phone ?? this.input.issuer.contact.phone)),
      this.field(`${prefix}.email`, text(p.email)),
    ];
  }

  /** The identifiers of the data sought as a table: type in words, value, details. */
  identifiersTable(): DocumentSection['table'] {
    const rows = this.request.dataSought.identifiers.map((id) => {
      const details =
        id.type === 'ip'
          ? `${this.t('word.at')} ${this.instant(id.timestamp)}${id.port === undefined ? '' : `, ${this.t('word.port')} ${id.port}`}`
          : id.type === 'account'
            ? `${this.t('word.service')}: ${id.service}`
            : '—';
      return [this.t(`identifier.${id.type}`), id.value, details];
    });
    return { columns: [this.t('column.type'), this.t('column.value'), this.t('column.details')], rows };
  }

  identifiersSummary(): FieldValue {
    const n = this.request.dataSought.identifiers.length;
    return n === 0 ? notApplicable : text(this.t('word.identifiersBelow', { count: n }));
  }

  categories(): FieldValue {
    const c = this.request.dataSought.categories;
    return c.length === 0 ? notApplicable : text(c.map((x) => this.t(`category.${x}`)).join('; '));
  }

  period(): FieldValue {
    const r = this.request.dataSought.timeRange;
    return r ? text(`${this.instant(r.from)} — ${this.instant(r.to)}`) : notApplicable;
  }

  /** An element of the basis's required contents, only if the request gives it. */
  content(id: string): FieldValue {
    return text(this.request.contents[id]);
  }

  confidentiality(): FieldValue {
    return text(this.t(`confidentiality.${this.request.confidentiality}`));
  }

  urgency(): FieldValue {
    const e = this.request.emergency;
    return e.emergency ? text(`${this.t('word.emergency')}${e.justification ? `: ${e.justification}` : ''}`) : text(this.t('word.notUrgent'));
  }

  review(): FieldValue {
    const r = this.input.detail.review;
    if (!r) return notApplicable;
    return text(this.t('word.review', { reviewer: r.reviewer, role: this.t(`reviewRole.${r.role}`), at: this.instant(r.at), reference: r.reference }));
  }

  language(): FieldValue {
    const tr = this.request.translation;
    const base = this.languageName(this.request.language);
    return text(tr.required && tr.language ? `${base}; ${this.t('word.translationInto', { language: this.languageName(tr.language) })}` : base);
  }

  languageName(code: string): string {
    return new Intl.DisplayNames([this.input.language], { type: 'language', fallback: 'none' }).of(code) ?? code;
  }

  safeguardFields(): DocumentField[] {
    const s = this.request.safeguards;
    return [
      this.field('safeguards.grounds', text(s.grounds)),
      this.field('safeguards.proportionality', text(s.proportionality)),
      this.field('safeguards.scope', text(s.scope)),
      this.field('safeguards.duration', s.durationDays === undefined ? notApplicable : text(this.t('word.days', { days: s.durationDays }))),
      this.field('safeguards.review', this.review()),
    ];
  }

  /** Required-content elements of the basis that no field of the form already shows, as given. */
  otherContents(shown: readonly string[]): DocumentField[] {
    const p = this.provision;
    if (!p) return [];
    return p.requiredContents
      .filter((e) => !shown.includes(e.id) && this.request.contents[e.id] !== undefined)
      .map((e) => ({ key: `content.${e.id}`, label: `${this.law(`${p.id}/content/${e.id}`, e.text)} (${cite(e.citation, { mark: false })})`, value: text(this.request.contents[e.id]) }));
  }

  references(): FieldValue {
    const r = this.request.references;
    return text(`${r.requesting}${r.requested ? ` / ${r.requested}` : ''} — ${this.t('word.comityReference')} ${this.input.detail.reference}`);
  }

  /** The signature block: for whom, who, when, how. */
  signature(): string[] {
    const p = this.input.personInCharge;
    return [
      this.t('signature.for', { authority: this.input.issuer.name }),
      `${p.name} — ${p.email}${p.phone ? ` — ${p.phone}` : ''}`,
      this.t('signature.issued', { at: this.instant(this.input.issuedAt) }),
      this.t('signature.electronic', { authority: this.input.issuer.name, node: this.input.node }),
    ];
  }

  marks(): string[] {
    const marks: string[] = [];
    if (this.request.confidentiality !== 'normal') marks.push(this.t(`mark.${this.request.confidentiality}`));
    if (this.request.emergency.emergency) marks.push(this.t('mark.emergency'));
    return marks;
  }
}
