/**
 * Sealing an envelope must never freeze the process (src/exchange/jose-sync.ts, ephemeralX25519).
 * On Node 20, `generateKeyPairSync('x25519')` followed by a JWK export of that key deadlocks the
 * main thread when a garbage collection runs during the export and finalises the generation job:
 * the export holds the key's lock while it allocates, the job's destructor waits for the same
 * lock. A node froze so in bench:exchange (gdb: `ExportJWKEdKey` → GC → `~KeyGenJob` →
 * `uv_mutex_lock`). Here a child process seals 100,000 envelopes with a 1 MiB young generation
 * (a collection every few dozen envelopes); with the generated key it froze within the first
 * few thousand, and the watchdog fails the test.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { ephemeralX25519 } from '../../src/exchange/jose-sync.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

it('an ephemeral X25519 key is a working key pair (its public x is what its private key gives)', () => {
  const a = ephemeralX25519();
  const b = ephemeralX25519();
  assert.notEqual(a.x, b.x);
  const pub = (x: string) => createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
  assert.deepEqual(diffieHellman({ privateKey: a.privateKey, publicKey: pub(b.x) }), diffieHellman({ privateKey: b.privateKey, publicKey: pub(a.x) }));
});

it("Node builds a private X25519 JWK from d alone (what ephemeralX25519 relies on): RFC 7748 §6.1's key pair", () => {
  const d = Buffer.from('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', 'hex').toString('base64url');
  const key = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x: Buffer.alloc(32).toString('base64url') }, format: 'jwk' });
  const x = createPublicKey(key).export({ format: 'jwk' }).x as string;
  assert.equal(Buffer.from(x, 'base64url').toString('hex'), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
});

it('100,000 envelopes sealed under frequent garbage collection: no freeze', { timeout: 120_000 }, async () => {
  const script = `
    import { compactEncrypt, publicKeyFromJwk } from './src/exchange/jose-sync.ts';
    import { generateKeyPairSync } from 'node:crypto';
    const recipient = generateKeyPairSync('x25519').publicKey;
    const header = { alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: 'k', typ: 'comity-envelope+jwe', cty: 'comity-message+jws' };
    const body = Buffer.alloc(512, 0x61);
    let kept = [];
    for (let i = 0; i < 100000; i += 1) {
      kept.push(compactEncrypt(body, header, recipient));
      if (kept.length > 200) kept = [];
    }
    process.stdout.write('sealed 100000');
  `;
  const child = spawn(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const watchdog = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  clearTimeout(watchdog);
  assert.equal(signal, null, `the process froze (killed after 90 s with ${out || 'nothing'} written)`);
  assert.equal(code, 0, err);
  assert.equal(out, 'sealed 100000');
});
