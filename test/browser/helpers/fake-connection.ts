/**
 * A client wired to the in-memory fake server, on a manual clock and manual environment, so a
 * test drives the network, time and `navigator.onLine` without real sleeps.
 */
import type { RealtimeClient } from '../../../src/client/realtime-client.js';
import type { RealtimeClientOptions } from '../../../src/client/types.js';
import { resetNoProviderWarning } from '../../../src/controllers/client-controller.js';
import {
  connectFake,
  DEMO_USER,
  FakeServer,
  ManualClock,
  type FakeServerOptions,
  ManualEnvironment,
} from '../../../src/testing/index.js';

export interface FakeConnection {
  clock: ManualClock;
  server: FakeServer;
  environment: ManualEnvironment;
  client: RealtimeClient;
  /** Options for a client the provider creates itself (`clientOptions`), same server and clock. */
  options: Partial<RealtimeClientOptions>;
}

/** A client on a fake server. `open: false` leaves it mid-handshake (status `connecting`). */
export async function fakeConnection({
  open = true,
  server: serverOptions = {},
  ...overrides
}: {
  open?: boolean;
  server?: FakeServerOptions;
} & Partial<RealtimeClientOptions> = {}): Promise<FakeConnection> {
  const clock = new ManualClock();
  const server = new FakeServer({ clock, ...serverOptions });
  const environment = new ManualEnvironment();
  const options: Partial<RealtimeClientOptions> = {
    devUser: DEMO_USER,
    socketFactory: server.socketFactory,
    clock,
    environment,
    // Full jitter with a fixed draw: the first retry waits exactly half of reconnectInterval·2.
    random: () => 0.5,
    scheduleFrame: (fn) => queueMicrotask(fn),
    ...overrides,
  };
  if (!open) server.blackhole(true);
  const client = connectFake(server, options);
  await clock.flush();
  cleanups.push(() => client.close());
  return { clock, server, environment, client, options };
}

/**
 * A new client on the same fake server, clock, environment and outbox store as `fake` (or with
 * `options` changed: a new store object on the same database): the next page load on the same
 * device (close `fake.client` first, as the closed page did).
 */
export function reloadFake(
  fake: FakeConnection,
  options: Partial<RealtimeClientOptions> = {},
): FakeConnection {
  const client = connectFake(fake.server, { ...fake.options, ...options });
  cleanups.push(() => client.close());
  return { ...fake, client };
}

/** Drop the connection and refuse new ones: the client waits to reconnect. */
export async function goReconnecting({ server, clock }: FakeConnection): Promise<void> {
  server.refuseConnections(true);
  server.dropConnections();
  await clock.flush();
}

const cleanups: (() => void)[] = [];

/** Close every client made by `fakeConnection` (call in `afterEach`). */
export function closeFakeConnections(): void {
  for (const cleanup of cleanups.splice(0)) cleanup();
}

/** Record `console.warn` calls until `restore()`. */
export function recordWarnings(): { messages: string[]; restore(): void } {
  const original = console.warn;
  const messages: string[] = [];
  console.warn = (...args: unknown[]) => {
    messages.push(args.map(String).join(' '));
  };
  return { messages, restore: () => (console.warn = original) };
}

/**
 * For a file of element tests on fake connections: around each test, the console's warnings are
 * recorded (elements without a provider say so, expected there) and every fake connection is
 * closed after it. Returns this test's warnings.
 */
export function aroundEachTest(): { readonly messages: readonly string[] } {
  let warnings: ReturnType<typeof recordWarnings> | undefined;
  beforeEach(() => (warnings = recordWarnings()));
  afterEach(() => {
    warnings?.restore();
    closeFakeConnections();
  });
  return {
    get messages() {
      return warnings?.messages ?? [];
    },
  };
}

let tagCounter = 0;
/** A tag name never used before in this page, for tests that control definition order. */
export function uniqueTag(prefix: string): string {
  tagCounter += 1;
  return `${prefix}-${tagCounter}-${Math.random().toString(36).slice(2, 7)}`;
}

export { resetNoProviderWarning };
