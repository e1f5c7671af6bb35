/**
 * @module cli/exchange
 * `comity node …` (this node's identity, agreement and keys) and `comity peers …` (the trust
 * list). Opens the configured database and the master key as `comity serve` does.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { SecretBox } from '../auth/secrets.js';
import { demoKeyDir, MASTER_KEY_FILE_NAME, openMasterKey } from '../keys/master-key.js';
import { openDatabase, resolveDataDir, resolveDbConfig, type Database } from '../db/index.js';
import { addPeer, agreementFingerprint, exportNode, initNode, listPeers, loadNodeIdentity, nodeJwks, removePeer, requireNodeIdentity, rotateNodeKey } from '../exchange/index.js';
import { createDbKeyStore, type KeyStore } from '../keys/index.js';
import type { Kysely } from 'kysely';
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import { table } from './table.js';

/** The master key's box as the server opens it (beside a demo node, its demo key). */
export async function cliSecretBox(db: Kysely<Database>): Promise<SecretBox> {
  const env = process.env;
  const dataDir = resolveDataDir(env);
  const demo = env.COMITY_DEMO === 'true' || existsSync(join(demoKeyDir(dataDir), MASTER_KEY_FILE_NAME));
  return (await openMasterKey(env, dataDir, db, { demo })).box;
}

async function withNode<T>(work: (db: Kysely<Database>, keys: KeyStore) => Promise<T>): Promise<T> {
  const handle = await openDatabase(resolveDbConfig(process.env));
  try {
    await handle.migrate();
    const keys = createDbKeyStore(handle.db, await cliSecretBox(handle.db));
    return await work(handle.db, keys);
  } finally {
    await handle.close();
  }
}

export function registerExchange(program: Command, io: Io): void {
  const node = program.command('node').description("this node's federation identity: init, export its signed peer agreement, keys");
  node
    .command('init')
    .description('set the node id, endpoint and hosted authorities, and create the keys')
    .requiredOption('--id <nodeId>', 'node id "CC:unique-identifier" (ETSI TS 103 120), e.g. FR:justice.gouv.fr')
    .requiredOption('--endpoint <url>', 'base URL peers send messages to')
    .requiredOption('--host <authorities>', 'comma-separated ids of the authorities this node hosts')
    .action(async (options: { id: string; endpoint: string; host: string }) => {
      const hosted = options.host.split(',').map((s) => s.trim()).filter(Boolean);
      const identity = await withNode((db, keys) => initNode(db, keys, { nodeId: options.id, endpoint: options.endpoint, hosted }, new Date()));
      io.out(`node ${identity.nodeId} at ${identity.endpoint}, hosting ${identity.hosted.join(', ')}`);
    });
  node
    .command('export')
    .description('print (or write) this node\'s signed peer agreement, for peers to import')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (options: { out?: string }) => {
      const signed = await withNode((db, keys) => exportNode(db, keys, new Date()));
      const text = `${JSON.stringify(signed, null, 2)}\n`;
      if (options.out === undefined) io.out(text.trimEnd());
      else {
        writeFileSync(options.out, text);
        io.out(`wrote ${options.out}: node ${signed.agreement.node.id}, fingerprint ${await agreementFingerprint(signed)}`);
      }
    });
  node
    .command('show')
    .description("this node's identity and key fingerprint")
    .option('--json', 'print the JWKS as JSON')
    .action(async (options: { json?: boolean }) => {
      await withNode(async (db, keys) => {
        const identity = await loadNodeIdentity(db);
        if (identity === null) throw new UsageError('this node has no identity yet: run comity node init');
        const jwks = await nodeJwks(keys, identity.hosted);
        if (options.json) return io.out(JSON.stringify({ nodeId: identity.nodeId, endpoint: identity.endpoint, hosted: identity.hosted, jwks }, null, 2));
        io.out(`node ${identity.nodeId} at ${identity.endpoint}`);
        io.out(table(['kid', 'owner', 'purpose', 'from', 'until', 'revoked'], jwks.keys.map((k) => [k.kid, k.owner, k.purpose, new Date(k.nbf * 1000).toISOString(), k.exp === undefined ? '' : new Date(k.exp * 1000).toISOString(), k.revoked === undefined ? '' : 'revoked'])));
      });
    });
  node
    .command('rotate')
    .description('rotate a key: node-encryption, node-signing or a hosted authority id; then export the agreement again')
    .argument('<key>', 'node-encryption | node-signing | AUTHORITY_ID')
    .action(async (which: string) => {
      const result = await withNode((db, keys) => rotateNodeKey(db, keys, which, new Date()));
      io.out(`new key ${result.active.id}${result.retired ? `; ${result.retired.id} retired (still verifies what it signed)` : ''}; send peers the new agreement (comity node export)`);
    });

  const peers = program.command('peers').description('the trust list: peers whose signed agreement was imported');
  peers
    .command('add')
    .description("trust a peer: import its signed agreement (compare the printed fingerprint with the peer's operator)")
    .argument('<file>', 'agreement JSON from `comity node export` on the peer')
    .action(async (file: string) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read ${JSON.stringify(file)}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      const { peer, replaced } = await withNode(async (db) => addPeer(db, text, (await loadNodeIdentity(db))?.nodeId ?? null, new Date()));
      io.out(`${replaced ? 'updated' : 'added'} peer ${peer.nodeId} at ${peer.endpoint}, fingerprint ${peer.fingerprint}, authorities ${peer.authorities.map((a) => a.id).join(', ')}`);
    });
  peers
    .command('list')
    .description('the trusted peers')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const list = await withNode((db) => listPeers(db));
      if (options.json) return io.out(JSON.stringify(list, null, 2));
      io.out(table(['node', 'endpoint', 'authorities', 'agreement of', 'fingerprint'], list.map((p) => [p.nodeId, p.endpoint, p.authorities.map((a) => a.id).join(', '), p.issuedAt, p.fingerprint])));
    });
  peers
    .command('remove')
    .description('stop trusting a peer: its messages are refused from now on')
    .argument('<nodeId>', 'node id, as in comity peers list')
    .action(async (nodeId: string) => {
      await withNode(async (db) => {
        await requireNodeIdentity(db).catch(() => null);
        await removePeer(db, nodeId);
      });
      io.out(`removed peer ${nodeId}`);
    });
}
