/**
 * A watcher notification whose store committed but whose answer was lost (a PostgreSQL connection
 * dropped at commit) is tried again as for any failure: the try again finds it stored and does
 * not store it twice, so the people looking at the record get it once, in their history, live
 * and in the change log the CRM's webhooks read. On SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Logger, LogFields } from '../../../../src/server/log.js';
import { WATCHER_RETRY_MS } from '../../../../src/server/notifications/watcher-notifications.js';
import { PostgresStorage } from '../../../../src/server/postgres/postgres-storage.js';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';
import type { Storage } from '../../../../src/server/storage.js';
import { startPostgres, type PostgresInstance } from '../../../services/postgres.js';
import { nextId, until } from '../../helpers/server-client.js';
import { alice, bob, startHarness } from '../../helpers/server-harness.js';

let postgres: PostgresInstance;
let databases = 0;
before(async () => {
  postgres = await startPostgres();
});
after(() => postgres.dispose());

const stores: [name: string, open: () => Promise<Storage>][] = [
  ['SQLite', () => Promise.resolve(new SqliteStorage(':memory:'))],
  [
    'PostgreSQL',
    async () => PostgresStorage.open({ url: await postgres.createDatabase(`lost_${++databases}`) }),
  ],
];

for (const [name, open] of stores) {
  describe(`a watcher notification whose commit's answer was lost, on ${name}`, () => {
    test('is stored and delivered once', async () => {
      const failed: { msg: string; fields: LogFields | undefined }[] = [];
      const note = (msg: string, fields: LogFields | undefined) => {
        if (msg.startsWith('watcher notification')) failed.push({ msg, fields });
      };
      const logger: Logger = { debug: () => {}, info: () => {}, warn: note, error: note };
      const storage = await open();
      const repository = storage.notifications!;
      const insert = repository.insert.bind(repository);
      let inserts = 0;
      // The first insert commits, then its answer is lost as a connection dropped at commit.
      repository.insert = async (n, recipients) => {
        const first = ++inserts === 1;
        const orders = await insert(n, recipients);
        if (first) throw new Error('Connection terminated unexpectedly');
        return orders;
      };
      const h = await startHarness({
        storage,
        logger,
        quiet: false,
        notifications: { notifyWatchersOnChange: true },
      });
      try {
        await h.server.entities.update({
          type: 'customer',
          id: '42',
          fields: { name: 'Acme Corp', status: 'lead' },
          source: 'backend',
          create: true,
        });
        const a = await h.connect(alice);
        const b = await h.connect(bob);
        await b.join('user:bob');
        await a.join('customer:42');
        await b.join('customer:42');
        const reply = await a.request({
          type: 'entity.update',
          id: nextId('u'),
          mutationId: `mutation-${nextId()}`,
          entityType: 'customer',
          entityId: '42',
          baseVersion: 1,
          fields: { status: 'won' },
        });
        assert.equal(reply.type, 'entity.ack', JSON.stringify(reply));
        await until(() => failed.length === 1, undefined, 'the lost answer');
        h.clock.advanceSync(WATCHER_RETRY_MS[0]!);
        await until(() => inserts === 2, undefined, 'the try again');
        await b.next((f) => f.type === 'event' && f.event === 'notification');
        await b.sync();
        const live = b.frames.filter((f) => f.type === 'event' && f.event === 'notification');
        assert.equal(live.length, 1, 'told once live');
        const page = await h.server.notifications.list('bob', undefined, 10);
        assert.deepEqual(
          page.items.map((n) => n.title),
          ['Alice Martin updated Acme Corp: Status'],
          'one in his history',
        );
        assert.equal(page.unread, 1);
        const changes = await storage.changes!.after(0, 100);
        assert.equal(
          changes.filter((c) => c.kind === 'notification').length,
          1,
          'one for webhooks',
        );
        assert.deepEqual(failed.slice(1), [], 'the try again did not fail');
      } finally {
        await h.close();
      }
    });
  });
}
