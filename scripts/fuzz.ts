/**
 * `npm run fuzz`: a long property-based fuzzing run against a real server on loopback (the same
 * generator and invariants as `test/node/server/fuzz.test.ts`, which runs a short one in
 * `npm test`). Sized by `FUZZ_RUNS` (default 20,000 cases) and `FUZZ_SEED` (default: random,
 * printed so a failure can be replayed); prints the figures recorded in docs/security.md.
 *
 *   FUZZ_RUNS=100000 npm run fuzz
 *   FUZZ_SEED=1234 FUZZ_RUNS=5000 npm run fuzz
 */
import { runFuzz } from '../test/node/helpers/fuzz-run.js';

const runs = Number(process.env['FUZZ_RUNS'] ?? 20_000);
const seed = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const clients = Number(process.env['FUZZ_CLIENTS'] ?? 3);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

console.log(`fuzz: ${runs} cases, seed ${seed}, ${clients} clients`);
const started = performance.now();
try {
  const report = await runFuzz({
    numRuns: runs,
    seed,
    clients,
    progress: (line) => console.log(`  ${line}`),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`cases        ${report.cases} (${report.frames} frames) in ${seconds} s`);
  console.log(`answers      ${JSON.stringify(report.answers)}`);
  console.log(`heap         ${mib(report.heapBaselineBytes)} → ${mib(report.heapAfterBytes)}`);
  console.log(`rss          ${mib(report.rssBaselineBytes)} → ${mib(report.rssAfterBytes)}`);
  console.log(`handler failures ${report.handlerFailures}`);
  console.log(
    `rooms left   ${report.roomsAfter} (presence ${report.presenceRoomsAfter}; 1 expected)`,
  );
} catch (err) {
  console.error(`fuzz: FAILED with seed ${seed}`);
  console.error(err);
  process.exitCode = 1;
}
