/**
 * Users whose sessions a backend ended (`POST /api/users/:id/disconnect`): for a while afterwards
 * (`CRM_REVOCATION_TTL_S`, which should be at least the longest lifetime of a token), a token of
 * theirs issued at or before that moment is refused, so a cut-off user cannot come straight back
 * with the token they still hold. A token issued later (they signed in again, and the CRM let
 * them) is welcome.
 *
 * The database holds the truth (`sql-revocations.ts`), so a restart keeps them (in memory with a
 * store that has no table for them). Several processes read them from Redis
 * (`redis/redis-revocations.ts`), which the database fills again when Redis lost them (restarted
 * without persistence, flushed, failed over to an empty replica): a process that did not hear the
 * disconnect (started after it, or on the other side of a Redis restart) refuses the same tokens.
 */

/** One user's revocation, while it is kept. */
export interface Revocation {
  readonly userId: string;
  /** When the user's sessions were ended (ms). */
  readonly at: number;
  /** When the revocation stops refusing tokens (ms). */
  readonly until: number;
}

/** Where revocations are kept. */
export interface RevocationStore {
  /** Records that the user's sessions ended at `at` (ms); kept `ttlMs`. */
  revoke(userId: string, at: number, ttlMs: number): Promise<void>;
  /** When the user's sessions were last ended, while that is kept. */
  revokedAt(userId: string, now: number): number | undefined | Promise<number | undefined>;
  /** Every revocation still kept at `now`, for filling a shared store that lost them. */
  active?(now: number): Promise<Revocation[]>;
}

/** Entries kept at most in memory; the oldest go first (a backend would have to revoke that many). */
const MAX_LOCAL = 100_000;

export class LocalRevocations implements RevocationStore {
  /** In the order they were revoked, so the expired ones are at the front. */
  private readonly entries = new Map<string, { at: number; until: number }>();

  revoke(userId: string, at: number, ttlMs: number): Promise<void> {
    for (const [user, entry] of this.entries) {
      if (entry.until > at) break;
      this.entries.delete(user);
    }
    this.entries.delete(userId);
    this.entries.set(userId, { at, until: at + ttlMs });
    while (this.entries.size > MAX_LOCAL) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return Promise.resolve();
  }

  revokedAt(userId: string, now: number): number | undefined {
    const entry = this.entries.get(userId);
    if (!entry) return undefined;
    if (entry.until > now) return entry.at;
    this.entries.delete(userId);
    return undefined;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Why an authenticated hello is refused because its user's sessions were ended at `revokedAt`;
 * undefined when it may pass. `iat` counts in whole seconds, so a token issued in the same second
 * as the revocation is refused too: better a fresh token refused once (the client asks for
 * another) than one issued just before the revocation let in. A development identity, or a token
 * without `iat`, cannot show it came later and is refused while the revocation is kept.
 */
export function revokedReason(
  // What a signed-in hello's authentication says (`AuthResult`), not the type itself: storage
  // imports this module, and the token checks import the configuration, which imports storage.
  result: { via: 'token' | 'dev'; issuedAt?: number | undefined },
  revokedAt: number | undefined,
): string | undefined {
  if (revokedAt === undefined) return undefined;
  if (result.via === 'dev') return 'signed out by the server';
  if (result.issuedAt === undefined) {
    return 'token revoked: signed out by the server, and the token has no iat to show it is newer';
  }
  if (Math.floor(result.issuedAt / 1000) <= Math.floor(revokedAt / 1000)) {
    return 'token revoked: signed out by the server; sign in again';
  }
  return undefined;
}
