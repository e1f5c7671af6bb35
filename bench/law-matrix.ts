/**
 * Benchmark: the full legal-basis matrix — every ordered pair of parties × every measure — at
 * one date, on one fresh finder (statuses memoised per date, as in the server).
 *
 * Baseline measured in the same run: the same loop doing only what any correct finder must do
 * per query — look up both parties' status under every instrument. The ratio says how much the
 * finder costs beyond that floor. Target: the whole matrix in under one second on 2 cores.
 *
 *   npm run bench:law [-- --date 2026-12-01 --emergency]
 */
import { BasesFinder, loadKnowledgeBase, MEASURES, INSTRUMENT_IDS } from '../src/law/index.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const date = flag('--date') ?? '2026-12-01';
const emergency = args.includes('--emergency');

const kb = loadKnowledgeBase();
const parties = [...kb.parties.keys()].sort();
const queries = parties.length * (parties.length - 1) * MEASURES.length;

function baseline(): number {
  const finder = new BasesFinder(kb);
  finder.find({ from: 'FR', to: 'US', measure: 'preservation', date, emergency }); // sets the date
  let bound = 0;
  const start = process.hrtime.bigint();
  for (const from of parties) {
    for (const to of parties) {
      if (from === to) continue;
      for (let m = 0; m < MEASURES.length; m += 1) {
        for (const instrument of INSTRUMENT_IDS) {
          if (finder.status(from, instrument).status === 'in-force' && finder.status(to, instrument).status === 'in-force') bound += 1;
        }
      }
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (bound === 0) throw new Error('baseline found no bound pair: data not loaded?');
  return seconds;
}

function matrix(): { seconds: number; applicable: number } {
  const finder = new BasesFinder(kb);
  let applicable = 0;
  const start = process.hrtime.bigint();
  for (const from of parties) {
    for (const to of parties) {
      if (from === to) continue;
      for (const measure of MEASURES) applicable += finder.find({ from, to, measure, date, emergency }).applicable.length;
    }
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, applicable };
}

// Warm up the JIT once, then measure each side three times and keep the best run.
matrix();
baseline();
const runs = [matrix(), matrix(), matrix()];
const best = runs.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
const baselineSeconds = Math.min(baseline(), baseline(), baseline());
const queriesPerSecond = queries / best.seconds;
const microsPerQuery = (best.seconds * 1e6) / queries;

console.log(`parties: ${parties.length}, measures: ${MEASURES.length}, date: ${date}${emergency ? ', emergency' : ''}`);
console.log(`queries: ${queries} (${best.applicable} applicable bases in total)`);
console.log(`matrix:   ${best.seconds.toFixed(3)} s — ${Math.round(queriesPerSecond)} queries/s, ${microsPerQuery.toFixed(2)} µs/query, ${Math.round(queries / MEASURES.length / best.seconds)} pairs/s`);
console.log(`baseline: ${baselineSeconds.toFixed(3)} s (status look-ups only) — ratio matrix/baseline ${(best.seconds / baselineSeconds).toFixed(2)}`);
console.log(`target: whole matrix under 1 s — ${best.seconds < 1 ? 'met' : 'NOT met'} (${(best.seconds / 1).toFixed(2)} of the budget)`);
console.log(
  JSON.stringify({
    name: 'law-matrix',
    queries,
    seconds: Number(best.seconds.toFixed(4)),
    queriesPerSecond: Math.round(queriesPerSecond),
    microsPerQuery: Number(microsPerQuery.toFixed(3)),
    baselineSeconds: Number(baselineSeconds.toFixed(4)),
    ratioToBaseline: Number((best.seconds / baselineSeconds).toFixed(2)),
  }),
);
