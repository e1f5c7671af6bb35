/**
 * @module exchange/message-types
 * The steps of a case that cross the border, each one message type. They follow the workflow
 * (README "Cases"): request, acknowledgement, clarification request and answer, decision with
 * reasons, partial or conditional execution, response with evidence, withdrawal, closing.
 */
export const MESSAGE_TYPES = [
  'request',
  'acknowledgement',
  'clarification-request',
  'clarification-answer',
  'decision',
  'execution',
  'response',
  'withdrawal',
  'closing',
  'notice',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
