/**
 * @module demo/federation
 * `comity demo` (what `npm start` runs): four federation nodes, each its own process, database
 * (`./.comity/<node>/`) and keys, exchanging over real HTTP on loopback — France (central
 * authority, Paris prosecutor, Paris investigating judge, OFAC), the United States (Office of
 * International Affairs), an Irish service provider (the legal representative of Example Mail,
 * published in its agreement so that the other nodes can address it) and Ireland's enforcing
 * authority under Reg. 2023/1543 (notified of content and traffic data orders, Art. 8). They trust each other through a shared trust folder (`./.comity/peers`,
 * COMITY_PEER_DIR). Each node is `comity serve --demo` with its own port; their start-up lines
 * (URL, logins) are printed with the node's name in front.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Io } from '../cli/io.js';
import { ConfigError } from '../http/config.js';

export const DEMO_NODES = [
  { name: 'france', nodeId: 'FR:justice.gouv.fr', hosted: 'fr-ca,fr-247,fr-parquet-paris,fr-tj-paris', offset: 0, logins: '@fr.demo' },
  { name: 'united-states', nodeId: 'US:oia.justice.gov', hosted: 'us-doj-oia,us-247', offset: 1, logins: '@us.demo' },
  { name: 'ireland-provider', nodeId: 'IE:example-mail.ie', hosted: 'ie-provider', offset: 2, logins: '@provider.demo' },
  { name: 'ireland', nodeId: 'IE:justice.ie', hosted: 'ie-enforcing', offset: 3, logins: '@ie.demo' },
] as const;

export async function runDemoFederation(io: Io, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const base = resolve(env.COMITY_DATA_DIR ?? '.comity');
  const firstPort = Number(env.COMITY_PORT || 8080);
  // The nodes listen on COMITY_PORT and the next ports, one each.
  if (!Number.isInteger(firstPort) || firstPort < 1 || firstPort > 65535 - (DEMO_NODES.length - 1)) throw new ConfigError(`COMITY_PORT=${JSON.stringify(env.COMITY_PORT)}: the demo's first port, an integer from 1 to ${65535 - (DEMO_NODES.length - 1)} (its ${DEMO_NODES.length} nodes take it and the next ones)`);
  const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'comity.js');
  const children: ChildProcess[] = [];
  io.out(`Comity federation demo: ${DEMO_NODES.length} nodes, each with its own database and keys under ${base}/, trusting each other through ${join(base, 'peers')}`);
  for (const node of DEMO_NODES) {
    const port = firstPort + node.offset;
    const childEnv: NodeJS.ProcessEnv = {
      ...env,
      COMITY_PORT: String(port),
      COMITY_PUBLIC_URL: `http://localhost:${port}`,
      COMITY_DATA_DIR: join(base, node.name),
      COMITY_NODE_ID: node.nodeId,
      COMITY_NODE_ENDPOINT: `http://127.0.0.1:${port}`,
      COMITY_NODE_HOST: node.hosted,
      COMITY_PEER_DIR: join(base, 'peers'),
      COMITY_LOG_LEVEL: env.COMITY_LOG_LEVEL ?? 'warn',
    };
    // One database per node: a shared DATABASE_URL would make them one node.
    delete childEnv.DATABASE_URL;
    const child = spawn(process.execPath, [bin, 'serve', '--demo'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const prefix = `[${node.name}]`;
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      // Each node's own people only: a login line names its e-mail address.
      for (const line of lines) if (line.trim() !== '' && !line.startsWith('{') && (!/^\s+\S+@\S+\.demo\s/.test(line) || line.includes(node.logins))) io.out(`${prefix} ${line}`);
    });
    child.stderr?.on('data', (chunk: Buffer) => io.err(`${prefix} ${chunk.toString().trimEnd()}`));
    // Start them one after another: the first start compiles and seeds.
    await new Promise<void>((ready, fail) => {
      const check = (chunk: Buffer) => {
        if (chunk.toString().includes('Federation node')) {
          child.stdout?.off('data', check);
          ready();
        }
      };
      child.stdout?.on('data', check);
      child.once('exit', (code) => fail(new Error(`${node.name} stopped (exit ${code})`)));
    });
  }
  io.out(
    `All ${DEMO_NODES.length} nodes run: France http://localhost:${firstPort}, United States http://localhost:${firstPort + 1}, Irish provider http://localhost:${firstPort + 2}, Irish enforcing authority http://localhost:${firstPort + 3} (logins above, each node its own). ` +
      'Each node seeds only the authorities it hosts and learns its peers\' authorities and providers from their agreements: once they trust each other, France sends a preservation request to the US node and the Paris prosecutor an order to the Irish provider\'s node. ' +
      'Sign in on the US node as officer@us.demo to receive it; on France as officer@fr.demo, send the approved request and watch its delivery state on the case page. ' +
      'A European Production Order: on France as greffe@fr.demo (Orders, New order, Example Mail), approved and sent by juge@fr.demo; on the Irish provider\'s node agent@provider.demo answers it, on the Irish node enforcing@ie.demo is notified of content data.',
  );
  await new Promise<void>((done) => {
    const stop = () => {
      for (const child of children) child.kill('SIGTERM');
      Promise.all(children.map((child) => new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r))))).then(() => done(), () => done());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    for (const child of children) child.once('exit', stop);
  });
}
