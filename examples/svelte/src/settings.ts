import type { UserProfile } from 'crm-realtime';

/**
 * Who this tab is and which server it talks to: `?as=grace&server=ws://127.0.0.1:8080/`.
 * `devUser` is the reference server's development identity (`npm start` runs it with `--dev`);
 * a real app sets the provider's `getToken` instead.
 */
const params = new URLSearchParams(location.search);
const id = params.get('as') ?? 'ada';
const NAMES: Record<string, string> = { ada: 'Ada Lovelace', grace: 'Grace Hopper' };

export const serverUrl = params.get('server') ?? 'ws://localhost:8080/';
export const me: UserProfile = { id, name: NAMES[id] ?? id };
