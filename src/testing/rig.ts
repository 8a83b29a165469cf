/**
 * Everything a deterministic test needs in one call: a manual clock, a fake server on it, a
 * controllable environment, and clients wired to all three.
 *
 * ```ts
 * const rig = createRig();
 * const client = rig.client({ devUser: { id: 'ada', name: 'Ada' } });
 * await rig.clock.flush();        // handshake done
 * await rig.clock.advance(16);    // one batched store notification
 * ```
 */
import type { RealtimeClient } from '../client/realtime-client.js';
import type { RealtimeClientOptions } from '../client/types.js';
import { connectFake } from './fake-client.js';
import { FakeServer, type FakeServerOptions } from './fake-server.js';
import { ManualClock } from './manual-clock.js';
import { ManualEnvironment } from './manual-environment.js';

export interface Rig {
  readonly clock: ManualClock;
  readonly server: FakeServer;
  readonly env: ManualEnvironment;
  /** Warnings the clients logged (invalid frames and the like). */
  readonly warnings: string[];
  /** A client on the fake server, the manual clock and the manual environment. */
  client(options?: Partial<RealtimeClientOptions>): RealtimeClient;
  /** Close every client the rig made. */
  close(): void;
}

export function createRig(options: { server?: Omit<FakeServerOptions, 'clock'> } = {}): Rig {
  const clock = new ManualClock();
  const server = new FakeServer({ ...options.server, clock });
  const env = new ManualEnvironment();
  const warnings: string[] = [];
  const clients: RealtimeClient[] = [];
  return {
    clock,
    server,
    env,
    warnings,
    client(overrides = {}) {
      const client = connectFake(server, {
        environment: env,
        // The middle of the jitter window, so delays are predictable: delay = 0.5 * ceiling.
        random: () => 0.5,
        // One "animation frame" = 16 ms of the manual clock.
        scheduleFrame: (callback) => void clock.setTimeout(callback, 16),
        logger: { warn: (...args: unknown[]) => void warnings.push(args.join(' ')) },
        ...overrides,
      });
      clients.push(client);
      return client;
    },
    close() {
      clients.forEach((client) => client.close());
    },
  };
}
