/**
 * The change log in SQLite (table `change_log`, migration 5). `record` is the synchronous append
 * the entity, notification and activity writers call inside their own transactions; `seq` is the
 * AUTOINCREMENT key, so with SQLite's single writer its order is commit order. Pending and dead
 * deliveries have partial indexes of their own, so the worker's queries never walk delivered rows.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import {
  CHANGE_COLUMNS,
  changeOfRow,
  deliveryOfRow,
  type AttemptResult,
  type ChangeLogRepository,
  type ChangeRecord,
  type ChangeRow,
  type DeliveryRecord,
  type NewChange,
} from './change-log.js';

/** SQLite keeps `data` as JSON text. */
type Row = ChangeRow<string>;

function changeOf(row: Row): ChangeRecord {
  return changeOfRow({ ...row, data: JSON.parse(row.data) as unknown });
}

function deliveryOf(row: Row): DeliveryRecord {
  return deliveryOfRow({ ...row, data: JSON.parse(row.data) as unknown });
}

export class SqliteChangeLog implements ChangeLogRepository {
  private tracking = false;
  private readonly listeners = new Set<() => void>();
  private wakeScheduled = false;
  private readonly insert: Database.Statement<unknown[]>;
  private readonly selectAfter: Database.Statement<[number, number], Row>;
  private readonly selectHeads: Database.Statement<[number], Row>;
  private readonly updateAttempt: Database.Statement<Record<string, unknown>>;
  private readonly selectDead: Database.Statement<[number, number], Row>;
  private readonly reviveSome: Database.Statement<[string], { id: string }>;
  private readonly reviveAll: Database.Statement<[], { id: string }>;
  private readonly countPending: Database.Statement<[], { n: number }>;
  private readonly countDead: Database.Statement<[], { n: number }>;
  private readonly deleteOld: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO change_log (id, kind, entity_type, entity_id, at, data, delivery)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectAfter = db.prepare(
      `SELECT ${CHANGE_COLUMNS} FROM change_log WHERE seq > ? ORDER BY seq LIMIT ?`,
    );
    this.selectHeads = db.prepare(
      `SELECT ${CHANGE_COLUMNS} FROM change_log c
        WHERE c.delivery = 'pending'
          AND (c.entity_type IS NULL OR NOT EXISTS (
            SELECT 1 FROM change_log p
             WHERE p.delivery = 'pending' AND p.entity_type = c.entity_type
               AND p.entity_id = c.entity_id AND p.seq < c.seq))
        ORDER BY c.seq LIMIT ?`,
    );
    this.updateAttempt = db.prepare(
      `UPDATE change_log SET delivery = @state, attempts = @attempts, last_attempt_at = @at,
              next_attempt_at = @next, last_error = @error
        WHERE seq = @seq AND delivery = 'pending'`,
    );
    this.selectDead = db.prepare(
      `SELECT ${CHANGE_COLUMNS} FROM change_log WHERE delivery = 'dead' AND seq > ? ORDER BY seq LIMIT ?`,
    );
    const revive = `UPDATE change_log SET delivery = 'pending', attempts = 0, next_attempt_at = NULL
                     WHERE delivery = 'dead'`;
    this.reviveSome = db.prepare(
      `${revive} AND id IN (SELECT value FROM json_each(?)) RETURNING id`,
    );
    this.reviveAll = db.prepare(`${revive} RETURNING id`);
    this.countPending = db.prepare(
      `SELECT COUNT(*) AS n FROM change_log WHERE delivery = 'pending'`,
    );
    this.countDead = db.prepare(`SELECT COUNT(*) AS n FROM change_log WHERE delivery = 'dead'`);
    this.deleteOld = db.prepare(
      `DELETE FROM change_log WHERE at < ? AND (delivery IS NULL OR delivery = 'delivered')`,
    );
  }

  /** Appends a row; call it inside the transaction of the change it records. */
  readonly record = (change: NewChange): void => {
    this.insert.run(
      randomUUID(),
      change.kind,
      change.entity?.type ?? null,
      change.entity?.id ?? null,
      change.at,
      JSON.stringify(change.data),
      this.tracking ? 'pending' : null,
    );
    // better-sqlite3 transactions are synchronous: a microtask runs after the commit (or the
    // rollback, which only costs a worker an empty look).
    if (this.listeners.size > 0 && !this.wakeScheduled) {
      this.wakeScheduled = true;
      queueMicrotask(() => {
        this.wakeScheduled = false;
        for (const listener of this.listeners) listener();
      });
    }
  };

  trackDeliveries(on: boolean): void {
    this.tracking = on;
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // async so that SQLite errors reject the promise instead of throwing at the call.
  async after(after: number, limit: number): Promise<ChangeRecord[]> {
    return this.selectAfter.all(after, limit).map(changeOf);
  }

  async pendingHeads(limit: number): Promise<DeliveryRecord[]> {
    return this.selectHeads.all(limit).map(deliveryOf);
  }

  async recordAttempt(seq: number, result: AttemptResult): Promise<void> {
    this.updateAttempt.run({
      seq,
      state: result.state,
      attempts: result.attempts,
      at: result.at,
      next: result.state === 'pending' ? result.nextAttemptAt : null,
      error: result.state === 'delivered' ? null : result.error.slice(0, 500),
    });
  }

  async deadLetters(after: number, limit: number): Promise<DeliveryRecord[]> {
    return this.selectDead.all(after, limit).map(deliveryOf);
  }

  async retryDead(ids: readonly string[] | 'all'): Promise<string[]> {
    const rows = ids === 'all' ? this.reviveAll.all() : this.reviveSome.all(JSON.stringify(ids));
    return rows.map((r) => r.id);
  }

  async deliveryCounts(): Promise<{ pending: number; dead: number }> {
    return { pending: this.countPending.get()?.n ?? 0, dead: this.countDead.get()?.n ?? 0 };
  }

  async prune(cutoff: number): Promise<number> {
    return this.deleteOld.run(cutoff).changes;
  }
}
