/**
 * Benchmark: evidence of 1 GiB (generated) through the running server, against `sha256sum` of
 * the same file in the same run (the floor: reading and hashing the bytes once).
 *
 * 1. upload:   one streamed PATCH (tus-style) of the file to the server in a child process —
 *              hashed, sealed (AES-256-GCM chunks), stored, custody signed;
 * 2. download: GET of the item, decrypted and digest-checked by the server, saved to disk by the
 *              client (its SHA-256 is then checked, outside the timing);
 * 3. export:   GET of the case's bundle (ZIP with the file stored), written to disk;
 * 4. verify:   `comity verify`'s check (verifyBundle) of that bundle, offline, in this process.
 *
 * The HTTP client is curl (`--client curl`, the default when curl is installed): what an examiner
 * or a script uses, and a client whose own cost (≈ 0.4 s of CPU per GiB) leaves the two cores to
 * the server. `--client node` is node:http in this process instead (the download hashed as it
 * arrives): measured on the same quiet machine it spends several times the server's CPU per MiB
 * (its HTTP parser and a fresh buffer per socket read), so its figures say more about the client
 * than about the server; it is kept to compare with figures measured so before.
 *
 * Ratios are throughput ÷ sha256sum throughput (1.0 = as fast as hashing the file once). The
 * server's peak resident memory is VmHWM of its process; its resident memory before the first
 * transfer is reported beside it, with the peak it reached while starting (loading modules,
 * seeding the demo: one scrypt password hash alone takes 32 MiB) and the peak after the upload
 * and after the download (the peak only grows: the phase that raised it shows).
 *
 * The server is measured twice, each a fresh process through all four phases: first compiled
 * (built as `npm run build:server` builds src/, from the benchmark's server entry, into
 * dist/bench/: what `npm start` runs), then through tsx (what runs without a build). The
 * headline figures are the compiled server's; the tsx run's are under "tsx". `--runtime
 * compiled|tsx` measures one only. The last line is one JSON object:
 * {"upload_ratio","download_ratio","export_ratio","verify_ratio","peak_rss_mib","mib","sha256sum_mib_s","server_runtime",…,"tsx":{…}}
 *
 *   npm run bench:evidence [-- --mib 1024] [-- --runtime compiled|tsx|both] [-- --client curl|node]
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fileSource, verifyBundle } from '../src/evidence/bundle-verify.js';
import { generated } from '../test/evidence/node-fixture.js';

const args = process.argv.slice(2);
const mibArg = args.indexOf('--mib');
const MIB = 1024 * 1024;
const sizeMib = mibArg >= 0 ? Number(args[mibArg + 1]) : 1024;
if (!Number.isInteger(sizeMib) || sizeMib < 1) {
  process.stderr.write('bench:evidence: --mib must be a positive integer\n');
  process.exit(2);
}
const LENGTH = sizeMib * MIB;
type Runtime = 'compiled' | 'tsx';
const runtimeArg = args.indexOf('--runtime');
const runtimeChoice = runtimeArg >= 0 ? args[runtimeArg + 1] : 'both';
if (runtimeChoice !== 'compiled' && runtimeChoice !== 'tsx' && runtimeChoice !== 'both') {
  process.stderr.write('bench:evidence: --runtime must be compiled, tsx or both\n');
  process.exit(2);
}
const runtimes: Runtime[] = runtimeChoice === 'both' ? ['compiled', 'tsx'] : [runtimeChoice];
type Client = 'curl' | 'node';
const clientArg = args.indexOf('--client');
function curlInstalled(): boolean {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const client: Client = clientArg >= 0 ? (args[clientArg + 1] as Client) : curlInstalled() ? 'curl' : 'node';
if (client !== 'curl' && client !== 'node') {
  process.stderr.write('bench:evidence: --client must be curl or node\n');
  process.exit(2);
}
const ROOT = join(fileURLToPath(import.meta.url), '..', '..');

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

/**
 * One transfer with curl: the request's headers from a file (no token on a command line), the
 * body streamed from `upload` if given, the answer written to `output`. Resolves with the status.
 */
function curl(method: string, url: string, headers: Record<string, string>, output: string, upload?: string): Promise<number> {
  const headerFile = join(dir, 'headers.txt');
  writeFileSync(headerFile, Object.entries({ ...headers, ...(upload ? { expect: '' } : {}) }).map(([name, value]) => `${name}: ${value}`).join('\n'), { mode: 0o600 });
  return new Promise((resolve, reject) => {
    let status = '';
    const child = spawn('curl', ['-sS', '-X', method, '-H', `@${headerFile}`, '-o', output, '-w', '%{http_code}', ...(upload ? ['-T', upload] : []), url], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d: Buffer) => (status += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(Number(status)) : reject(new Error(`curl ended with ${code}`))));
  });
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path, { highWaterMark: MIB })) hash.update(piece as Buffer);
  return hash.digest('hex');
}

function http(method: string, url: string, headers: Record<string, string>, body: Readable | null, sink: (chunk: Buffer) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      res.on('data', sink);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

async function peakRssMib(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 'NaN');
  return kb / 1024;
}

const dir = await mkdtemp(join(tmpdir(), 'comity-bench-evidence-'));
// The server runs with the young-generation cap `npm start` uses (--max-semi-space-size=2): V8
// otherwise grows its semi-spaces to 16 MiB each while loading modules (~28 MiB resident for an
// empty young generation). COMITY_BENCH_NODE_FLAGS overrides it ("" to measure V8's defaults).
const SERVER_NODE_FLAGS = (process.env.COMITY_BENCH_NODE_FLAGS ?? '--max-semi-space-size=2').split(' ').filter(Boolean);
// …and with glibc's arenas capped as `npm start` caps them (MALLOC_ARENA_MAX=2; README, "Memory"); an
// explicit MALLOC_ARENA_MAX in the environment is kept ("" for glibc's default).
const SERVER_ENV = { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' };

/** One server's figures: throughputs (seconds) and resident memory (MiB). */
interface Run {
  runtime: Runtime;
  uploadSeconds: number;
  downloadSeconds: number;
  exportSeconds: number;
  verifySeconds: number;
  bundleBytes: number;
  baselineRss: number;
  baselinePeak: number;
  peakAfterUpload: number;
  peakAfterDownload: number;
  peak: number;
}

/**
 * Starts the benchmark server — compiled (as `npm run build` compiles src/, plus the fixture from
 * test/ and bench/, into dist/bench/) or through tsx — and runs the four phases against it.
 */
async function runServer(runtime: Runtime, file: string, expected: string): Promise<Run> {
  const entry = runtime === 'compiled' ? ['dist', 'bench', 'bench', 'evidence-server.js'] : ['bench', 'evidence-server.ts'];
  const server = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...(runtime === 'tsx' ? ['--import', 'tsx'] : []), ...(process.env.COMITY_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.COMITY_BENCH_CPU_PROF}`] : []), join(ROOT, ...entry)], { cwd: ROOT, env: SERVER_ENV, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => server.on('exit', () => resolve()));
  try {
    const info = await new Promise<{ port: number; token: string; caseId: string }>((resolve, reject) => {
      let text = '';
      server.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        const line = text.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line) as { port: number; token: string; caseId: string });
      });
      server.on('exit', (code) => reject(new Error(`the server ended (${code})`)));
    });
    // The server's resident memory before any evidence: the process as started (modules, knowledge base, demo).
    const baselineRss = Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${server.pid as number}/status`, 'utf8'))?.[1] ?? 'NaN') / 1024;
    // …and the peak it already reached while starting (loading modules, seeding), before any evidence.
    const baselinePeak = await peakRssMib(server.pid as number);
    const base = `http://127.0.0.1:${info.port}/api/cases/${info.caseId}/evidence`;
    const auth = { authorization: `Bearer ${info.token}` };
    const begin = await fetch(`${base}/uploads`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'evidence.img', length: LENGTH, dataCategory: 'content', producer: 'Benchmark Provider' }) });
    if (begin.status !== 201) throw new Error(`upload refused: ${begin.status} ${await begin.text()}`);
    const uploadId = ((await begin.json()) as { id: string }).id;

    const uploadHeaders = { ...auth, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0', 'content-length': String(LENGTH) };
    const answerFile = join(dir, 'answer.json');
    let t0 = process.hrtime.bigint();
    let answer = '';
    const upStatus = client === 'curl' ? await curl('PATCH', `${base}/uploads/${uploadId}`, uploadHeaders, answerFile, file) : await http('PATCH', `${base}/uploads/${uploadId}`, uploadHeaders, createReadStream(file, { highWaterMark: MIB }), (c) => (answer += c.toString()));
    const uploadSeconds = seconds(t0);
    if (client === 'curl') answer = await readFile(answerFile, 'utf8');
    if (upStatus !== 201) throw new Error(`upload failed: ${upStatus} ${answer.slice(0, 300)}`);
    const item = (JSON.parse(answer) as { item: { id: string; sha256: string } }).item;
    if (item.sha256 !== expected) throw new Error('the server recorded another digest');
    // VmHWM only grows: read after each phase, it tells which phase set the peak.
    const peakAfterUpload = await peakRssMib(server.pid as number);

    t0 = process.hrtime.bigint();
    let downloaded: string;
    let downStatus: number;
    let downloadSeconds: number;
    if (client === 'curl') {
      const saved = join(dir, 'download.img');
      downStatus = await curl('GET', `${base}/${item.id}/content`, auth, saved);
      downloadSeconds = seconds(t0);
      downloaded = await sha256File(saved);
      await rm(saved);
    } else {
      const hash = createHash('sha256');
      downStatus = await http('GET', `${base}/${item.id}/content`, auth, null, (c) => hash.update(c));
      downloadSeconds = seconds(t0);
      downloaded = hash.digest('hex');
    }
    if (downStatus !== 200 || downloaded !== expected) throw new Error('download failed or differs');
    const peakAfterDownload = await peakRssMib(server.pid as number);

    const bundle = join(dir, `bundle-${runtime}.zip`);
    t0 = process.hrtime.bigint();
    let exportStatus: number;
    if (client === 'curl') exportStatus = await curl('GET', `${base}/export`, auth, bundle);
    else {
      const out = createWriteStream(bundle);
      exportStatus = await http('GET', `${base}/export`, auth, null, (c) => out.write(c));
      await new Promise((resolve) => out.end(resolve));
    }
    const exportSeconds = seconds(t0);
    if (exportStatus !== 200) throw new Error(`export failed: ${exportStatus}`);

    t0 = process.hrtime.bigint();
    const source = await fileSource(bundle);
    const report = await verifyBundle(source);
    await source.close();
    const verifySeconds = seconds(t0);
    if (!report.ok) throw new Error(`the bundle does not verify: ${report.firstFailure?.check ?? '?'}`);
    const bundleBytes = (await stat(bundle)).size;
    await rm(bundle);
    const peak = await peakRssMib(server.pid as number);
    return { runtime, uploadSeconds, downloadSeconds, exportSeconds, verifySeconds, bundleBytes, baselineRss, baselinePeak, peakAfterUpload, peakAfterDownload, peak };
  } finally {
    server.kill('SIGTERM');
    await exited;
  }
}

try {
  if (runtimes.includes('compiled')) {
    // The same build as `npm run build:server` (one bundle with its dependencies, chunks at lazy
    // imports), of the benchmark server's entry (bench/evidence-server.ts, with the src/ and test/
    // modules it imports), into dist/bench/ (inside the checkout, so that external packages resolve).
    const { transpile } = (await import(pathToFileURL(join(ROOT, 'scripts', 'build-server.mjs')).href)) as { transpile: (root: string, entry: string, out: string) => Promise<void> };
    const out = join(ROOT, 'dist', 'bench');
    await rm(out, { recursive: true, force: true });
    await transpile(ROOT, 'bench/evidence-server.ts', out);
  }
  const file = join(dir, 'evidence.img');
  await pipeline(Readable.from(generated(0, LENGTH, 4 * MIB)), createWriteStream(file));
  // Baseline: sha256sum of the same file (page cache warm), its best of three runs — the machine
  // is shared, and the fastest run is the fairest (most demanding) floor for the ratios.
  execFileSync('sha256sum', [file]);
  let sha256sumSeconds = Infinity;
  let expected = '';
  for (let run = 0; run < 3; run += 1) {
    const t0 = process.hrtime.bigint();
    expected = execFileSync('sha256sum', [file]).toString().split(' ')[0] as string;
    sha256sumSeconds = Math.min(sha256sumSeconds, seconds(t0));
  }

  const runs: Run[] = [];
  for (const runtime of runtimes) runs.push(await runServer(runtime, file, expected));

  const rate = (s: number) => Number((sizeMib / s).toFixed(1));
  const ratio = (s: number) => Number((sha256sumSeconds / s).toFixed(3));
  const mib = (m: number) => Number(m.toFixed(1));
  const figures = (r: Run) => ({
    upload_mib_s: rate(r.uploadSeconds),
    download_mib_s: rate(r.downloadSeconds),
    export_mib_s: rate(r.exportSeconds),
    verify_mib_s: rate(r.verifySeconds),
    bundle_bytes: r.bundleBytes,
    upload_ratio: ratio(r.uploadSeconds),
    download_ratio: ratio(r.downloadSeconds),
    export_ratio: ratio(r.exportSeconds),
    verify_ratio: ratio(r.verifySeconds),
    peak_rss_mib: mib(r.peak),
    server_baseline_rss_mib: mib(r.baselineRss),
    evidence_rss_growth_mib: mib(r.peak - r.baselineRss),
    server_start_peak_rss_mib: mib(r.baselinePeak),
    peak_rss_after_upload_mib: mib(r.peakAfterUpload),
    peak_rss_after_download_mib: mib(r.peakAfterDownload),
  });
  for (const r of runs) {
    const f = figures(r);
    const label = r.runtime === 'compiled' ? 'compiled server (dist, as `npm start` runs it)' : 'server through tsx (no build)';
    process.stdout.write(`${label}: upload ${f.upload_mib_s}, download ${f.download_mib_s}, export ${f.export_mib_s}, verify ${f.verify_mib_s} MiB/s; peak RSS ${f.peak_rss_mib} MiB (${f.server_baseline_rss_mib} MiB before any evidence, start peak ${f.server_start_peak_rss_mib})\n`);
  }
  // The headline figures are those of the first runtime measured (the compiled server by default).
  const [first, ...others] = runs as [Run, ...Run[]];
  const result = {
    name: 'evidence',
    mib: sizeMib,
    sha256sum_mib_s: rate(sha256sumSeconds),
    server_runtime: first.runtime,
    client,
    ...figures(first),
    ...Object.fromEntries(others.map((r) => [r.runtime, figures(r)])),
    server_node_flags: SERVER_NODE_FLAGS.join(' '),
    server_malloc_arena_max: SERVER_ENV.MALLOC_ARENA_MAX,
  };
  process.stdout.write(`sha256sum ${result.sha256sum_mib_s} MiB/s; HTTP client ${client}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
