/**
 * The one port through which a capability (live data, notifications, activity) plugs into
 * `RealtimeClient`: `client.use(capability)` makes the capability's one instance for that client on
 * first use and hands the same one to every later caller. Inside it, a store every reader of a key
 * sees alike is shared by key and reference-counted by the views it hands out (`SharedStores`,
 * store/shared-stores.ts), and each store notifies through one `Notifier` (store/notifier.ts).
 * The client core imports no capability, so a page loads the code of the capabilities its
 * elements use and no other: a controller imports the capability it binds to and asks the
 * client for it.
 *
 * The client's own methods (`client.liveData()`, `client.notifications()`, `client.activity()`,
 * `client.outbox`) reach a capability by name once it is loaded: a capability module registers
 * itself when it is evaluated, and `crm-realtime/client` loads all of them (`withCapabilities`).
 */
import type { StoreHost } from './store/store-host.js';
import type { CapabilityClient, Clock, RealtimeClientOptions } from './types.js';

/** What a capability gets from the client besides its public API. */
export interface CapabilityHost extends StoreHost {
  readonly clock: Clock;
  readonly logger: Pick<Console, 'warn'>;
  /** The options the client was made with (a capability reads its own, e.g. `outbox`). */
  readonly options: RealtimeClientOptions;
}

export interface Capability<T> {
  /** The name the client's methods reach it by: `liveData`, `notifications`, `activity`. */
  readonly name: string;
  /**
   * Made with the client when the capability is loaded by then, instead of on first use: live data
   * replays the offline edits a closed tab left as soon as the connection opens.
   */
  readonly eager?: boolean;
  /** `client` is the port every capability gets (`RealtimeClient` implements it). */
  create(client: CapabilityClient, host: CapabilityHost): T;
}

const registry = new Map<string, Capability<unknown>>();

/** Makes a loaded capability reachable through the client's methods. */
export function registerCapability<T>(capability: Capability<T>): Capability<T> {
  registry.set(capability.name, capability as Capability<unknown>);
  return capability;
}

/** The capability registered under `name`, if its module is loaded. */
export function registeredCapability(name: string): Capability<unknown> | undefined {
  return registry.get(name);
}

/** Every capability registered so far (the client makes the eager ones at construction). */
export function registeredCapabilities(): Iterable<Capability<unknown>> {
  return registry.values();
}

/**
 * `client` with `capabilities` registered: an expression whose value is used, so a host app's
 * bundler keeps the registration wherever the class is imported.
 */
export function withCapabilities<C>(client: C, capabilities: readonly Capability<unknown>[]): C {
  for (const capability of capabilities) registerCapability(capability);
  return client;
}
