/**
 * Stories run against the in-memory fake server on real timers: a story asks for a connection in
 * a given state and gets a client wired to its own server. Everything a story starts (clients,
 * scenarios) is stopped when the same story renders again (a control changed) or when another
 * story is shown, so nothing keeps reconnecting in the background.
 */
import type { RealtimeClient } from '../src/client/realtime-client.js';
import type { RealtimeClientOptions } from '../src/client/types.js';
import { connectFake, FakeServer, ManualEnvironment, type Scenario } from '../src/testing/index.js';

export type FakeState = 'open' | 'connecting' | 'reconnecting' | 'offline' | 'closed';

export interface FakeBackend {
  server: FakeServer;
  client: RealtimeClient;
  environment: ManualEnvironment;
  /** Options for a client a provider creates itself from `url` (`.clientOptions`). */
  options: Partial<RealtimeClientOptions>;
}

type Disposer = () => void;
const scopes = new Map<string, Disposer[]>();
let current: Disposer[] = [];

/** Start a story's scope: stop what the previous render of the same story started. */
export function storyScope(id: string): void {
  for (const dispose of scopes.get(id) ?? []) dispose();
  current = [];
  scopes.set(id, current);
}

/** Stop everything every story started (between stories). */
export function disposeAllStories(): void {
  for (const disposers of scopes.values()) for (const dispose of disposers) dispose();
  scopes.clear();
  current = [];
}

/** Stop this with the story. */
export function track<T extends Scenario>(scenario: T): T {
  current.push(() => scenario.stop());
  return scenario;
}

/**
 * A client on its own fake server, brought into `state`:
 * - `connecting`: the server never answers the handshake;
 * - `reconnecting`: the server is down; the first retry waits the whole `reconnectInterval`;
 * - `offline`: the browser reports no network;
 * - `closed`: the page closed the connection.
 */
export function fakeBackend(
  state: FakeState = 'open',
  { reconnectInterval = 15_000, ...overrides }: Partial<RealtimeClientOptions> = {},
): FakeBackend {
  const server = new FakeServer();
  const environment = new ManualEnvironment({ online: state !== 'offline' });
  const options: Partial<RealtimeClientOptions> = {
    socketFactory: server.socketFactory,
    environment,
    reconnectInterval,
    connectTimeout: state === 'connecting' ? 3_600_000 : 20_000,
    // The full delay, so a story shows a readable countdown rather than a random one.
    random: () => 0.999,
    ...overrides,
  };
  if (state === 'connecting') server.blackhole(true);
  if (state === 'reconnecting') server.refuseConnections(true);
  const client = connectFake(server, options);
  if (state === 'closed') client.close();
  current.push(() => client.close());
  return { server, client, environment, options };
}

/** Bring an open backend down (reconnecting) until `up()`. */
export function takeDown(backend: FakeBackend): void {
  backend.server.refuseConnections(true);
  backend.server.dropConnections();
}
