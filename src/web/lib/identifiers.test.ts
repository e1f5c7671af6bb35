import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyIdentifier, fromIdentifier, identifierIssues, isIP, toIdentifier, type IdentifierForm } from './identifiers';

type Schema = { safeParse(value: unknown): { success: boolean } };

/** The server's schema, imported dynamically so that the web type-check does not pull server modules in. */
async function serverSchema(): Promise<Schema> {
  const mod = (await import(new URL('../../cases/request.ts', import.meta.url).href)) as { identifierSchema: Schema };
  return mod.identifierSchema;
}

const EMAILS = ['a@b.co', 'a.b@c.d', 'a..b@c.de', '.a@b.cd', 'a@b', 'a+b@mail.demo.invalid', "o'brien@x.ie", 'a@-b.com', 'a@b.c', 'é@b.com', 'a@b_c.com', 'attacker@mail.demo.invalid', 'x@y.example.org'];
const PHONES = ['+33612345678', '33612345678', '+0612345678', '+123456', '+1234567', '+123456789012345', '+1234567890123456', '+33 6 12 34 56 78'];
const IPS = ['1.1.1.1', '01.1.1.1', '255.255.255.255', '256.1.1.1', '1.1.1', '0.0.0.0', ' 1.1.1.1', 'fe80::1%eth0', 'fe80::1%', '::ffff:1.2.3.4', '::', '1::', '2001:db8::1', '2001:db8:0:0:0:0:0:1:2', '::1.2.3.4', '1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6::1.2.3.4', 'FE80::A', '2001:db8::g', '1:::2', '12345::1', '::1.2.3', '1:2:3:4:5:6:1.2.3.4', '203.0.113.7'];
const INSTANTS = ['2026-11-04T21:13:07Z', '2026-11-04T21:13Z', '2026-11-04T21:13:07.123Z', '2026-11-04T21:13:07+01:00', '2026-11-04T21:13:07+0100', '2026-11-04 21:13:07Z', '2026-11-04T21:13:07', '2026-02-30T00:00:00Z', '2024-02-29T00:00:00Z', '2026-11-04T24:00:00Z', '2026-11-04T21:13:07-00:00'];
const DOMAINS = ['example.org', 'mail.demo.invalid', 'localhost', '-bad.com', 'a.b', 'xn--bcher-kva.example', 'under_score.com', `${'a'.repeat(64)}.com`];
const PORTS = ['', '0', '443', '65535', '65536', '-1', '1.5', 'http'];

function cases(): IdentifierForm[] {
  const out: IdentifierForm[] = [];
  for (const value of EMAILS) out.push({ ...emptyIdentifier('email'), value });
  for (const value of PHONES) out.push({ ...emptyIdentifier('phone'), value });
  for (const value of DOMAINS) out.push({ ...emptyIdentifier('domain'), value });
  for (const value of IPS) out.push({ ...emptyIdentifier('ip'), value, timestamp: '2026-11-04T21:13:07Z' });
  for (const timestamp of INSTANTS) out.push({ ...emptyIdentifier('ip'), value: '203.0.113.7', timestamp });
  for (const port of PORTS) out.push({ ...emptyIdentifier('ip'), value: '203.0.113.7', timestamp: '2026-11-04T21:13:07Z', port });
  out.push({ ...emptyIdentifier('account'), value: 'user123', service: 'Example Mail' });
  out.push({ ...emptyIdentifier('account'), value: 'user123', service: '' });
  out.push({ ...emptyIdentifier('account'), value: '', service: 'Example Mail' });
  out.push({ ...emptyIdentifier('account'), value: 'x'.repeat(201), service: 'Example Mail' });
  out.push({ ...emptyIdentifier('ip'), value: '203.0.113.7', timestamp: '' });
  out.push({ ...emptyIdentifier('email'), value: '' });
  return out;
}

describe('typed identifiers', () => {
  it('are accepted exactly when the server’s schema accepts them', async () => {
    const schema = await serverSchema();
    const disagreements: string[] = [];
    for (const form of cases()) {
      const client = identifierIssues(form).length === 0;
      const server = schema.safeParse(toIdentifier(form)).success;
      if (client !== server) disagreements.push(`${JSON.stringify(form)}: client ${client}, server ${server}`);
    }
    assert.deepEqual(disagreements, []);
  });

  it('name the part that is wrong', () => {
    assert.deepEqual(identifierIssues({ ...emptyIdentifier('ip'), value: '1.2.3', timestamp: '2026-11-04 21:13', port: '70000' }), [
      { part: 'value', message: 'ip' },
      { part: 'timestamp', message: 'timestamp' },
      { part: 'port', message: 'port' },
    ]);
    assert.deepEqual(identifierIssues({ ...emptyIdentifier('account'), value: 'u' }), [{ part: 'service', message: 'required' }]);
    assert.deepEqual(identifierIssues({ ...emptyIdentifier('phone'), value: '0612345678' }), [{ part: 'value', message: 'phone' }]);
    assert.deepEqual(identifierIssues({ ...emptyIdentifier('email'), value: '  ' }), [{ part: 'value', message: 'required' }]);
  });

  it('keep only the parts of their type, trimmed, and come back into the form unchanged', () => {
    assert.deepEqual(toIdentifier({ type: 'ip', value: ' 203.0.113.7 ', service: 'ignored', timestamp: '2026-11-04T21:13:07Z', port: '443' }), { type: 'ip', value: '203.0.113.7', timestamp: '2026-11-04T21:13:07Z', port: 443 });
    assert.deepEqual(toIdentifier({ type: 'ip', value: '203.0.113.7', service: '', timestamp: '2026-11-04T21:13:07Z', port: '' }), { type: 'ip', value: '203.0.113.7', timestamp: '2026-11-04T21:13:07Z' });
    assert.deepEqual(toIdentifier({ type: 'email', value: 'a@b.co', service: 'x', timestamp: 'y', port: '1' }), { type: 'email', value: 'a@b.co' });
    for (const form of cases().filter((f) => identifierIssues(f).length === 0)) {
      assert.deepEqual(toIdentifier(fromIdentifier(toIdentifier(form))), toIdentifier(form));
    }
  });

  it('IPv4 and IPv6 as Node’s net.isIP', async () => {
    const net = await import('node:net');
    for (const value of IPS) assert.equal(isIP(value), net.isIP(value) !== 0, value);
  });
});
