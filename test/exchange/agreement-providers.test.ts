/**
 * The service providers a node represents travel in its peer agreement: the node hosting Example
 * Mail's legal representative publishes the provider (a public directory entry, Directive (EU)
 * 2023/1544), and a peer that imports the agreement can address orders to it without an
 * administrator typing it in. A node cannot publish a provider whose representative it does not
 * host, or one whose "representative" is not a service-provider account: the file is refused,
 * naming the field.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { openDatabase } from '../../src/db/index.js';
import { exportAgreement } from '../../src/exchange/agreement.js';
import { addPeer, exportNode, parseAgreement, requireNodeIdentity } from '../../src/exchange/index.js';
import { createTestNode, type TestNode } from './nodes.js';

const dir = mkdtempSync(join(tmpdir(), 'comity-agreement-providers-'));
const nodes: TestNode[] = [];
after(async () => {
  for (const node of nodes) await node.handle.close();
  rmSync(dir, { recursive: true, force: true });
});

const EXAMPLE_MAIL = { id: 'example-mail', name: 'Example Mail Inc.', established_in: 'US', representative_authority_id: 'ie-provider', representative_kind: 'legal-representative', representative_state: 'IE', created_at: '2026-12-01T00:00:00.000Z' };

async function node(name: 'fr' | 'ie'): Promise<TestNode> {
  const created = await createTestNode(name, await openDatabase({ kind: 'sqlite', file: join(dir, `${name}.db`) }));
  nodes.push(created);
  return created;
}

const providerIds = async (n: TestNode) => (await n.db.selectFrom('service_providers').select(['id', 'representative_authority_id', 'representative_state', 'established_in', 'representative_kind']).orderBy('id').execute());

it('a node publishes the providers whose representative it hosts; a peer imports them with the agreement', async () => {
  const fr = await node('fr');
  const ie = await node('ie');
  // Test nodes know every demo authority but no provider; the Irish node registers Example Mail.
  await ie.db.insertInto('service_providers').values(EXAMPLE_MAIL).execute();

  const irish = await exportNode(ie.db, ie.keys, new Date());
  assert.deepEqual(irish.agreement.providers, [{ id: 'example-mail', name: 'Example Mail Inc.', establishedIn: 'US', representative: 'ie-provider', representativeKind: 'legal-representative' }]);
  // The French node hosts no provider's representative: its agreement publishes none (no empty field).
  const french = await exportNode(fr.db, fr.keys, new Date());
  assert.equal('providers' in french.agreement, false);

  assert.deepEqual(await providerIds(fr), []);
  await addPeer(fr.db, JSON.stringify(irish), fr.nodeId, new Date());
  assert.deepEqual(await providerIds(fr), [{ id: 'example-mail', representative_authority_id: 'ie-provider', representative_state: 'IE', established_in: 'US', representative_kind: 'legal-representative' }]);
  // A newer agreement of the same node leaves the entry as it is (no duplicate, no error).
  await addPeer(fr.db, JSON.stringify(await exportNode(ie.db, ie.keys, new Date(Date.now() + 1000))), fr.nodeId, new Date(Date.now() + 1000));
  assert.equal((await providerIds(fr)).length, 1);
});

it('an agreement naming a provider whose representative is not one of its service-provider authorities is refused, naming the field', async () => {
  const ie = nodes.find((n) => n.name === 'ie') ?? (await node('ie'));
  const identity = await requireNodeIdentity(ie.db);
  const rep = { id: 'ie-provider', kind: 'service-provider' as const, name: 'Example Mail — legal representative in Ireland', party: 'IE', timeZone: 'Europe/Dublin' };
  const provider = { id: 'example-mail', name: 'Example Mail Inc.', establishedIn: 'US', representative: 'ie-provider', representativeKind: 'legal-representative' as const };
  const now = new Date();
  // Signed by the node, but naming an authority the agreement does not carry.
  const elsewhere = await exportAgreement(ie.keys, identity, [rep], now, undefined, [{ ...provider, representative: 'de-provider' }]);
  await assert.rejects(parseAgreement(JSON.stringify(elsewhere), now), { code: 'invalid-agreement', message: /field agreement\.providers\[0\]\.representative: "de-provider" is not one of the agreement's authorities/ });
  // A representative that is no service-provider account (here the enforcing authority).
  await ie.keys.ensure('ie-enforcing', 'authority-signing', 'Ed25519', now);
  const enforcing = { id: 'ie-enforcing', kind: 'eu-enforcing-authority' as const, name: 'Ireland — enforcing authority', party: 'IE', timeZone: 'Europe/Dublin' };
  const notProvider = await exportAgreement(ie.keys, { ...identity, hosted: ['ie-provider', 'ie-enforcing'] }, [rep, enforcing], now, undefined, [{ ...provider, representative: 'ie-enforcing' }]);
  await assert.rejects(parseAgreement(JSON.stringify(notProvider), now), { code: 'invalid-agreement', message: /field agreement\.providers\[0\]\.representative: "ie-enforcing" is a eu-enforcing-authority, not a service-provider account/ });
  // The same provider twice.
  const twice = await exportAgreement(ie.keys, identity, [rep], now, undefined, [provider, provider]);
  await assert.rejects(parseAgreement(JSON.stringify(twice), now), { code: 'invalid-agreement', message: /field agreement\.providers\[1\]\.id: duplicate provider "example-mail"/ });
  // And a well-formed one parses.
  assert.deepEqual((await parseAgreement(JSON.stringify(await exportAgreement(ie.keys, identity, [rep], now, undefined, [provider])), now)).agreement.providers, [provider]);
});
