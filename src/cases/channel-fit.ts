/**
 * @module cases/channel-fit
 * Issue 16: a basis's channel must reach the addressee's kind (knowledge base channels.json,
 * cited): a Budapest Art. 35 request travels through the 24/7 network to a 24/7 point of contact,
 * not to an office-hours central authority. Checked before a request can leave (submit, approve,
 * send), with the reason and the authorities of the requested party that would fit.
 */
import type { AddresseeKind, KnowledgeBase } from '../law/index.js';
import type { Authority, AuthorityKind } from './authorities.js';

/** The law's addressee kind of each kind of authority in the directory. */
export const ADDRESSEE_KIND_OF: Readonly<Record<AuthorityKind, AddresseeKind>> = {
  'central-authority': 'central-authority',
  '24/7-point-of-contact': '24/7-point-of-contact',
  'prosecutor-or-judge': 'judicial-authority',
  'police-unit': 'judicial-authority',
  'service-provider': 'service-provider',
  'eu-enforcing-authority': 'judicial-authority',
};

export interface ChannelMisfit {
  channel: string;
  reaches: readonly AddresseeKind[];
  addresseeKind: AddresseeKind;
  /** Authorities of the requested party whose kind the channel reaches. */
  fitting: { id: string; name: string }[];
  message: string;
}

/** Null when the basis's channel reaches the addressee; else why not and who would fit. */
export function channelMisfit(kb: KnowledgeBase, legalBasis: string, addressee: Authority, directory: readonly Authority[]): ChannelMisfit | null {
  const provision = kb.provisions.find((p) => p.id === legalBasis);
  if (!provision) return null;
  const info = kb.channels.find((c) => c.channel === provision.channel);
  if (!info) return null;
  const addresseeKind = ADDRESSEE_KIND_OF[addressee.kind];
  if (info.addressees.includes(addresseeKind)) return null;
  const fitting = directory.filter((a) => a.party === addressee.party && info.addressees.includes(ADDRESSEE_KIND_OF[a.kind])).map((a) => ({ id: a.id, name: a.name }));
  const cite = `${info.citation.instrument} Art. ${info.citation.article}${info.citation.paragraph ? `(${info.citation.paragraph})` : ''}`;
  const message = `${legalBasis} travels through the ${provision.channel} channel, which reaches ${info.addressees.join(' or ')} (${cite}); ${addressee.name} is a ${addressee.kind}. ${fitting.length > 0 ? `Address it to ${fitting.map((f) => `${f.name} (${f.id})`).join(' or ')}.` : 'No authority of that kind is in the directory for this party.'}`;
  return { channel: provision.channel, reaches: info.addressees, addresseeKind, fitting, message };
}
