/**
 * A stable id for this browser profile (device), shared by its tabs, so the server can say
 * "2 tabs" and "2 devices" apart. Kept in `localStorage`; a fresh one when storage is unavailable.
 */
const KEY = 'crm-realtime:client-id';

export function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

export function defaultClientId(): string {
  try {
    const storage = (globalThis as { localStorage?: Storage }).localStorage;
    if (!storage) return randomId();
    let id = storage.getItem(KEY);
    if (!id || id.length > 64) {
      id = randomId();
      storage.setItem(KEY, id);
    }
    return id;
  } catch {
    // Storage disabled (private mode, sandboxed iframe): a per-page id still works.
    return randomId();
  }
}
