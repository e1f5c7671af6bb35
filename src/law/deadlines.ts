/**
 * @module law/deadlines
 * Legal clocks for an instrument and measure: every deadline the knowledge base attaches to the
 * provisions that cover the measure, computed from the instant a request (or the notification
 * sent with it) was received. Day periods follow the instrument's day rule in the authority's
 * IANA time zone; hour periods are exact elapsed time.
 */
import { dueInstant, formatInstant, lastDay, type PeriodSpec } from '../clock/index.js';
import type { KnowledgeBase } from './knowledge-base.js';
import type { Citation, Deadline, InstrumentId, Measure } from './model.js';

export interface DeadlinesQuery {
  instrument: InstrumentId;
  measure: Measure;
  /** ISO 8601 instant with offset. */
  received: string;
  emergency: boolean;
  /** IANA time zone of the authority whose clock runs. */
  timeZone: string;
  /** Public holidays (YYYY-MM-DD) of that authority, for rules that extend to a working day. */
  holidays?: ReadonlySet<string>;
  /** Which events `received` stands for; default receipt and the notification sent with it. */
  runsFrom?: readonly Deadline['runsFrom'][];
}

export interface ComputedDeadline {
  id: string;
  provision: string;
  description: string;
  /** Exclusive end: the act is due before this instant. */
  due: string;
  /** For day periods, the last local day of the period. */
  lastDay: string | null;
  kind: Deadline['kind'];
  act: Deadline['act'];
  runsFrom: Deadline['runsFrom'];
  suspendedDuringClarification: Citation | null;
  period: PeriodSpec;
  extensionDays: number | null;
  citation: Citation;
  verified: boolean;
  counting: { rule: string; citation: Citation } | null;
}

export interface DeadlinesResult {
  instrument: InstrumentId;
  measure: Measure;
  received: string;
  timeZone: string;
  emergency: boolean;
  deadlines: ComputedDeadline[];
  /** Deadlines of these provisions that run from a later event (decision, service on provider). */
  later: { id: string; provision: string; description: string; runsFrom: Deadline['runsFrom']; period: PeriodSpec; citation: Citation }[];
}

/** Events that coincide with receipt: Reg. 2023/1543 Art. 8(1) sends the notification "at the same time". */
const FROM_RECEIPT: ReadonlySet<Deadline['runsFrom']> = new Set(['receipt', 'notification']);

export function computeDeadlines(kb: KnowledgeBase, query: DeadlinesQuery): DeadlinesResult {
  const instrument = kb.instruments.get(query.instrument);
  if (!instrument) throw new Error(`instrument ${query.instrument} missing`);
  const fromEvent: ReadonlySet<Deadline['runsFrom']> = query.runsFrom ? new Set(query.runsFrom) : FROM_RECEIPT;
  const seen = new Set<string>();
  const deadlines: ComputedDeadline[] = [];
  const later: DeadlinesResult['later'] = [];
  for (const provision of kb.provisions) {
    if (provision.instrument !== query.instrument || !provision.measures.includes(query.measure)) continue;
    if (!query.emergency && provision.conditions.some((c) => c.kind === 'emergency-only')) continue;
    for (const deadline of provision.deadlines) {
      if (deadline.emergency !== 'both' && (deadline.emergency === 'only') !== query.emergency) continue;
      if (deadline.measures.length > 0 && !deadline.measures.includes(query.measure)) continue;
      if (seen.has(deadline.id)) continue;
      seen.add(deadline.id);
      const period = { amount: deadline.amount, unit: deadline.unit };
      if (!fromEvent.has(deadline.runsFrom)) {
        later.push({ id: deadline.id, provision: provision.id, description: deadline.description, runsFrom: deadline.runsFrom, period, citation: deadline.citation });
        continue;
      }
      const due = dueInstant(query.received, period, {
        timeZone: query.timeZone,
        dayRule: instrument.dayPeriodRule.rule,
        ...(query.holidays ? { holidays: query.holidays } : {}),
      });
      deadlines.push({
        id: deadline.id,
        provision: provision.id,
        description: deadline.description,
        due: formatInstant(due),
        lastDay: lastDay(due, deadline.unit),
        kind: deadline.kind,
        act: deadline.act,
        runsFrom: deadline.runsFrom,
        suspendedDuringClarification: deadline.suspendedDuringClarification ?? null,
        period,
        extensionDays: deadline.extensionDays ?? null,
        citation: deadline.citation,
        verified: deadline.citation.verified,
        // How the period was counted is a separate, cited convention (unverified where no text fixes it).
        counting: deadline.unit === 'hours' ? null : instrument.dayPeriodRule,
      });
    }
  }
  deadlines.sort((a, b) => a.due.localeCompare(b.due) || a.id.localeCompare(b.id));
  return { instrument: query.instrument, measure: query.measure, received: query.received, timeZone: query.timeZone, emergency: query.emergency, deadlines, later };
}
