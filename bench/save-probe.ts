/**
 * Loaded into the benchmarked server (`node --import`) by `bench/live-save.ts`: keeps the times
 * of every save the server answers (the `crm-realtime:entity.save` diagnostics channel) and writes
 * them, one JSON line each, to the file `CRM_BENCH_SAVE_TIMINGS` names when the process exits.
 * Nothing is written while the saves run, so the probe adds no disk work to the path it times.
 * Times are converted to `performance.timeOrigin + performance.now()`, the clock the pages use.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import type { SaveTiming } from '../src/server/entities/entity-handlers.js';

const file = process.env.CRM_BENCH_SAVE_TIMINGS;
if (file) {
  const lines: string[] = [];
  const origin = performance.timeOrigin;
  subscribe('crm-realtime:entity.save', (message) => {
    const timing = message as SaveTiming;
    lines.push(
      JSON.stringify({
        ...timing,
        arrivedAt: origin + timing.arrivedAt,
        publishedAt: timing.publishedAt === undefined ? undefined : origin + timing.publishedAt,
        answeredAt: origin + timing.answeredAt,
      }),
    );
  });
  process.once('exit', () => writeFileSync(file, lines.join('\n') + '\n'));
}
