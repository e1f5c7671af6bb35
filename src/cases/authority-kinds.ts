/**
 * @module cases/authority-kinds
 * The kinds of authority a node's directory knows. No dependencies, so that the workspace
 * (src/web) and the server share one list.
 */
export const AUTHORITY_KINDS = [
  'central-authority',
  '24/7-point-of-contact',
  'prosecutor-or-judge',
  'police-unit',
  'service-provider',
  'eu-enforcing-authority',
] as const;
export type AuthorityKind = (typeof AUTHORITY_KINDS)[number];
