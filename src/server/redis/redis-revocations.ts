/**
 * Revocations (see `revocations.ts`) in Redis, for every process of a deployment: one key per
 * user, `<prefix>revoked:<user>` holding the time the user's sessions ended, expiring with the
 * revocation. A process started after a disconnect refuses the same old tokens.
 *
 * Redis unreachable: `revokedAt` rejects with `RedisUnavailableError`, and the hello is answered
 * `backend_unavailable` (the client retries with backoff) rather than welcomed unchecked.
 */
import type { RevocationStore } from '../revocations.js';
import { RedisUnavailableError, type RedisLink } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';

export class RedisRevocations implements RevocationStore {
  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
  ) {}

  async revoke(userId: string, at: number, ttlMs: number): Promise<void> {
    await this.link.ready();
    try {
      await this.link.redis.set(this.keys.revoked(userId), String(at), 'PX', Math.max(1, ttlMs));
    } catch (err) {
      throw new RedisUnavailableError(`could not record the revocation: ${(err as Error).message}`);
    }
  }

  async revokedAt(userId: string): Promise<number | undefined> {
    if (!this.link.available) throw new RedisUnavailableError();
    let value: string | null;
    try {
      value = await this.link.redis.get(this.keys.revoked(userId));
    } catch (err) {
      throw new RedisUnavailableError(`could not read revocations: ${(err as Error).message}`);
    }
    if (value === null) return undefined;
    const at = Number(value);
    return Number.isFinite(at) ? at : undefined;
  }
}
