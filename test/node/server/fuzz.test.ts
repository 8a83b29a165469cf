/**
 * Property-based fuzzing of the reference server, a bounded budget for `npm test`:
 * generated frames of every type, mutated, sent by several clients at once to a real server on
 * loopback. The invariants are in `helpers/fuzz-run.ts`. Fixed seed and a fixed number of cases,
 * so a run is reproducible and bounded by count, not time; `npm run fuzz` runs a long one
 * (`FUZZ_RUNS`, `FUZZ_SEED`). Figures from runs are in docs/security.md.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseClientFrame } from '../../../src/protocol/index.js';
import { validFrame } from '../helpers/fuzz-frames.js';
import { runFuzz } from '../helpers/fuzz-run.js';

const SEED = 13;
/** About 30 s on a busy 2-core machine. */
const RUNS = Number(process.env['FUZZ_TEST_RUNS'] ?? 1000);
/** Heap the server may keep after the fuzzing clients left (caches, SQLite statements, JIT). */
const HEAP_SLACK_BYTES = 16 * 1024 * 1024;

describe('server fuzzing', () => {
  test('the generated frames are valid before mutation (the generator follows the schemas)', () => {
    fc.assert(
      fc.property(validFrame, (frame) => {
        const parsed = parseClientFrame(JSON.stringify({ id: 'r1', ...frame }));
        assert.ok(parsed.ok, `${JSON.stringify(frame)}: ${parsed.ok ? '' : parsed.message}`);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  test(`${RUNS} cases of mutated frames from 3 clients: answered, no internal errors, bystander unaffected`, async () => {
    const report = await runFuzz({ numRuns: RUNS, seed: SEED });
    assert.equal(report.cases, RUNS);
    assert.equal(report.handlerFailures, 0);
    assert.equal(report.answers['internal'] ?? 0, 0);
    // Joins, watches and tabs of every kind leave nothing behind but the bystander's room.
    assert.equal(report.roomsAfter, 1, 'rooms left after the fuzzing clients closed');
    assert.equal(
      report.presenceRoomsAfter,
      1,
      'presence rooms left after the fuzzing clients closed',
    );
    assert.ok(
      report.heapAfterBytes - report.heapBaselineBytes < HEAP_SLACK_BYTES,
      `heap ${report.heapBaselineBytes} → ${report.heapAfterBytes} bytes`,
    );
  });
});
