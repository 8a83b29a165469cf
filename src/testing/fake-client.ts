/** A `RealtimeClient` wired to a `FakeServer`, for stories and widget tests. */
import { RealtimeClient } from '../client/all-capabilities.js';
import type { RealtimeClientOptions } from '../client/types.js';
import type { UserProfile } from '../protocol/index.js';
import { MemoryOutboxStore } from '../client/live-data/outbox-memory.js';
import type { FakeServer } from './fake-server.js';
import { initialsAvatar } from './scenarios.js';

/** The user a fake client signs in as unless told otherwise. */
export const DEMO_USER: UserProfile = {
  id: 'u-you',
  name: 'Alex Morgan',
  avatarUrl: initialsAvatar('Alex Morgan', '#2563eb'),
};

/**
 * ```ts
 * const server = new FakeServer();
 * const client = connectFake(server);            // signs in as DEMO_USER
 * provider.client = client;
 * ```
 * Uses the server's clock, so a `ManualClock` drives both ends. Its outbox is its own, in memory:
 * the default outbox is the origin's IndexedDB, where the offline edits a test left would be
 * replayed by the next test's client into its new server. A test of edits surviving a reload
 * gives its two clients one store: `outbox: new MemoryOutboxStore()` (from `crm-realtime/client`).
 */
export function connectFake(
  server: FakeServer,
  options: Partial<RealtimeClientOptions> = {},
): RealtimeClient {
  return new RealtimeClient({
    url: 'fake://crm-realtime',
    socketFactory: server.socketFactory,
    clock: server.clock,
    devUser: DEMO_USER,
    clientId: 'fake-device',
    outbox: new MemoryOutboxStore(),
    ...options,
  });
}
