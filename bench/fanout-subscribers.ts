/**
 * Child process of the fan-out benchmark: N subscriber connections that count events and record
 * each one's latency from the publisher's timestamp (process.hrtime is CLOCK_MONOTONIC, shared by
 * all processes of the machine).
 */
import { WebSocket } from 'ws';

export type ToSubscribers =
  | { type: 'reset' }
  | { type: 'wait'; count: number; timeoutMs: number }
  | { type: 'stats' }
  | { type: 'stop' };
export type FromSubscribers =
  | { type: 'ready' }
  | { type: 'reset'; cpu: number }
  | { type: 'waited'; count: number; reached: boolean; cpu: number }
  | { type: 'stats'; count: number; p50: number; p99: number; max: number };

const [url = '', countArg = '0', mode = 'ours', room = 'bench:room'] = process.argv.slice(2);
const n = Number(countArg);
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
const cpuNow = (): number => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

const EVENT = Buffer.from('"type":"event"');
const STAMP = Buffer.from('"t":');

let received = 0;
let samples = new Float64Array(1 << 20);
let sampleCount = 0;
let waiting: { count: number; timer: NodeJS.Timeout } | undefined;

function record(data: Buffer): void {
  if (data.indexOf(EVENT) === -1) return;
  const at = data.indexOf(STAMP);
  if (at === -1) return;
  let end = at + STAMP.length;
  while (end < data.length && data[end] !== 0x2c && data[end] !== 0x7d) end++;
  const sent = Number(data.toString('latin1', at + STAMP.length, end));
  if (sampleCount === samples.length) {
    const bigger = new Float64Array(samples.length * 2);
    bigger.set(samples);
    samples = bigger;
  }
  samples[sampleCount++] = nowUs() - sent;
  received++;
  if (waiting && received >= waiting.count) {
    clearTimeout(waiting.timer);
    waiting = undefined;
    process.send!({
      type: 'waited',
      count: received,
      reached: true,
      cpu: cpuNow(),
    } satisfies FromSubscribers);
  }
}

function connectOne(i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
    ws.on('error', reject);
    ws.on('open', () => {
      if (mode === 'bare') {
        ws.on('message', record);
        resolve();
        return;
      }
      ws.send(
        JSON.stringify({
          type: 'hello',
          id: 'h',
          v: 1,
          clientId: `bench-device-${i}`,
          devUser: { id: `sub-${i}`, name: `Subscriber ${i}` },
        }),
      );
      ws.send(JSON.stringify({ type: 'join', id: 'j', room }));
      const onJoined = (data: Buffer): void => {
        if (data.indexOf('"type":"joined"') === -1) return;
        ws.off('message', onJoined);
        ws.on('message', record);
        resolve();
      };
      ws.on('message', onJoined);
    });
  });
}

const BATCH = 50;
for (let i = 0; i < n; i += BATCH) {
  await Promise.all(Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => connectOne(i + k)));
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

process.on('message', (message: ToSubscribers) => {
  switch (message.type) {
    case 'reset':
      received = 0;
      sampleCount = 0;
      process.send!({ type: 'reset', cpu: cpuNow() } satisfies FromSubscribers);
      break;
    case 'wait':
      if (received >= message.count) {
        process.send!({
          type: 'waited',
          count: received,
          reached: true,
          cpu: cpuNow(),
        } satisfies FromSubscribers);
        break;
      }
      waiting = {
        count: message.count,
        timer: setTimeout(() => {
          waiting = undefined;
          process.send!({
            type: 'waited',
            count: received,
            reached: false,
            cpu: cpuNow(),
          } satisfies FromSubscribers);
        }, message.timeoutMs),
      };
      break;
    case 'stats': {
      const sorted = samples.slice(0, sampleCount).sort();
      process.send!({
        type: 'stats',
        count: received,
        p50: percentile(sorted, 0.5) / 1000,
        p99: percentile(sorted, 0.99) / 1000,
        max: (sorted[sorted.length - 1] ?? NaN) / 1000,
      } satisfies FromSubscribers);
      break;
    }
    case 'stop':
      process.exit(0);
  }
});
process.send!({ type: 'ready' } satisfies FromSubscribers);
