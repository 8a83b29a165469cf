/**
 * Revocations (see `revocations.ts`) in Redis, for every process of a deployment, read at every
 * `hello`: a process that did not hear a disconnect (started after it) refuses the same old tokens.
 * One hash, `<prefix>revocations`, holds `u:<user>` → `<revoked at> <until>` (ms); a sorted set
 * of the users by their `until` lets each write sweep the expired ones.
 *
 * The database holds the truth (`durable`, written first): Redis may lose its data (restarted
 * without persistence, flushed, failed over to an empty replica, evicted at `maxmemory`) while the
 * processes keep running, and a user cut off must stay cut off for the whole TTL. The hash carries
 * a `loaded` field once it has been filled from the database; it is read with the user's field at
 * every check, and when it is missing the check fills the hash (every kept revocation, then
 * `loaded`) and reads again. Marker and revocations live and die together in the one key, and the
 * key has no expiry (`volatile-*` eviction never picks it). Filling twice (two processes at once)
 * is harmless: a user's entry only ever moves to a later time.
 *
 * Redis unreachable: `revokedAt` rejects with `RedisUnavailableError`, and the hello is answered
 * `backend_unavailable` (the client retries with backoff) rather than welcomed unchecked; so does
 * a database that cannot be read while Redis needs filling.
 */
import type { Revocation, RevocationStore } from '../revocations.js';
import { RedisUnavailableError, type RedisLink } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';

/** The hash field of a user's revocation (user ids never collide with `loaded`). */
const field = (userId: string): string => `u:${userId}`;

/** The hash field that says the hash was filled from the database. */
const LOADED = 'loaded';

/** Expired revocations a write sweeps at most (the rest go with the next writes). */
const SWEEP = 100;

/**
 * KEYS: the hash, the sorted set. ARGV: the user's field, revoked at, until, now (ms). Keeps the
 * later of the stored revocation and this one, so a filling that read the database just before a
 * new disconnect cannot put the older one back; then sweeps expired revocations.
 */
const REVOKE_LUA = `
local stored = redis.call('HGET', KEYS[1], ARGV[1])
local storedAt = stored and tonumber(string.match(stored, '^(%d+)'))
if not storedAt or storedAt < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ' ' .. ARGV[3])
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
end
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[4], 'LIMIT', 0, ${SWEEP})
for _, f in ipairs(expired) do
  redis.call('HDEL', KEYS[1], f)
  redis.call('ZREM', KEYS[2], f)
end
return 1
`;

/** Revocations written to Redis per round trip while filling it. */
const FILL_BATCH = 1000;

type RevokeRunner = (
  hash: string,
  until: string,
  field: string,
  at: number,
  untilMs: number,
  now: number,
) => Promise<number>;

export class RedisRevocations implements RevocationStore {
  private filling: Promise<void> | undefined;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    /** Where revocations last (the database), when the store keeps them. */
    private readonly durable?: RevocationStore | undefined,
  ) {
    link.redis.defineCommand('crmRevoke', { numberOfKeys: 2, lua: REVOKE_LUA });
  }

  async revoke(userId: string, at: number, ttlMs: number): Promise<void> {
    // The truth first: a Redis that loses the revocation gets it back from there.
    await this.durable?.revoke(userId, at, ttlMs);
    await this.link.ready();
    try {
      await this.run({ userId, at, until: at + ttlMs }, at);
    } catch (err) {
      throw new RedisUnavailableError(`could not record the revocation: ${(err as Error).message}`);
    }
  }

  async revokedAt(userId: string, now: number): Promise<number | undefined> {
    if (!this.link.available) throw new RedisUnavailableError();
    const [loaded, first] = await this.read(userId);
    let value = first;
    if (loaded === null && this.durable?.active) {
      await this.fill(now);
      [, value] = await this.read(userId);
    }
    if (value === null) return undefined;
    const [at, until] = value.split(' ').map(Number);
    // Expired and not swept yet: over.
    if (at === undefined || !Number.isFinite(at) || !(Number(until) > now)) return undefined;
    return at;
  }

  /** The marker and the user's revocation, in one round trip. */
  private async read(userId: string): Promise<[string | null, string | null]> {
    try {
      const [loaded, value] = await this.link.redis.hmget(
        this.keys.revocations,
        LOADED,
        field(userId),
      );
      return [loaded ?? null, value ?? null];
    } catch (err) {
      throw new RedisUnavailableError(`could not read revocations: ${(err as Error).message}`);
    }
  }

  /** Fills Redis from the database, once at a time on this process. */
  private fill(now: number): Promise<void> {
    this.filling ??= this.copy(now).finally(() => (this.filling = undefined));
    return this.filling;
  }

  private async copy(now: number): Promise<void> {
    const kept: Revocation[] = (await this.durable?.active?.(now)) ?? [];
    try {
      for (let i = 0; i < kept.length; i += FILL_BATCH) {
        await Promise.all(kept.slice(i, i + FILL_BATCH).map((r) => this.run(r, now)));
      }
      // Last: a reader that sees the marker sees every revocation written before it. A Redis
      // lost meanwhile takes neither (this connection's commands fail with it).
      await this.link.redis.hset(this.keys.revocations, LOADED, String(now));
    } catch (err) {
      throw new RedisUnavailableError(`could not restore revocations: ${(err as Error).message}`);
    }
  }

  private run(revocation: Revocation, now: number): Promise<number> {
    const redis = this.link.redis as unknown as { crmRevoke: RevokeRunner };
    return redis.crmRevoke.call(
      this.link.redis,
      this.keys.revocations,
      this.keys.revocationsUntil,
      field(revocation.userId),
      revocation.at,
      revocation.until,
      now,
    );
  }
}
