/**
 * @module eorders/rules
 * The rules of an order's life under Regulation (EU) 2023/1543 as cited data
 * (`data/order-rules.json`): the clocks (Art. 10, 11, 12), who is notified (Art. 8 with the
 * residence test of Art. 8(2) and the suspensive effect of Art. 8(4)), the Annex III reasons, the
 * Art. 17 objection and the Art. 16 enforcement. Facts law.md marks UNCONFIRMED carry
 * `verified: false`. Art. 4 (who may issue or must validate) lives in `law/issuing-authorities`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { citationSchema } from '../law/model.js';

const ruleText = z.strictObject({ text: z.string().min(1), citation: citationSchema });
const clockSchema = z.strictObject({
  id: z.enum(['production', 'enforcing-review', 'preservation']),
  order: z.enum(['EPOC', 'EPOC-PR']),
  emergency: z.boolean(),
  party: z.enum(['addressee', 'enforcing']),
  act: z.string().min(1),
  amount: z.number().int().positive(),
  unit: z.enum(['hours', 'days']),
  runsFrom: z.string().min(1),
  text: z.string().min(1),
  citation: citationSchema,
});

export const orderRulesSchema = z.strictObject({
  source: z.url(),
  clocks: z.array(clockSchema).min(1),
  extension: ruleText.extend({ amount: z.number().int().positive(), unit: z.enum(['days']), form: z.literal('Annex VI') }),
  confirmation: ruleText.extend({ form: z.literal('Annex V') }),
  notification: ruleText.extend({
    categories: z.array(z.enum(['subscriber-data', 'identification-data', 'traffic-data', 'content-data'])).min(1),
    residenceTest: ruleText,
    suspensiveEffect: ruleText,
    earlyConfirmation: ruleText,
    transmissionWindow: ruleText.extend({ hours: z.number().int().positive() }),
  }),
  impossibility: ruleText.extend({
    form: z.literal('Annex III'),
    reasons: z.array(z.strictObject({ id: z.enum(['incomplete', 'manifest-errors', 'insufficient-information', 'de-facto-impossibility', 'data-not-stored']), text: z.string().min(1), citation: citationSchema })).length(5),
  }),
  objection: ruleText,
  enforcement: ruleText,
  refusal: ruleText,
  preservationOnReceipt: ruleText,
});
export type OrderRules = z.infer<typeof orderRulesSchema>;
export type ClockRule = OrderRules['clocks'][number];

let cached: OrderRules | undefined;
/** The rules, read and checked once per process. */
export function orderRules(): OrderRules {
  cached ??= orderRulesSchema.parse(JSON.parse(readFileSync(new URL('./data/order-rules.json', import.meta.url), 'utf8')));
  return cached;
}

export function clockRule(rules: OrderRules, id: ClockRule['id'], order: 'EPOC' | 'EPOC-PR', emergency: boolean): ClockRule | undefined {
  return rules.clocks.find((c) => c.id === id && c.order === order && c.emergency === emergency);
}

export interface NotificationAnswer {
  /** The enforcing authority is notified (Art. 8(1)), at the same time as the addressee. */
  required: boolean;
  /** The notification suspends the addressee's transmission until the end of the enforcing period (Art. 8(4), 10(2)). */
  suspensive: boolean;
  reason: string;
  citations: OrderRules['notification']['citation'][];
}

/**
 * Art. 8: is the enforcing authority notified of this order? Only an EPOC (not an EPOC-PR) for
 * traffic data other than identification data, or content data; not where the residence test of
 * Art. 8(2) holds (offence in the issuing State AND person residing there).
 */
export function notificationFor(
  rules: OrderRules,
  order: { kind: 'EPOC' | 'EPOC-PR'; categories: readonly string[]; emergency: boolean; offenceInIssuingState: boolean; personResidesInIssuingState: boolean },
): NotificationAnswer {
  const n = rules.notification;
  if (order.kind !== 'EPOC') return { required: false, suspensive: false, reason: 'a European Preservation Order is not notified to the enforcing State (Art. 8(1) concerns production orders)', citations: [n.citation] };
  const notifiable = order.categories.filter((c) => (n.categories as readonly string[]).includes(c));
  if (notifiable.length === 0) return { required: false, suspensive: false, reason: 'subscriber data and data requested solely to identify the user are not notified (Art. 8(1))', citations: [n.citation] };
  if (order.offenceInIssuingState && order.personResidesInIssuingState) {
    return { required: false, suspensive: false, reason: 'the offence is committed in the issuing State and the person resides there: no notification (Art. 8(2))', citations: [n.citation, n.residenceTest.citation] };
  }
  return {
    required: true,
    suspensive: !order.emergency,
    reason: `${notifiable.join(' and ')}: the enforcing authority is notified at the same time as the addressee (Art. 8(1))${order.emergency ? '; in an emergency without suspensive effect (Art. 8(4))' : '; the addressee transmits at the end of the 10 days unless the enforcing authority confirms earlier that it raises no ground (Art. 8(4), 10(2))'}`,
    citations: [n.citation, ...(order.emergency ? [] : [n.suspensiveEffect.citation, n.earlyConfirmation.citation])],
  };
}
