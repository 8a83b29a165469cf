/**
 * The change log in SQLite (table `change_log`, migration 5). `record` is the synchronous append
 * the entity, notification and activity writers call inside their own transactions; `seq` is the
 * AUTOINCREMENT key, so with SQLite's single writer its order is commit order. Pending and dead
 * deliveries have partial indexes of their own, so the worker's queries never walk delivered rows.
 */
import type Database from 'better-sqlite3';
import {
  attemptValues,
  CHANGE_LOG_SQL as SQL,
  changeOfRow,
  changeValues,
  ChangeLogState,
  headsValues,
  deliveryOfRow,
  type AttemptResult,
  type ChangeLogRepository,
  type ChangeRecord,
  type ChangeRow,
  type DeliveryRecord,
  type HeadsQuery,
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

export class SqliteChangeLog extends ChangeLogState implements ChangeLogRepository {
  private wakeScheduled = false;
  private readonly insert: Database.Statement<unknown[]>;
  private readonly selectAfter: Database.Statement<[number, number], Row>;
  private readonly selectHeads: Database.Statement<unknown[], Row>;
  private readonly selectLastSeq: Database.Statement<[], { n: number | null }>;
  private readonly selectNextAttempt: Database.Statement<[number], { n: number | null }>;
  private readonly updateAttempt: Database.Statement<unknown[]>;
  private readonly selectDead: Database.Statement<[number, number], Row>;
  private readonly reviveSome: Database.Statement<[string], { id: string }>;
  private readonly reviveAll: Database.Statement<[], { id: string }>;
  private readonly discardSome: Database.Statement<[string], { id: string }>;
  private readonly discardAll: Database.Statement<[], { id: string }>;
  private readonly countPending: Database.Statement<[], { n: number }>;
  private readonly countDead: Database.Statement<[], { n: number }>;
  private readonly deleteOld: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    super();
    this.insert = db.prepare(SQL.insert);
    this.selectAfter = db.prepare(SQL.after);
    this.selectHeads = db.prepare(SQL.pendingHeads);
    this.selectLastSeq = db.prepare(SQL.lastSeq);
    this.selectNextAttempt = db.prepare(SQL.nextAttemptAfter);
    this.updateAttempt = db.prepare(SQL.recordAttempt);
    this.selectDead = db.prepare(SQL.deadLetters);
    this.reviveSome = db.prepare(
      `${SQL.revive} AND id IN (SELECT value FROM json_each(?)) RETURNING id`,
    );
    this.reviveAll = db.prepare(`${SQL.revive} RETURNING id`);
    this.discardSome = db.prepare(
      `${SQL.discard} AND id IN (SELECT value FROM json_each(?)) RETURNING id`,
    );
    this.discardAll = db.prepare(`${SQL.discard} RETURNING id`);
    this.countPending = db.prepare(
      `SELECT COUNT(*) AS n FROM change_log WHERE delivery = 'pending'`,
    );
    this.countDead = db.prepare(`SELECT COUNT(*) AS n FROM change_log WHERE delivery = 'dead'`);
    this.deleteOld = db.prepare(SQL.prune);
  }

  /** Appends a row; call it inside the transaction of the change it records. */
  readonly record = (change: NewChange): void => {
    this.insert.run(changeValues(change, this.tracking));
    // better-sqlite3 transactions are synchronous: a microtask runs after the commit (or the
    // rollback, which only costs a worker an empty look).
    if (this.heard && !this.wakeScheduled) {
      this.wakeScheduled = true;
      queueMicrotask(() => {
        this.wakeScheduled = false;
        this.tellAppended();
      });
    }
  };

  // async so that SQLite errors reject the promise instead of throwing at the call.
  async after(after: number, limit: number): Promise<ChangeRecord[]> {
    return this.selectAfter.all(after, limit).map(changeOf);
  }

  async pendingHeads(limit: number, options?: HeadsQuery): Promise<DeliveryRecord[]> {
    return this.selectHeads.all(headsValues(limit, options)).map(deliveryOf);
  }

  async lastSeq(): Promise<number> {
    return this.selectLastSeq.get()?.n ?? 0;
  }

  async nextAttemptAfter(now: number): Promise<number | undefined> {
    return this.selectNextAttempt.get(now)?.n ?? undefined;
  }

  async recordAttempt(seq: number, result: AttemptResult): Promise<void> {
    this.updateAttempt.run(attemptValues(seq, result));
  }

  async deadLetters(after: number, limit: number): Promise<DeliveryRecord[]> {
    return this.selectDead.all(after, limit).map(deliveryOf);
  }

  async retryDead(ids: readonly string[] | 'all'): Promise<string[]> {
    const rows = ids === 'all' ? this.reviveAll.all() : this.reviveSome.all(JSON.stringify(ids));
    return rows.map((r) => r.id);
  }

  async discardDead(ids: readonly string[] | 'all'): Promise<string[]> {
    const rows = ids === 'all' ? this.discardAll.all() : this.discardSome.all(JSON.stringify(ids));
    return rows.map((r) => r.id);
  }

  async deliveryCounts(): Promise<{ pending: number; dead: number }> {
    return { pending: this.countPending.get()?.n ?? 0, dead: this.countDead.get()?.n ?? 0 };
  }

  async prune(cutoff: number): Promise<number> {
    return this.deleteOld.run(cutoff).changes;
  }
}
