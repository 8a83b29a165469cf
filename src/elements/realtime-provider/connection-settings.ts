/**
 * The provider's connection settings as given (attributes can hold anything) and as in force: the
 * property as set, else the same option in `clientOptions`, else the client's documented default.
 * A value that cannot be used warns once and leaves the next one in force; it never throws.
 */
import { DEFAULT_BACKOFF_BASE } from '../../client/connection/backoff.js';
import {
  DEFAULT_HEARTBEAT_INTERVAL,
  DEFAULT_PROBE_TIMEOUT,
} from '../../client/connection/heartbeat.js';
import type { RealtimeClientOptions } from '../../client/types.js';
import { warnOnceFor } from '../../util/warn.js';

export type ConnectionSetting =
  'reconnectInterval' | 'maxReconnectAttempts' | 'heartbeatInterval' | 'probeTimeout';

interface Spec {
  attribute: string;
  fallback: number;
  valid(value: number): boolean;
  /** What a usable value is, for the warning. */
  expected: string;
}

const positiveMs = (value: number) => Number.isFinite(value) && value > 0;

const SPECS: Record<ConnectionSetting, Spec> = {
  reconnectInterval: {
    attribute: 'reconnect-interval',
    fallback: DEFAULT_BACKOFF_BASE,
    valid: positiveMs,
    expected: 'a number of ms above 0',
  },
  heartbeatInterval: {
    attribute: 'heartbeat-interval',
    fallback: DEFAULT_HEARTBEAT_INTERVAL,
    valid: positiveMs,
    expected: 'a number of ms above 0',
  },
  probeTimeout: {
    attribute: 'probe-timeout',
    fallback: DEFAULT_PROBE_TIMEOUT,
    valid: positiveMs,
    expected: 'a number of ms above 0',
  },
  // Unlimited by default: a widget that gives up after five tries stays dead on a flaky train
  // connection, and the capped, jittered delay keeps retrying cheap.
  maxReconnectAttempts: {
    attribute: 'max-reconnect-attempts',
    fallback: Infinity,
    valid: (value) => value === Infinity || (Number.isInteger(value) && value >= 0),
    expected: 'a whole number from 0 (or Infinity)',
  },
};

const warnOnce = warnOnceFor('<crm-realtime-provider>');

/** The value of `name` in force, given what was set on the element and its `clientOptions`. */
export function settingInForce(
  name: ConnectionSetting,
  given: number | undefined,
  clientOptions: Partial<RealtimeClientOptions> | undefined,
): number {
  const spec = SPECS[name];
  const candidates: [number | undefined, string][] = [
    [given, spec.attribute],
    [clientOptions?.[name], `clientOptions.${name}`],
  ];
  for (const [value, source] of candidates) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'number' && spec.valid(value)) return value;
    warnOnce(
      `${name}:${String(value)}`,
      `${source}="${String(value)}" is not ${spec.expected}; it is ignored.`,
    );
  }
  return spec.fallback;
}
