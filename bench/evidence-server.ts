/**
 * Child process of `bench:evidence`: a Comity app (as in the HTTP tests: embedded SQLite in a
 * temporary directory, demo deployment, evidence store on the filesystem) listening on
 * 127.0.0.1, with an accepted case and an API token of the United States officer. Prints one
 * JSON line `{"port","token","caseId"}` and serves until killed. Its peak resident memory is read
 * by the parent from /proc/<pid>/status (VmHWM).
 */
import type { AddressInfo } from 'node:net';
import { acceptedCase } from '../test/evidence/fixture.js';
import { buildTestApp } from '../test/http/harness.js';

const t = await buildTestApp('sqlite');
const caseId = await acceptedCase(t, 'BENCH-EVIDENCE');
const token = await t.token('officer@us.demo', ['cases:write', 'cases:read']);
await t.app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ port: (t.app.server.address() as AddressInfo).port, token, caseId })}\n`);
const stop = () => void t.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
