/**
 * @module exchange/message
 * The signed part of a message: everything a recipient must not be able to change or re-address.
 * It binds sender, recipient (node and authority), message id, the id it answers, conversation,
 * type, instrument, action and time (exchange-evidence.md §6), so a recipient cannot forward it
 * to a third node as if it were addressed there.
 */
import { z } from 'zod';
import { nodeIdSchema } from './identity.js';
import { MESSAGE_TYPES } from './message-types.js';

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a lowercase UUID');
const party = z.strictObject({ node: nodeIdSchema, authority: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/) });

export const MESSAGE_VERSION = 1;

export const messageSchema = z.strictObject({
  v: z.literal(MESSAGE_VERSION),
  id: uuid,
  from: party,
  to: party,
  inReplyTo: uuid.nullable(),
  conversation: uuid,
  type: z.enum(MESSAGE_TYPES),
  /** The legal instrument the step rests on (e.g. `ETS185`), or null for a notice. */
  instrument: z.string().max(40).nullable(),
  /** The workflow action the receiver applies (a case event, e.g. `send`, `accept`). */
  action: z.string().regex(/^[a-z][a-z-]{0,39}$/),
  /** When the sender committed it (ISO 8601, UTC). */
  time: z.iso.datetime(),
  /** Emergency: stricter checks (a second signature) and a shorter stuck-message threshold. */
  emergency: z.boolean(),
  /** The content (a case, a decision with reasons, …). */
  body: z.record(z.string(), z.unknown()),
});
export type ExchangeMessage = z.infer<typeof messageSchema>;
