/**
 * Revocations (see `revocations.ts`) in the server's own database, so one process restarted
 * after a backend ended a user's sessions still refuses their old tokens. Several processes read
 * them from Redis at `hello` (`redis/redis-revocations.ts`), and write them here too: Redis may
 * lose them, the database fills it again.
 *
 * A revocation replaces the user's earlier one; expired rows are deleted when the next one is
 * written.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { Revocation, RevocationStore } from './revocations.js';

export class SqliteRevocations implements RevocationStore {
  private readonly upsert: Database.Statement<[string, number, number]>;
  private readonly sweep: Database.Statement<[number]>;
  private readonly read: Database.Statement<[string, number], { revoked_at: number }>;
  private readonly list: Database.Statement<
    [number],
    { user_id: string; revoked_at: number; until: number }
  >;

  constructor(db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO revocations (user_id, revoked_at, until) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET revoked_at = excluded.revoked_at, until = excluded.until`,
    );
    this.sweep = db.prepare('DELETE FROM revocations WHERE until <= ?');
    this.read = db.prepare('SELECT revoked_at FROM revocations WHERE user_id = ? AND until > ?');
    this.list = db.prepare('SELECT user_id, revoked_at, until FROM revocations WHERE until > ?');
  }

  // async so that SQLite errors reject the promise instead of throwing at the call.
  async revoke(userId: string, at: number, ttlMs: number): Promise<void> {
    this.sweep.run(at);
    this.upsert.run(userId, at, at + ttlMs);
  }

  revokedAt(userId: string, now: number): number | undefined {
    return this.read.get(userId, now)?.revoked_at;
  }

  async active(now: number): Promise<Revocation[]> {
    return this.list
      .all(now)
      .map((row) => ({ userId: row.user_id, at: row.revoked_at, until: row.until }));
  }
}

export class PostgresRevocations implements RevocationStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  async revoke(userId: string, at: number, ttlMs: number): Promise<void> {
    await this.ready();
    await this.pool.query('DELETE FROM revocations WHERE until <= $1', [at]);
    await this.pool.query(
      `INSERT INTO revocations (user_id, revoked_at, until) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET revoked_at = excluded.revoked_at, until = excluded.until`,
      [userId, at, at + ttlMs],
    );
  }

  async revokedAt(userId: string, now: number): Promise<number | undefined> {
    await this.ready();
    const { rows } = await this.pool.query<{ revoked_at: string }>(
      'SELECT revoked_at FROM revocations WHERE user_id = $1 AND until > $2',
      [userId, now],
    );
    return rows[0] === undefined ? undefined : Number(rows[0].revoked_at);
  }

  async active(now: number): Promise<Revocation[]> {
    await this.ready();
    const { rows } = await this.pool.query<{ user_id: string; revoked_at: string; until: string }>(
      'SELECT user_id, revoked_at, until FROM revocations WHERE until > $1',
      [now],
    );
    return rows.map((row) => ({
      userId: row.user_id,
      at: Number(row.revoked_at),
      until: Number(row.until),
    }));
  }
}
