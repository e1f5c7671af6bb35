/**
 * Issue 16: the wizard's local draft. Work typed into the wizard is kept in this browser's
 * localStorage from the first step, per user and per request (`new`, or the saved draft's id with
 * the version it edits), and restored when the user comes back; it is removed once saved on the
 * server. Only this user's browser holds it (the node never sees unsaved work).
 *
 * Also the address of a follow-up request: /requests/new?follows=REF&measures=a,b&addressee=…
 * prefills the next linked request of the file.
 */
import { emptyRequestForm, MEASURES, WIZARD_STEPS, type RequestForm, type WizardStep } from '../../lib/request-form';
import { paths } from '../../routes';

export interface LocalDraft {
  form: RequestForm;
  step: WizardStep;
  /** Linked requests still to draft after this one (measures of each). */
  planned: string[][];
  /** The saved draft's version this work edits (0: not saved yet). */
  version: number;
  /** When it was last written (ISO). */
  at: string;
}

export function localDraftKey(userId: string, caseId: string | undefined): string {
  return `comity:wizard-draft:${userId}:${caseId ?? 'new'}`;
}

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null; // storage disabled (privacy settings): the wizard works without a local draft
  }
}

/** The stored draft, or null when there is none or it is not one (an older shape is completed with empty fields). */
export function readLocalDraft(key: string): LocalDraft | null {
  const raw = storage()?.getItem(key);
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<LocalDraft>;
    if (typeof value !== 'object' || value === null || typeof value.form !== 'object' || value.form === null) return null;
    const base = emptyRequestForm(value.form.requestingAuthority ?? '');
    return {
      form: { ...base, ...value.form },
      step: WIZARD_STEPS.includes(value.step as WizardStep) ? (value.step as WizardStep) : 'addressee',
      planned: Array.isArray(value.planned) ? value.planned.filter(Array.isArray) : [],
      version: typeof value.version === 'number' ? value.version : 0,
      at: typeof value.at === 'string' ? value.at : new Date(0).toISOString(),
    };
  } catch {
    return null;
  }
}

export function writeLocalDraft(key: string, draft: LocalDraft): void {
  try {
    storage()?.setItem(key, JSON.stringify(draft));
  } catch {
    // quota exceeded: the work stays in the page; the leave warning still protects it
  }
}

export function removeLocalDraft(key: string): void {
  storage()?.removeItem(key);
}

export interface FollowUp {
  follows: string;
  measures: readonly string[];
  addressee: string;
  own: string;
  emergency: boolean;
  /** Requests planned after this follow-up. */
  rest: readonly (readonly string[])[];
}

export function followUpPath(f: FollowUp): string {
  const q = new URLSearchParams({ follows: f.follows, measures: f.measures.join(','), addressee: f.addressee, own: f.own });
  if (f.emergency) q.set('emergency', '1');
  if (f.rest.length > 0) q.set('then', f.rest.map((g) => g.join(',')).join(';'));
  return `${paths.newRequest()}?${q.toString()}`;
}

/** An empty form, prefilled from a follow-up address when the wizard was opened with one. */
export function initialForm(requestingAuthority: string): RequestForm {
  const form = emptyRequestForm(requestingAuthority);
  if (typeof window === 'undefined' || window.location.pathname !== paths.newRequest()) return form;
  const q = new URLSearchParams(window.location.search);
  const measures = (q.get('measures') ?? '').split(',').filter((m): m is RequestForm['measures'][number] => (MEASURES as readonly string[]).includes(m));
  return {
    ...form,
    measures: measures.length > 0 ? measures : form.measures,
    addressee: q.get('addressee') ?? form.addressee,
    referenceRequesting: q.get('own') ?? form.referenceRequesting,
    referenceFollows: q.get('follows') ?? form.referenceFollows,
    emergency: q.get('emergency') === '1' || form.emergency,
  };
}

/** The requests planned after a follow-up (from its address). */
export function plannedFromAddress(): string[][] {
  if (typeof window === 'undefined') return [];
  const then = new URLSearchParams(window.location.search).get('then');
  return then ? then.split(';').map((g) => g.split(',').filter(Boolean)) : [];
}
