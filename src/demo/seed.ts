/**
 * @module demo/seed
 * Seeds the demo deployment into an empty database: the demo authorities, a user per role with
 * the demo password (and a TOTP secret for roles that need a second factor), and a handful of
 * cases in different states. Only for demonstration: `COMITY_DEMO=true` on an empty database.
 *
 * The demo password is generated at the first start ({@link newDemoPassword}), never a known
 * constant: a demo left reachable on a network is not open to anyone who read the README. Only
 * the demo has one; the server keeps it with the demo logins beside the data, owner-only.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { confirmTotp, createUser, enrolTotp, login, totpCode, type AuthContext, type Role } from '../auth/index.js';
import { createAuthority, createCase, transitionCase, type Actor, type CaseContext } from '../cases/index.js';
import { createProvider } from '../eorders/index.js';
import { DEMO_AUTHORITIES, DEMO_PROVIDERS, DEMO_REVIEW, preservationRequestFrToUs } from './data.js';

/** A fresh demo password: 16 random bytes, base64url (22 characters), with a readable prefix. */
export function newDemoPassword(): string {
  return `demo-${randomBytes(16).toString('base64url')}`;
}

/** What the server keeps beside the demo data (`demo-logins.json`, mode 0600). */
export interface DemoLogins {
  password: string;
  users: SeededUser[];
}

/** Reads `demo-logins.json`; a file of an earlier version (a bare list of users) has no password. */
export function readDemoLogins(file: string): DemoLogins {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (Array.isArray(parsed)) return { password: '(printed at the first start)', users: parsed as SeededUser[] };
  return parsed as DemoLogins;
}

export interface DemoUser {
  email: string;
  displayName: string;
  authorityId: string | null;
  roles: Role[];
}

export const DEMO_USERS: readonly DemoUser[] = [
  { email: 'drafter@fr.demo', displayName: 'Camille Martin (drafter, Paris)', authorityId: 'fr-ca', roles: ['drafter'] },
  { email: 'judge@fr.demo', displayName: 'Juge Élise Bernard (reviewer)', authorityId: 'fr-ca', roles: ['reviewer'] },
  { email: 'officer@fr.demo', displayName: 'Luc Petit (central authority)', authorityId: 'fr-ca', roles: ['central-authority-officer', 'drafter'] },
  { email: 'auditor@fr.demo', displayName: 'Anne Roux (auditor)', authorityId: 'fr-ca', roles: ['auditor'] },
  { email: 'admin@fr.demo', displayName: 'Paul Leroy (administrator, France)', authorityId: 'fr-ca', roles: ['administrator'] },
  { email: 'officer@us.demo', displayName: 'Jordan Lee (OIA)', authorityId: 'us-doj-oia', roles: ['central-authority-officer'] },
  { email: 'prosecutor@de.demo', displayName: 'Jonas Weber (ZAC Köln)', authorityId: 'de-sta-koeln', roles: ['drafter', 'reviewer', 'central-authority-officer'] },
  // Separation of duties: the prosecutor drafts, an investigating judge validates (src/http/policies.ts).
  { email: 'judge@de.demo', displayName: 'Ermittlungsrichterin Lea Schmitz (AG Köln)', authorityId: 'de-sta-koeln', roles: ['reviewer'] },
  { email: 'poc@jp.demo', displayName: 'Haruto Sato (24/7)', authorityId: 'jp-247', roles: ['24/7-officer'] },
  { email: 'agent@provider.demo', displayName: 'Aoife Byrne (Example Mail)', authorityId: 'ie-provider', roles: ['service-provider-agent'] },
  { email: 'greffe@fr.demo', displayName: 'Hugo Moreau (greffier, juge d’instruction, Paris)', authorityId: 'fr-tj-paris', roles: ['drafter'] },
  { email: 'juge@fr.demo', displayName: 'Juge d’instruction Claire Dubois (Paris)', authorityId: 'fr-tj-paris', roles: ['reviewer', 'drafter'] },
  { email: 'enforcing@ie.demo', displayName: 'Siobhán Kelly (enforcing authority, Ireland)', authorityId: 'ie-enforcing', roles: ['central-authority-officer'] },
  { email: 'admin@comity.demo', displayName: 'Platform administrator', authorityId: null, roles: ['administrator'] },
];

export interface SeededUser extends DemoUser {
  /** Base32 TOTP secret for users who need a second factor; print it only in demo mode. */
  totpSecret: string | null;
}

const SYSTEM: Actor = { id: 'system', authorityId: null };

async function withTotp(auth: AuthContext, user: DemoUser, password: string): Promise<string | null> {
  const session = await login(auth, { email: user.email, password });
  if (!session.session.mfaEnrolmentRequired) return null;
  const { secret } = await enrolTotp(auth, session.session.token);
  await confirmTotp(auth, session.session.token, totpCode(secret, auth.now()));
  return secret;
}

/** True when the database has no authority yet (a fresh deployment). */
export async function isEmpty(cases: CaseContext): Promise<boolean> {
  const row = await cases.db.selectFrom('authorities').select('id').limit(1).executeTakeFirst();
  return row === undefined;
}

export async function seedDemo(cases: CaseContext, auth: AuthContext, password: string): Promise<SeededUser[]> {
  for (const authority of DEMO_AUTHORITIES) await createAuthority(cases, SYSTEM, authority);
  for (const provider of DEMO_PROVIDERS) await createProvider(cases, SYSTEM, provider);
  const seeded: SeededUser[] = [];
  // The demo's history names its real users: each change is recorded as the person who made it.
  const actors = new Map<string, Actor>();
  for (const user of DEMO_USERS) {
    const created = await createUser(auth, SYSTEM, { ...user, password });
    actors.set(user.email, { id: `user:${created.id}`, authorityId: user.authorityId });
    seeded.push({ ...user, totpSecret: await withTotp(auth, user, password) });
  }
  const actor = (email: string): Actor => actors.get(email) as Actor;
  // A distinct drafter and reviewer on each requesting side (separation of duties).
  const fr = actor('drafter@fr.demo');
  const frJudge = actor('judge@fr.demo');
  const frOfficer = actor('officer@fr.demo');
  const us = actor('officer@us.demo');
  const de = actor('prosecutor@de.demo');
  const deJudge = actor('judge@de.demo');
  const ie = actor('agent@provider.demo');
  const send = async (drafter: Actor, id: string) => {
    const [reviewer, officer] = drafter === de ? [deJudge, de] : [frJudge, frOfficer];
    await transitionCase(cases, reviewer, id, 'approve', { review: DEMO_REVIEW });
    await transitionCase(cases, officer, id, 'send');
  };
  const grounds = [{ ground: 'political-offence', applies: false }, { ground: 'essential-interests', applies: false }];
  // 1. A draft, waiting for review.
  await createCase(cases, fr, preservationRequestFrToUs({ references: { requesting: 'PARQUET-PARIS-2026-05102' } }));
  // 2. Sent to the United States, not yet received.
  const sent = await createCase(cases, fr, preservationRequestFrToUs({ references: { requesting: 'PARQUET-PARIS-2026-04990' } }));
  await send(fr, sent.id);
  // 3. Answered by the United States.
  const answered = await createCase(cases, fr, preservationRequestFrToUs());
  await send(fr, answered.id);
  for (const event of ['receive', 'acknowledge', 'start-assessment'] as const) await transitionCase(cases, us, answered.id, event);
  await transitionCase(cases, us, answered.id, 'accept', { assessment: { grounds, decision: 'accept' } });
  await transitionCase(cases, us, answered.id, 'execute');
  await transitionCase(cases, us, answered.id, 'respond', { response: { summary: 'Data preserved under 18 U.S.C. § 2703(f) for 90 days.' } });
  // 4. A German production order to a provider in Ireland, received: its 10-day clock runs.
  const epoc = await createCase(
    cases,
    de,
    preservationRequestFrToUs({
      requestingAuthority: 'de-sta-koeln',
      addressee: 'ie-provider',
      measures: ['subscriber-info'],
      legalBasis: 'EU-2023-1543:5(3)',
      offences: [{ category: 'computer-related-fraud', nationalProvision: 'StGB § 263a', maxPenaltyYears: 5 }],
      facts: 'Phishing campaign against customers of a Cologne savings bank; the phishing site was registered with an e-mail account hosted by Example Mail.',
      references: { requesting: 'ZAC-KOELN-2026-771' },
      contents: {},
    }),
  );
  await send(de, epoc.id);
  await transitionCase(cases, ie, epoc.id, 'receive');
  return seeded;
}
