/**
 * A retention longer than the clock can name (`*_RETENTION_DAYS` of 10¹¹ and more, which the
 * settings accept) keeps everything, on SQLite and on PostgreSQL: its cutoff would be a time
 * before any date, which PostgreSQL cannot even read as a number ("invalid input syntax for type
 * bigint: -1.0e+21", or "bigint out of range"), so every sweep failed and said so in the log each hour.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Logger, LogFields } from '../../../src/server/log.js';
import { PostgresStorage } from '../../../src/server/postgres/postgres-storage.js';
import { SqliteStorage } from '../../../src/server/sqlite-storage.js';
import type { Storage } from '../../../src/server/storage.js';
import { ChangeFeed } from '../../../src/server/webhooks/change-feed.js';
import { startPostgres, type PostgresInstance } from '../../services/postgres.js';
import { startHarness } from '../helpers/server-harness.js';

/**
 * The largest the settings take (`Number.MAX_SAFE_INTEGER`), one just past 10¹³ days (its
 * cutoff is written `-1.0e+21`), and one whose cutoff is past a bigint's least (2·10¹¹ days).
 */
const HUGE_DAYS = [Number.MAX_SAFE_INTEGER, 12_000_000_000_000, 200_000_000_000];

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
    async () =>
      PostgresStorage.open({ url: await postgres.createDatabase(`forever_${++databases}`) }),
  ],
];

for (const [name, open] of stores) {
  describe(`retention beyond the clock on ${name}`, () => {
    for (const days of HUGE_DAYS) {
      test(`${days} days keeps every notification, activity item, history row and change`, async () => {
        const errors: { msg: string; fields: LogFields | undefined }[] = [];
        const logger: Logger = {
          debug: () => {},
          info: () => {},
          warn: () => {},
          error: (msg, fields) => void errors.push({ msg, fields }),
        };
        const storage = await open();
        const h = await startHarness({
          storage,
          logger,
          quiet: false,
          notifications: { retentionDays: days },
          activity: { maxAgeDays: days },
          entities: { historyRetentionDays: days },
        });
        const feed = new ChangeFeed({
          repository: storage.changes!,
          clock: h.clock,
          log: logger,
          retentionDays: days,
        });
        try {
          await h.server.entities.update({
            type: 'customer',
            id: '42',
            fields: { name: 'Acme Corp' },
            source: 'backend',
            create: true,
          });
          await h.server.notifications.send({
            target: { user: 'bob' },
            type: 'info',
            priority: 'normal',
            title: 'Call Acme back',
          });
          h.clock.advanceSync(86_400_000);
          assert.equal(await h.server.notifications.sweep(), 0);
          assert.equal(await h.server.activity.sweep(), 0);
          assert.deepEqual(await h.server.entities.sweep(), { changes: 0, mutations: 0 });
          assert.equal(await feed.sweep(), 0);
          assert.deepEqual(errors, [], 'no sweep failed');
          const page = await h.server.notifications.list('bob', undefined, 10);
          assert.equal(page.items.length, 1, 'the notification is kept');
          // The change, its activity item and the notification.
          const kinds = (await feed.page(undefined, 10)).items.map((item) => item.kind);
          assert.deepEqual(kinds, ['entity.change', 'activity', 'notification'], 'changes kept');
        } finally {
          feed.close();
          await h.close();
        }
      });
    }
  });
}
