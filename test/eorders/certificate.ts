/**
 * @module test/eorders/certificate
 * The EPOC certificate (Annex I) the order tests start from: a French investigating judge's order
 * for content data of an e-mail account at the demo provider, with `overrides` merged on top.
 */
export function epocCertificate(overrides: Record<string, unknown> = {}) {
  return {
    order: 'EPOC',
    issuer: { kind: 'investigating-judge', name: 'Juge d’instruction, Tribunal judiciaire de Paris', fileReference: 'JI-CYBER-2026-0042' },
    provider: 'example-mail',
    emergency: { emergency: false },
    categories: ['content-data'],
    identifiers: [{ type: 'email', value: 'attacker@mail.demo.invalid' }],
    timeRange: { from: '2026-10-01', to: '2026-11-10' },
    offence: { description: 'Ransomware attack on a Paris hospital; the account received the exfiltrated files.', nationalProvision: 'Code pénal, art. 323-1 et 323-3', maxPenaltyYears: 5, annexIV: true },
    necessity: 'The content of the account is needed to identify the perpetrators; a similar order could be issued in a similar domestic case.',
    residenceTest: { offenceInIssuingState: true, personResidesInIssuingState: false },
    ...overrides,
  };
}
