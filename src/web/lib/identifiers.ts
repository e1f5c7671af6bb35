/**
 * Typed identifiers of the data sought, checked in the browser as the server checks them
 * (src/cases/request.ts `identifierSchema`; identifiers.test.ts compares the two on many values):
 * an e-mail address, an account at a service, a phone number in E.164, an IP address with the
 * instant (and optional source port) it was used at, a domain name. Pure.
 */

export const IDENTIFIER_TYPES = ['email', 'account', 'phone', 'ip', 'domain'] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

/** An identifier as the form holds it: every input a string. */
export interface IdentifierForm {
  type: IdentifierType;
  value: string;
  /** account: the service (e.g. "Example Mail"). */
  service: string;
  /** ip: ISO 8601 instant with offset. */
  timestamp: string;
  /** ip: source port, optional. */
  port: string;
}

/** The identifier as the API takes it. */
export type Identifier =
  | { type: 'email'; value: string }
  | { type: 'account'; value: string; service: string }
  | { type: 'phone'; value: string }
  | { type: 'ip'; value: string; timestamp: string; port?: number }
  | { type: 'domain'; value: string };

/** Which part of an identifier is wrong, and the i18n key saying why (under `wizard.errors`). */
export interface IdentifierIssue {
  part: 'value' | 'service' | 'timestamp' | 'port';
  message: IdentifierMessage;
}

export type IdentifierMessage = 'required' | 'email' | 'phone' | 'ip' | 'domain' | 'timestamp' | 'port' | 'tooLong';

export const emptyIdentifier = (type: IdentifierType = 'email'): IdentifierForm => ({ type, value: '', service: '', timestamp: '', port: '' });

// The server's patterns (zod 4: z.email(), z.iso.datetime({ offset: true })).
const EMAIL = /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;
const INSTANT =
  /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|([+-](?:[01]\d|2[0-3]):[0-5]\d)))$/;
const PHONE = /^\+[1-9]\d{6,14}$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export function isEmail(value: string): boolean {
  return EMAIL.test(value);
}

export function isInstant(value: string): boolean {
  return INSTANT.test(value);
}

export function isPhone(value: string): boolean {
  return PHONE.test(value);
}

export function isDomain(value: string): boolean {
  return DOMAIN.test(value);
}

export function isIPv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** IPv6 as Node's `net.isIP` accepts it: `::` compression, an embedded IPv4 tail, a zone (`%eth0`). */
export function isIPv6(value: string): boolean {
  let address = value;
  const zone = address.indexOf('%');
  if (zone !== -1) {
    if (!/^[^%\s]+$/.test(address.slice(zone + 1))) return false;
    address = address.slice(0, zone);
  }
  let groups = 8;
  const lastColon = address.lastIndexOf(':');
  if (lastColon !== -1 && address.slice(lastColon + 1).includes('.')) {
    if (!isIPv4(address.slice(lastColon + 1))) return false;
    address = `${address.slice(0, lastColon + 1)}0`;
    groups = 7;
  }
  const hex = /^[0-9a-f]{1,4}$/i;
  const halves = address.split('::');
  if (halves.length > 2) return false;
  if (halves.length === 1) {
    const parts = address.split(':');
    return parts.length === groups && parts.every((p) => hex.test(p));
  }
  const [head = '', tail = ''] = halves;
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  if (![...left, ...right].every((p) => hex.test(p))) return false;
  // `::` stands for at least one group of zeros.
  return left.length + right.length <= groups - 1;
}

export function isIP(value: string): boolean {
  return isIPv4(value) || isIPv6(value);
}

/** Every problem of one identifier (empty when the server will accept it). */
export function identifierIssues(id: IdentifierForm): IdentifierIssue[] {
  const issues: IdentifierIssue[] = [];
  const value = id.value.trim();
  if (value === '') issues.push({ part: 'value', message: 'required' });
  else {
    switch (id.type) {
      case 'email':
        if (!isEmail(value)) issues.push({ part: 'value', message: 'email' });
        break;
      case 'phone':
        if (!isPhone(value)) issues.push({ part: 'value', message: 'phone' });
        break;
      case 'ip':
        if (!isIP(value)) issues.push({ part: 'value', message: 'ip' });
        break;
      case 'domain':
        if (!isDomain(value)) issues.push({ part: 'value', message: 'domain' });
        break;
      case 'account':
        if (value.length > 200) issues.push({ part: 'value', message: 'tooLong' });
        break;
    }
  }
  if (id.type === 'account') {
    const service = id.service.trim();
    if (service === '') issues.push({ part: 'service', message: 'required' });
    else if (service.length > 200) issues.push({ part: 'service', message: 'tooLong' });
  }
  if (id.type === 'ip') {
    const at = id.timestamp.trim();
    if (at === '') issues.push({ part: 'timestamp', message: 'required' });
    else if (!isInstant(at)) issues.push({ part: 'timestamp', message: 'timestamp' });
    const port = id.port.trim();
    if (port !== '' && !(/^\d{1,5}$/.test(port) && Number(port) <= 65535)) issues.push({ part: 'port', message: 'port' });
  }
  return issues;
}

/** The identifier for the API (trimmed; only the parts its type has). */
export function toIdentifier(id: IdentifierForm): Identifier {
  const value = id.value.trim();
  switch (id.type) {
    case 'account':
      return { type: 'account', value, service: id.service.trim() };
    case 'ip': {
      const port = id.port.trim();
      return { type: 'ip', value, timestamp: id.timestamp.trim(), ...(port !== '' ? { port: Number(port) } : {}) };
    }
    default:
      return { type: id.type, value };
  }
}

/** An identifier of a saved request, back into the form. */
export function fromIdentifier(id: Identifier): IdentifierForm {
  return {
    type: id.type,
    value: id.value,
    service: id.type === 'account' ? id.service : '',
    timestamp: id.type === 'ip' ? id.timestamp : '',
    port: id.type === 'ip' && id.port !== undefined ? String(id.port) : '',
  };
}
