/**
 * Sign-then-encrypt envelopes between real nodes (each its own SQLite database and keys), and the
 * attacks of issue 12: each is refused with its own code and a clear reason.
 */
import assert from 'node:assert/strict';
import { randomUUID, sign } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compactDecrypt, CompactEncrypt, FlattenedSign, GeneralSign, importJWK } from 'jose';
import { openDatabase } from '../../src/db/index.js';
import { ExchangeError, buildTrustList, type TrustList, type TrustedNode } from '../../src/exchange/index.js';
import { openEnvelope, sealEnvelope, type OpenContext } from '../../src/exchange/envelope.js';
import type { ExchangeMessage } from '../../src/exchange/message.js';
import { canonicalJson } from '../../src/ledger/canonical-json.js';
import { createTestNode, reimport, trustEachOther, type NodeName, type TestNode } from './nodes.js';

const dir = mkdtempSync(join(tmpdir(), 'comity-envelope-'));
const nodes = {} as Record<NodeName, TestNode>;

function message(overrides: Partial<ExchangeMessage> = {}): ExchangeMessage {
  return {
    v: 1,
    id: randomUUID(),
    from: { node: 'FR:justice.gouv.fr', authority: 'fr-ca' },
    to: { node: 'US:oia.justice.gov', authority: 'us-doj-oia' },
    inReplyTo: null,
    conversation: randomUUID(),
    type: 'request',
    instrument: 'ETS185',
    action: 'send',
    time: new Date().toISOString(),
    emergency: false,
    body: { measure: 'preservation' },
    ...overrides,
  };
}

async function ctxOf(name: NodeName, now = new Date()): Promise<OpenContext> {
  return { keys: nodes[name].keys, trust: await nodes[name].trust(), now };
}

async function refused(promise: Promise<unknown>, code: string, reason: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ExchangeError, String(error));
    assert.equal(error.code, code, error.message);
    assert.match(error.message, reason);
    return true;
  });
}

/** Encrypts arbitrary JWS text to `recipient`, as an attacker who knows its public key can. */
async function encryptTo(recipient: TrustedNode, plaintext: string, header: Record<string, unknown> = {}): Promise<string> {
  const key = [...recipient.keys.values()].find((k) => k.purpose === 'node-encryption' && k.exp === undefined);
  assert.ok(key);
  return new CompactEncrypt(Buffer.from(plaintext)).setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: key.kid, ...header }).encrypt(await importJWK({ kty: 'OKP', crv: 'X25519', x: key.x }, 'ECDH-ES+A256KW'));
}

/** A JWS signed by fr-ca's real key with a chosen protected header (for header attacks). */
async function signedByFrCa(payload: ExchangeMessage, header: Record<string, unknown>): Promise<string> {
  const key = await nodes.fr.keys.active('fr-ca', 'authority-signing');
  assert.ok(key);
  const jws = await new GeneralSign(Buffer.from(canonicalJson(payload))).addSignature(await nodes.fr.keys.privateKey(key.id, 'sign')).setProtectedHeader({ alg: 'EdDSA', kid: key.id, typ: 'comity-message+jws', role: 'sender', ...header }).sign();
  return JSON.stringify(jws);
}

describe('envelopes between nodes', () => {
  before(async () => {
    for (const name of ['fr', 'us', 'ie', 'jp'] as const) nodes[name] = await createTestNode(name, await openDatabase({ kind: 'sqlite', file: join(dir, `${name}.db`) }));
    await trustEachOther([nodes.fr, nodes.us, nodes.ie]); // jp is trusted by nobody
  });
  after(async () => {
    for (const node of Object.values(nodes)) await node.handle.close();
  });

  it('seals with the sender and reviewer signatures and opens at the recipient, with a digest of every part', async () => {
    const fr = await nodes.fr.trust();
    const m = message({ emergency: true });
    const envelope = await sealEnvelope(nodes.fr.keys, m, fr.node('US:oia.justice.gov')!, ['fr-parquet-paris']);
    const opened = await openEnvelope(envelope, await ctxOf('us'));
    assert.deepEqual(opened.message, m);
    assert.deepEqual(opened.signatures.map((s) => [s.authority, s.role]), [['fr-ca', 'sender'], ['fr-parquet-paris', 'reviewer']]);
    assert.match(opened.digests.envelope, /^[0-9a-f]{64}$/);
    assert.equal(opened.digests.signatures.length, 2);
    // The ciphertext shows neither the content nor the parties.
    assert.ok(!Buffer.from(envelope).toString().includes('preservation'));
    assert.ok(!envelope.split('.').map((p) => Buffer.from(p, 'base64url').toString()).join('').includes('fr-ca'));
  });

  it('refuses an emergency message without a reviewer signature', async () => {
    const envelope = await sealEnvelope(nodes.fr.keys, message({ emergency: true }), (await nodes.fr.trust()).node('US:oia.justice.gov')!);
    await refused(openEnvelope(envelope, await ctxOf('us')), 'missing-signature', /emergency message must also carry a reviewer signature/);
  });

  it('refuses a forged signature (altered payload, signature kept)', async () => {
    const honest = JSON.parse(await signedByFrCa(message(), {})) as { payload: string; signatures: unknown[] };
    const forged = { ...honest, payload: Buffer.from(canonicalJson(message({ body: { measure: 'content-data' } }))).toString('base64url') };
    const envelope = await encryptTo((await nodes.fr.trust()).node('US:oia.justice.gov')!, JSON.stringify(forged));
    await refused(openEnvelope(envelope, await ctxOf('us')), 'bad-signature', /signature 0 by fr-ca does not verify/);
  });

  it('refuses a replay a week later (stale) and a replay to another node (not for this node)', async () => {
    const envelope = await sealEnvelope(nodes.fr.keys, message(), (await nodes.fr.trust()).node('US:oia.justice.gov')!);
    await openEnvelope(envelope, await ctxOf('us'));
    await refused(openEnvelope(envelope, await ctxOf('us', new Date(Date.now() + 7 * 86_400_000))), 'stale', /more than 72 h ago: refused as a replay/);
    await refused(openEnvelope(envelope, await ctxOf('ie')), 'not-for-this-node', /encrypted to a key this node does not have/);
  });

  it('refuses a message the recipient re-encrypted to a third node', async () => {
    const envelope = await sealEnvelope(nodes.fr.keys, message(), (await nodes.fr.trust()).node('US:oia.justice.gov')!);
    // The US node decrypts it and re-encrypts the signed message to the Irish provider.
    const usEncryption = (await nodes.us.keys.active('node', 'node-encryption'))!;
    const { plaintext } = await compactDecrypt(envelope, await nodes.us.keys.privateKey(usEncryption.id, 'decrypt'));
    const forwarded = await encryptTo((await nodes.us.trust()).node('IE:example-mail.ie')!, Buffer.from(plaintext).toString());
    await refused(openEnvelope(forwarded, await ctxOf('ie')), 'wrong-recipient', /addressed to node US:oia\.justice\.gov, not to this node \(IE:example-mail\.ie\)/);
  });

  it('refuses an unknown sender and an authority its node does not host', async () => {
    const jp = nodes.jp;
    // jp imports the US agreement so it can encrypt to it; the US does not trust jp.
    await reimport(jp, nodes.us);
    const envelope = await sealEnvelope(jp.keys, message({ from: { node: 'JP:npa.go.jp', authority: 'jp-247' } }), (await jp.trust()).node('US:oia.justice.gov')!);
    await refused(openEnvelope(envelope, await ctxOf('us')), 'unknown-sender', /node JP:npa\.go\.jp is not a trusted peer/);
    const claimed = await sealEnvelope(nodes.fr.keys, message({ from: { node: 'FR:justice.gouv.fr', authority: 'us-doj-oia' } }), (await nodes.fr.trust()).node('IE:example-mail.ie')!).catch((e: unknown) => e);
    assert.ok(claimed instanceof ExchangeError); // FR holds no key of us-doj-oia: it cannot even sign
    const impersonation = await encryptTo((await nodes.fr.trust()).node('US:oia.justice.gov')!, await signedByFrCa(message({ from: { node: 'FR:justice.gouv.fr', authority: 'de-sta-koeln' } }), {}));
    await refused(openEnvelope(impersonation, await ctxOf('us')), 'unknown-authority', /authority de-sta-koeln is not hosted by FR:justice\.gouv\.fr/);
  });

  it('keeps old messages verifiable after a rotation; refuses an expired, a removed and a revoked key', async () => {
    const old = (await nodes.fr.keys.active('fr-parquet-paris', 'authority-signing'))!;
    const before = message({ from: { node: 'FR:justice.gouv.fr', authority: 'fr-parquet-paris' }, time: new Date().toISOString() });
    const envelope = await sealEnvelope(nodes.fr.keys, before, (await nodes.fr.trust()).node('US:oia.justice.gov')!);
    await nodes.fr.keys.rotate('fr-parquet-paris', 'authority-signing', 'Ed25519', new Date(Date.now() + 1000));
    await reimport(nodes.us, nodes.fr);
    assert.equal((await openEnvelope(envelope, await ctxOf('us'))).signatures[0]?.kid, old.id);
    // The old key used after its retirement: within the 60 s leeway (clock skew, key caches) it
    // still verifies; after it, its window is closed.
    const usNode = (await nodes.fr.trust()).node('US:oia.justice.gov')!;
    const signWithOld = async (at: number) => {
      const late = { ...before, id: randomUUID(), time: new Date(at).toISOString() };
      const jws = await new GeneralSign(Buffer.from(canonicalJson(late))).addSignature(await nodes.fr.keys.privateKey(old.id, 'decrypt')).setProtectedHeader({ alg: 'EdDSA', kid: old.id, typ: 'comity-message+jws', role: 'sender' }).sign();
      return encryptTo(usNode, JSON.stringify(jws));
    };
    await openEnvelope(await signWithOld(Date.now() + 1500), await ctxOf('us', new Date(Date.now() + 2000)));
    await refused(openEnvelope(await signWithOld(Date.now() + 120_000), await ctxOf('us', new Date(Date.now() + 121_000))), 'key-expired', /was not valid at .* \(expired\)/);
    // A key the peer removed from its agreement.
    const us = await nodes.us.trust();
    const fr = us.node('FR:justice.gouv.fr')!;
    const withoutOld: TrustedNode = { ...fr, keys: new Map([...fr.keys].filter(([kid]) => kid !== old.id)) };
    const trustWithout = buildTrustList(us.self, []);
    const removedView: TrustList = { self: us.self, node: (id) => (id === fr.nodeId ? withoutOld : trustWithout.node(id)), nodeOfAuthority: us.nodeOfAuthority };
    await refused(openEnvelope(envelope, { keys: nodes.us.keys, trust: removedView, now: new Date() }), 'unknown-key', /is not a signing key of FR:justice\.gouv\.fr/);
    // Revoked: compromised keys verify nothing, not even what they signed before.
    await nodes.fr.keys.revoke(old.id, new Date());
    await reimport(nodes.us, nodes.fr);
    await refused(openEnvelope(envelope, await ctxOf('us')), 'key-revoked', /is revoked/);
  });

  it('refuses alg none, HMAC with the public key, jku and other fetching headers, unknown crit', async () => {
    const usNode = (await nodes.fr.trust()).node('US:oia.justice.gov')!;
    const m = message();
    const payload = Buffer.from(canonicalJson(m)).toString('base64url');
    const frKey = (await nodes.fr.keys.active('fr-ca', 'authority-signing'))!;
    const none = { payload, signatures: [{ protected: Buffer.from(JSON.stringify({ alg: 'none', kid: frKey.id, role: 'sender' })).toString('base64url'), signature: '' }] };
    await refused(openEnvelope(await encryptTo(usNode, JSON.stringify(none)), await ctxOf('us')), 'algorithm-not-allowed', /alg "none" is not allowed: only EdDSA/);
    // HMAC keyed with the sender's public key bytes (the classic key-confusion attack).
    const publicX = Buffer.from(usNode.keys.size > 0 ? (await nodes.fr.trust()).self.keys.get(frKey.id)!.x : '', 'base64url');
    const hmac = await new FlattenedSign(Buffer.from(canonicalJson(m))).setProtectedHeader({ alg: 'HS256', kid: frKey.id, role: 'sender' }).sign(publicX);
    await refused(openEnvelope(await encryptTo(usNode, JSON.stringify({ payload: hmac.payload, signatures: [{ protected: hmac.protected, signature: hmac.signature }] })), await ctxOf('us')), 'algorithm-not-allowed', /alg "HS256" is not allowed/);
    await refused(openEnvelope(await encryptTo(usNode, await signedByFrCa(m, { jku: 'https://evil.example/jwks.json' })), await ctxOf('us')), 'header-not-allowed', /"jku" is not allowed: keys come only from the trust list/);
    await refused(openEnvelope(await encryptTo(usNode, await signedByFrCa(m, {}), { x5u: 'https://evil.example/cert' }), await ctxOf('us')), 'header-not-allowed', /the JWE header: "x5u" is not allowed/);
    const critHeader = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: frKey.id, role: 'sender', crit: ['exp'], exp: 1 })).toString('base64url');
    const critSignature = sign(null, Buffer.from(`${critHeader}.${payload}`), await nodes.fr.keys.privateKey(frKey.id, 'sign')).toString('base64url');
    await refused(openEnvelope(await encryptTo(usNode, JSON.stringify({ payload, signatures: [{ protected: critHeader, signature: critSignature }] })), await ctxOf('us')), 'unknown-critical-header', /crit \["exp"\]/);
    const rsa = await sealEnvelope(nodes.fr.keys, m, usNode);
    const swapped = [Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(rsa.split('.')[0]!, 'base64url').toString()), alg: 'RSA1_5' })).toString('base64url'), ...rsa.split('.').slice(1)].join('.');
    await refused(openEnvelope(swapped, await ctxOf('us')), 'algorithm-not-allowed', /JWE alg "RSA1_5" is not allowed/);
  });

  it('refuses an oversized or deeply nested message and garbage', async () => {
    const usNode = (await nodes.fr.trust()).node('US:oia.justice.gov')!;
    await refused(openEnvelope('x'.repeat(3 * 1024 * 1024), await ctxOf('us')), 'too-large', /more than the limit of 2097152/);
    let nested: unknown = 'deep';
    for (let i = 0; i < 100; i++) nested = { nested };
    const deep = await sealEnvelope(nodes.fr.keys, message({ body: { nested } }), usNode);
    await refused(openEnvelope(deep, await ctxOf('us')), 'too-deep', /nested \d+ levels deep, more than the limit of 32/);
    await refused(openEnvelope('not.a.jwe', await ctxOf('us')), 'malformed', /not a compact JWE/);
    const altered = await sealEnvelope(nodes.fr.keys, message(), usNode);
    const parts = altered.split('.');
    parts[3] = Buffer.from(Buffer.from(parts[3]!, 'base64url').map((b, i) => (i === 0 ? b ^ 1 : b))).toString('base64url');
    await refused(openEnvelope(parts.join('.'), await ctxOf('us')), 'undecryptable', /altered in transit/);
  });
});
