/**
 * The workspace's typed client of the Comity API.
 *
 * - Same-origin requests with the session cookie (`credentials: 'same-origin'`); the HttpOnly
 *   `comity_session` cookie is never visible to script.
 * - Unsafe methods (POST, PUT, PATCH, DELETE) send `x-csrf-token`, read from the `comity_csrf`
 *   cookie (double submit; falls back to the token of the last sign-in answer).
 * - Every error becomes an {@link ApiProblem} with the API's stable `code` and `issues`
 *   (lib/problem.ts); a request without an answer becomes `network-error`.
 * - An `unauthenticated` answer notifies the listeners of {@link ApiClient.onUnauthenticated}
 *   (the auth provider shows the sign-in page again).
 *
 * Add an endpoint as a one-line method of `api` below (or call `api.client.get/post` directly).
 * No DOM access at import time: api.test.ts runs it in Node with a fake fetch.
 */
import { CSRF_COOKIE, readCookie } from './lib/cookies';
import type { Art28View, ProviderOrderView, TransparencyReportView } from './lib/provider';
import { ApiProblem, networkProblem, parseProblem } from './lib/problem';
import { withQuery, type QueryValue } from './lib/route';
import type {
  AttachmentUpload,
  AttachmentView,
  AccessRecordView, AuditEventView, AuditProofView, LedgerStatusView,
  DeliveryView,
  IncomingRejection,
  Authority,
  CaseSummary,
  CaseDetail,
  CaseFileView,
  CaseTargetView,
  CaseDeadline,
  CaseEvent,
  CaseEventInput,
  CasePage,
  CaseState,
  CaseStatistics,
  CustodyRecord,
  EvidenceItemView,
  LoginResponse,
  Me,
  Notification,
  NotificationItem,
  NotificationPreference,
  UserAccount,
  AdministeredToken,
  TotpEnrolment,
} from './types';

export { ApiProblem };

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  /** Extra request headers (e.g. `idempotency-key`). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiClientOptions {
  /** Prefix of every path ("" for same origin). */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** The current cookie string; defaults to `document.cookie` in a browser. */
  cookies?: () => string;
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly cookies: () => string;
  private lastCsrfToken: string | null = null;
  private readonly unauthenticatedListeners = new Set<(problem: ApiProblem) => void>();

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.cookies = options.cookies ?? (() => (typeof document === 'undefined' ? '' : document.cookie));
  }

  /** Remember the CSRF token of a sign-in answer (used when the cookie cannot be read). */
  rememberCsrfToken(token: string | null): void {
    this.lastCsrfToken = token;
  }

  csrfToken(): string | null {
    return readCookie(this.cookies(), CSRF_COOKIE) ?? this.lastCsrfToken;
  }

  /** Calls `listener` whenever an answer says the session is gone; returns the unsubscribe function. */
  onUnauthenticated(listener: (problem: ApiProblem) => void): () => void {
    this.unauthenticatedListeners.add(listener);
    return () => this.unauthenticatedListeners.delete(listener);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const upper = method.toUpperCase();
    const headers: Record<string, string> = { ...options.headers, accept: 'application/json, application/problem+json' };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    if (UNSAFE.has(upper)) {
      const csrf = this.csrfToken();
      if (csrf) headers['x-csrf-token'] = csrf;
    }
    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl + withQuery(path, options.query ?? {}), {
        method: upper,
        headers,
        credentials: 'same-origin',
        ...(body !== undefined ? { body } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw networkProblem(error);
    }
    if (response.status === 204) return undefined as T;
    const contentType = response.headers.get('content-type');
    let parsed: unknown;
    try {
      const text = await response.text();
      parsed = text.length === 0 ? undefined : contentType && /json/i.test(contentType) ? (JSON.parse(text) as unknown) : text;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      parsed = undefined;
    }
    if (!response.ok) {
      const problem = parseProblem(response.status, contentType, parsed);
      if (problem.needsSignIn) for (const listener of this.unauthenticatedListeners) listener(problem);
      throw problem;
    }
    return parsed as T;
  }

  get<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, ...(body !== undefined ? { body } : {}) });
  }

  put<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...options, ...(body !== undefined ? { body } : {}) });
  }

  delete<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }
}

export interface CaseListQuery {
  state?: CaseState;
  limit?: number;
  offset?: number;
  /** Issue 16: reference or request text; addressee; emergency; created from/to (YYYY-MM-DD). */
  q?: string;
  addressee?: string;
  emergency?: 'true' | 'false';
  from?: string;
  to?: string;
}

export interface DeadlineQuery {
  overdue?: boolean;
  dueWithinHours?: number;
  /** Language of the clocks' descriptions (the interface language). */
  lang?: string;
}

const enc = encodeURIComponent;

/** The endpoints, typed. */
export function createApi(client: ApiClient) {
  return {
    client,
    auth: {
      async login(email: string, password: string): Promise<LoginResponse> {
        const answer = await client.post<LoginResponse>('/api/auth/login', { email, password });
        client.rememberCsrfToken(answer.csrfToken);
        return answer;
      },
      // The session is replaced once the second factor passes: remember its new CSRF token.
      async totp(code: string): Promise<{ mfaPassed: boolean }> {
        const answer = await client.post<{ mfaPassed: boolean; csrfToken?: string }>('/api/auth/totp', { code });
        if (answer.csrfToken) client.rememberCsrfToken(answer.csrfToken);
        return answer;
      },
      enrolTotp: () => client.post<TotpEnrolment>('/api/auth/totp/enrol'),
      async confirmTotp(code: string): Promise<{ mfaPassed: boolean }> {
        const answer = await client.post<{ mfaPassed: boolean; csrfToken?: string }>('/api/auth/totp/confirm', { code });
        if (answer.csrfToken) client.rememberCsrfToken(answer.csrfToken);
        return answer;
      },
      me: (signal?: AbortSignal) => client.get<Me>('/api/auth/me', signal ? { signal } : {}),
      async logout(): Promise<void> {
        await client.post<void>('/api/auth/logout');
        client.rememberCsrfToken(null);
      },
    },
    cases: {
      list: (query: CaseListQuery = {}, signal?: AbortSignal) => client.get<CasePage>('/api/cases', { query: { ...query }, ...(signal ? { signal } : {}) }),
      get: (id: string, signal?: AbortSignal) => client.get<CaseDetail>(`/api/cases/${enc(id)}`, signal ? { signal } : {}),
      /**
       * Drafts a request (the answer is the new case's summary). With `idempotencyKey`, sending it
       * again with the same key answers the case created the first time instead of a second one.
       */
      create: (request: unknown, idempotencyKey?: string) =>
        client.post<CaseSummary>('/api/cases', request, idempotencyKey === undefined ? {} : { headers: { 'idempotency-key': idempotencyKey } }),
      event: (id: string, event: CaseEvent, input: CaseEventInput = {}) => client.post<CaseSummary>(`/api/cases/${enc(id)}/events/${enc(event)}`, input),
      /** Saves a draft again (PUT: the whole request); `expectedVersion` guards against a concurrent change. */
      update: (id: string, request: unknown, expectedVersion?: number) => client.put<CaseSummary>(`/api/cases/${enc(id)}`, request, expectedVersion === undefined ? {} : { query: { expectedVersion } }),
      audit: (id: string, signal?: AbortSignal) => client.get<AuditEventView[]>(`/api/cases/${enc(id)}/audit`, signal ? { signal } : {}),
      /** Who read or downloaded what of the case (auditors). */
      access: (id: string, signal?: AbortSignal) => client.get<AccessRecordView[]>(`/api/cases/${enc(id)}/access`, signal ? { signal } : {}),
      /** An audit event's inclusion proof in the node's transparency log. */
      auditProof: (id: string, eventId: string) => client.get<AuditProofView>(`/api/cases/${enc(id)}/audit/${enc(eventId)}/proof`),
      attachments: (id: string, signal?: AbortSignal) => client.get<AttachmentView[]>(`/api/cases/${enc(id)}/attachments`, signal ? { signal } : {}),
      /** Issue 16: the investigation file (requesting side) and the emergency targets. */
      linked: (id: string, signal?: AbortSignal) => client.get<{ file: CaseFileView | null }>(`/api/cases/${enc(id)}/linked`, signal ? { signal } : {}),
      targets: (id: string, signal?: AbortSignal) => client.get<{ targets: CaseTargetView[] }>(`/api/cases/${enc(id)}/targets`, signal ? { signal } : {}),
      deliveries: (id: string, signal?: AbortSignal) => client.get<DeliveryView[]>(`/api/cases/${enc(id)}/deliveries`, signal ? { signal } : {}),
      attach: (id: string, file: AttachmentUpload) => client.post<AttachmentView>(`/api/cases/${enc(id)}/attachments`, file),
      /** Plain links (downloads: the browser sends the session cookie). */
      pdfUrl: (id: string) => `/api/cases/${enc(id)}/pdf`,
      attachmentUrl: (id: string, attachmentId: string) => `/api/cases/${enc(id)}/attachments/${enc(attachmentId)}`,
    },
    /** Messages to other nodes without a final answer for too long (officers and administrators). */
    stuckMessages: (signal?: AbortSignal) => client.get<DeliveryView[]>('/api/exchange/stuck', signal ? { signal } : {}),
    incomingRejections: (signal?: AbortSignal) => client.get<IncomingRejection[]>('/api/exchange/rejected', signal ? { signal } : {}),
    /** Evidence (src/http/routes/evidence.ts): resumable uploads, items, custody, bundle. */
    evidence: {
      list: (id: string, signal?: AbortSignal) => client.get<EvidenceItemView[]>(`/api/cases/${enc(id)}/evidence`, signal ? { signal } : {}),
      custody: (id: string, signal?: AbortSignal) => client.get<CustodyRecord[]>(`/api/cases/${enc(id)}/evidence/custody`, signal ? { signal } : {}),
      begin: (id: string, input: { name: string; length: number; dataCategory: string; producer: string; description?: string }) => client.post<{ id: string; offset: number; length: number }>(`/api/cases/${enc(id)}/evidence/uploads`, input),
      /** Sends one slice at `offset` as a raw stream (not JSON); answers the new offset, and the item once complete. */
      append: async (id: string, uploadId: string, offset: number, slice: Blob, signal: AbortSignal) => {
        const headers: Record<string, string> = { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset), 'tus-resumable': '1.0.0', accept: 'application/json, application/problem+json' };
        const csrf = client.csrfToken();
        if (csrf) headers['x-csrf-token'] = csrf;
        const response = await fetch(`/api/cases/${enc(id)}/evidence/uploads/${enc(uploadId)}`, { method: 'PATCH', headers, body: slice, credentials: 'same-origin', signal });
        const parsed = (await response.json()) as unknown;
        if (!response.ok) throw parseProblem(response.status, response.headers.get('content-type'), parsed);
        return parsed as { offset: number; length: number; item: EvidenceItemView | null };
      },
      /** Where an upload stands: its offset and the SHA-256 of the bytes the server holds (to check a file chosen again). */
      status: (id: string, uploadId: string, signal?: AbortSignal) => client.get<{ id: string; offset: number; length: number; receivedSha256: string | null; name: string }>(`/api/cases/${enc(id)}/evidence/uploads/${enc(uploadId)}`, signal ? { signal } : {}),
      cancel: (id: string, uploadId: string) => client.delete<void>(`/api/cases/${enc(id)}/evidence/uploads/${enc(uploadId)}`),
      contentUrl: (id: string, itemId: string) => `/api/cases/${enc(id)}/evidence/${enc(itemId)}/content`,
      exportUrl: (id: string) => `/api/cases/${enc(id)}/evidence/export`,
    },
    deadlines: (query: DeadlineQuery = {}, signal?: AbortSignal) => client.get<CaseDeadline[]>('/api/deadlines', { query: { ...query }, ...(signal ? { signal } : {}) }),
    notifications: (signal?: AbortSignal) => client.get<Notification[]>('/api/notifications', signal ? { signal } : {}),
    /** The caller's own notifications (issue 16) and what they choose to receive. */
    me: {
      notifications: (query: { unread?: boolean; limit?: number } = {}, signal?: AbortSignal) =>
        client.get<{ unread: number; items: NotificationItem[] }>('/api/me/notifications', { query: { ...(query.unread ? { unread: 'true' } : {}), ...(query.limit ? { limit: query.limit } : {}) }, ...(signal ? { signal } : {}) }),
      markRead: (ids: string[] | 'all') => client.post<{ changed: number }>('/api/me/notifications/read', ids === 'all' ? { all: true } : { ids }),
      preferences: (signal?: AbortSignal) => client.get<{ email: boolean; preferences: NotificationPreference[] }>('/api/me/notification-preferences', signal ? { signal } : {}),
      setPreferences: (preferences: NotificationPreference[]) => client.put<{ email: boolean; preferences: NotificationPreference[] }>('/api/me/notification-preferences', { preferences }),
    },
    /** Account administration (administrators; src/http/routes/admin.ts). */
    admin: {
      users: (signal?: AbortSignal) => client.get<UserAccount[]>('/api/users', signal ? { signal } : {}),
      createUser: (input: { email: string; displayName: string; authorityId: string | null; roles: string[]; password: string }) => client.post<UserAccount>('/api/users', input),
      updateUser: (id: string, input: { roles?: string[]; displayName?: string }) => client.request<UserAccount>('PATCH', `/api/users/${enc(id)}`, { body: input }),
      disable: (id: string) => client.post<UserAccount>(`/api/users/${enc(id)}/disable`),
      enable: (id: string) => client.post<UserAccount>(`/api/users/${enc(id)}/enable`),
      setPassword: (id: string, password: string) => client.post<UserAccount>(`/api/users/${enc(id)}/password`, { password }),
      resetSecondFactor: (id: string) => client.post<UserAccount>(`/api/users/${enc(id)}/second-factor/reset`),
      tokens: (signal?: AbortSignal) => client.get<AdministeredToken[]>('/api/admin/tokens', signal ? { signal } : {}),
      revokeToken: (id: string) => client.delete<AdministeredToken>(`/api/admin/tokens/${enc(id)}`),
      createAuthority: (input: unknown) => client.post<Authority>('/api/authorities', input),
    },
    /** The node's transparency log (auditors, administrators). */
    ledger: (signal?: AbortSignal) => client.get<LedgerStatusView>('/api/ledger', signal ? { signal } : {}),
    stats: (filters: { from?: string | undefined; to?: string | undefined; instrument?: string | undefined; emergency?: 'true' | 'false' | undefined } = {}, signal?: AbortSignal) =>
      client.get<CaseStatistics>('/api/stats', { query: Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as Record<string, string>, ...(signal ? { signal } : {}) }),
    /** The provider's node: orders with their verification, transparency report, Art. 28 figures. */
    provider: {
      orders: (signal?: AbortSignal) => client.get<ProviderOrderView[]>('/api/provider/orders', signal ? { signal } : {}),
      report: (signal?: AbortSignal) => client.get<TransparencyReportView>('/api/provider/report', signal ? { signal } : {}),
      art28: (signal?: AbortSignal) => client.get<Art28View>('/api/provider/art28', signal ? { signal } : {}),
    },
    authorities: (signal?: AbortSignal) => client.get<Authority[]>('/api/authorities', signal ? { signal } : {}),
    /** The public legal engine (/api/law/*): typed by the pages that use it (treaty explorer, wizard). */
    law: <T>(path: `/${string}`, query: Record<string, QueryValue> = {}, signal?: AbortSignal) => client.get<T>(`/api/law${path}`, { query, ...(signal ? { signal } : {}) }),
  };
}

export type Api = ReturnType<typeof createApi>;

/** The workspace's client (same origin). */
export const api: Api = createApi(new ApiClient());

/** A fresh idempotency key: 128 random bits as hex (crypto.getRandomValues works outside secure contexts too). */
export function newIdempotencyKey(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
