/**
 * Warnings for developers of the host page, all with one prefix so they can be found and
 * filtered in the console. Bad attribute values and failed subscriptions warn; they never throw.
 */

/** What every warning of the kit starts with. */
export const LOG_PREFIX = 'crm-realtime:';

/** Writes one warning with the kit's prefix; `details` (an error, a value) follow the message. */
export function warn(message: string, ...details: unknown[]): void {
  console.warn(`${LOG_PREFIX} ${message}`, ...details);
}

/** Warns with `key` at most once, however often it is called; see {@link warnOnceFor}. */
export type WarnOnce = (key: string, message: string, ...details: unknown[]) => void;

/**
 * A warner that says each `key` once per page: an element rendered a hundred times with the same
 * bad attribute warns once. Each caller makes its own, so keys of two elements never collide;
 * `scope` (a tag such as `<crm-presence>`) is written before each message.
 */
export function warnOnceFor(scope?: string): WarnOnce {
  const warned = new Set<string>();
  return (key, message, ...details) => {
    if (warned.has(key)) return;
    warned.add(key);
    warn(scope ? `${scope} ${message}` : message, ...details);
  };
}
