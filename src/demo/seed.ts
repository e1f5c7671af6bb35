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
import { checkPasswordPolicy, confirmTotp, createUser, enrolTotp, login, totpCode, type AuthContext, type Role } from '../auth/index.js';
import { createAuthority, createCase, transitionCase, type Actor, type CaseContext } from '../cases/index.js';
import { createProvider } from '../eorders/index.js';
import { DEMO_AUTHORITIES, DEMO_PROVIDERS, DEMO_REVIEW, preservationRequestFrToUs } from './data.js';

/**
 * A fresh demo password: 16 random bytes, base64url (22 characters), with a readable prefix —
 * drawn again in the rare case (≈ 1 draw in 800) that it contains a demo user's e-mail name
 * ("poc", "jld"…), which the password policy refuses: the demo would otherwise fail to seed.
 */
export function newDemoPassword(): string {
  for (;;) {
    const password = `demo-${randomBytes(16).toString('base64url')}`;
    if (DEMO_USERS.every((user) => checkPasswordPolicy(password, { email: user.email }).length === 0)) return password;
  }
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
  // The Paris cybercrime prosecutor issues European Production Orders (EU 2023/1543 Art. 4: a prosecutor
  // may issue one for subscriber data); a judge of the same court validates (separation of duties).
  { email: 'prosecutor@fr.demo', displayName: 'Sophie Moreau (Parquet de Paris, J3)', authorityId: 'fr-parquet-paris', roles: ['drafter', 'central-authority-officer'] },
  { email: 'jld@fr.demo', displayName: 'Juge Marc Dubois (JLD, Paris)', authorityId: 'fr-parquet-paris', roles: ['reviewer'] },
  { email: 'officer@us.demo', displayName: 'Jordan Lee (OIA)', authorityId: 'us-doj-oia', roles: ['central-authority-officer'] },
  { email: 'prosecutor@de.demo', displayName: 'Jonas Weber (ZAC Köln)', authorityId: 'de-sta-koeln', roles: ['drafter', 'reviewer', 'central-authority-officer'] },
  // Separation of duties: the prosecutor drafts, an investigating judge validates (src/http/policies.ts).
  { email: 'judge@de.demo', displayName: 'Ermittlungsrichterin Lea Schmitz (AG Köln)', authorityId: 'de-sta-koeln', roles: ['reviewer'] },
  { email: 'poc@us.demo', displayName: 'Sam Rivera (CCIPS 24/7)', authorityId: 'us-247', roles: ['24/7-officer'] },
  { email: 'poc@jp.demo', displayName: 'Haruto Sato (24/7)', authorityId: 'jp-247', roles: ['24/7-officer'] },
  { email: 'agent@provider.demo', displayName: 'Aoife Byrne (Example Mail)', authorityId: 'ie-provider', roles: ['service-provider-agent'] },
  { email: 'greffe@fr.demo', displayName: 'Hugo Moreau (greffier, juge d’instruction, Paris)', authorityId: 'fr-tj-paris', roles: ['drafter'] },
  { email: 'juge@fr.demo', displayName: 'Juge d’instruction Claire Dubois (Paris)', authorityId: 'fr-tj-paris', roles: ['reviewer', 'drafter'] },
  // Reg. 2023/1543 Art. 4(5): the OFAC (France's 24/7 point of contact, a police office) issues
  // emergency identification-data orders as "another competent authority"; its head approves.
  { email: 'ofac@fr.demo', displayName: 'Lieutenant Inès Garnier (OFAC)', authorityId: 'fr-247', roles: ['drafter', '24/7-officer'] },
  { email: 'ofac-chef@fr.demo', displayName: 'Commandant Yves Lambert (OFAC, head of unit)', authorityId: 'fr-247', roles: ['reviewer', '24/7-officer'] },
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

/** Which part of the demo a server seeds: all of it (one server), or a federation node's own part. */
export interface DemoScope {
  /** The authorities this node hosts (COMITY_NODE_HOST); absent: a single server hosting every demo authority. */
  readonly hosted?: readonly string[];
}

export async function seedDemo(cases: CaseContext, auth: AuthContext, password: string, scope: DemoScope = {}): Promise<SeededUser[]> {
  const hosted = scope.hosted === undefined ? null : new Set(scope.hosted);
  // A federation node seeds only the authorities it hosts: its peers' come from their signed
  // agreements (exchange/peers.ts), so a request to a peer's authority is routed to that peer.
  for (const authority of DEMO_AUTHORITIES) if (hosted === null || hosted.has(authority.id)) await createAuthority(cases, SYSTEM, authority);
  for (const provider of DEMO_PROVIDERS) if (hosted === null || hosted.has(provider.representative)) await createProvider(cases, SYSTEM, provider);
  const seeded: SeededUser[] = [];
  // The demo's history names its real users: each change is recorded as the person who made it.
  const actors = new Map<string, Actor>();
  for (const user of DEMO_USERS) {
    if (hosted !== null && user.authorityId !== null && !hosted.has(user.authorityId)) continue;
    const created = await createUser(auth, SYSTEM, { ...user, password });
    actors.set(user.email, { id: `user:${created.id}`, authorityId: user.authorityId });
    seeded.push({ ...user, totpSecret: await withTotp(auth, user, password) });
  }
  // A federation node's cases cross the border: seedDemoExchange makes them once the peers are trusted.
  if (hosted !== null) return seeded;
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

/** The actor of a seeded demo user, read back from the database. */
async function demoActor(cases: CaseContext, email: string): Promise<Actor | null> {
  const row = await cases.db.selectFrom('users').select(['id', 'authority_id']).where('email', '=', email).executeTakeFirst();
  return row === undefined ? null : { id: `user:${row.id}`, authorityId: row.authority_id };
}

/** The cases a federation node's demo makes once it trusts its peers (see {@link seedDemoExchange}). */
export const DEMO_EXCHANGE_CASES = {
  draft: 'PARQUET-PARIS-2026-05102',
  approved: 'PARQUET-PARIS-2026-04990',
  sent: 'PARQUET-PARIS-2026-04417',
  order: 'PARQUET-PARIS-2026-EPOC-031',
} as const;

/**
 * The cross-border part of a federation node's demo, made once the peers' agreements are imported
 * (the addressees are then known, hosted by the peers): on the French node a preservation request
 * to the United States as a draft, one approved and ready to send, one sent (it travels to the US
 * node), and a European Production Order of the Paris prosecutor sent to the Irish provider's node.
 * Other nodes have nothing to seed: their cases arrive. Waits at most `waitMs` for the peers.
 * @returns what was made (empty when this node seeds nothing or the peers never came).
 */
export async function seedDemoExchange(cases: CaseContext, addresseeKnown: (authorityId: string) => Promise<boolean>, options: { waitMs?: number; settleMs?: number; stopped?: () => boolean } = {}): Promise<string[]> {
  const drafter = await demoActor(cases, 'drafter@fr.demo');
  const judge = await demoActor(cases, 'judge@fr.demo');
  const officer = await demoActor(cases, 'officer@fr.demo');
  if (drafter === null || judge === null || officer === null) return [];
  const deadline = Date.now() + (options.waitMs ?? 600_000);
  const waitFor = async (authorityId: string): Promise<boolean> => {
    while (!(await addresseeKnown(authorityId))) {
      if (Date.now() > deadline || options.stopped?.()) return false;
      await new Promise((r) => setTimeout(r, 500));
    }
    // We trust the peer; the peer imports our agreement at its next scan of the trust folder
    // (every 2 s): a message sent before would be refused as from an unknown sender, for good.
    await new Promise((r) => setTimeout(r, options.settleMs ?? 5000));
    return true;
  };
  const made: string[] = [];
  if (await waitFor('us-doj-oia')) {
    await createCase(cases, drafter, preservationRequestFrToUs({ references: { requesting: DEMO_EXCHANGE_CASES.draft } }));
    const approved = await createCase(cases, drafter, preservationRequestFrToUs({ references: { requesting: DEMO_EXCHANGE_CASES.approved } }));
    await transitionCase(cases, judge, approved.id, 'approve', { review: DEMO_REVIEW });
    const sent = await createCase(cases, drafter, preservationRequestFrToUs({ references: { requesting: DEMO_EXCHANGE_CASES.sent } }));
    await transitionCase(cases, judge, sent.id, 'approve', { review: DEMO_REVIEW });
    await transitionCase(cases, officer, sent.id, 'send');
    made.push(DEMO_EXCHANGE_CASES.draft, DEMO_EXCHANGE_CASES.approved, DEMO_EXCHANGE_CASES.sent);
  }
  const prosecutor = await demoActor(cases, 'prosecutor@fr.demo');
  const jld = await demoActor(cases, 'jld@fr.demo');
  if (prosecutor !== null && jld !== null && (await waitFor('ie-provider'))) {
    const order = await createCase(cases, prosecutor, demoProductionOrderFrToIe());
    await transitionCase(cases, jld, order.id, 'approve', { review: { ...DEMO_REVIEW, reference: 'JLD-2026-1203' } });
    await transitionCase(cases, prosecutor, order.id, 'send');
    made.push(DEMO_EXCHANGE_CASES.order);
  }
  return made;
}

/** The Paris prosecutor's European Production Order for subscriber data, to the Irish provider. */
export function demoProductionOrderFrToIe() {
  return preservationRequestFrToUs({
    requestingAuthority: 'fr-parquet-paris',
    addressee: 'ie-provider',
    measures: ['subscriber-info'],
    legalBasis: 'EU-2023-1543:5(3)',
    facts: 'Between 3 and 5 November 2026 an intruder accessed the mail server of a Paris hospital; the ransom demand came from an e-mail account hosted by Example Mail.',
    references: { requesting: DEMO_EXCHANGE_CASES.order },
    contents: {},
  });
}
