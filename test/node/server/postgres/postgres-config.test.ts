/**
 * Choosing PostgreSQL by configuration: `--database-url` / `CRM_DATABASE_URL` (the flag wins),
 * the pool size, the connect and statement deadlines, and a URL that is not PostgreSQL's refused
 * at start. Without either, SQLite.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../../../src/server/config.js';
import { databaseLabel } from '../../../../src/server/postgres/postgres-storage.js';

const dev = ['--dev'];

describe('PostgreSQL configuration', () => {
  test('SQLite by default; CRM_DATABASE_URL or --database-url select PostgreSQL', () => {
    assert.equal(loadConfig(dev, {}).databaseUrl, undefined);
    assert.equal(loadConfig(dev, {}).databasePoolSize, 10);
    const fromEnv = loadConfig(dev, {
      CRM_DATABASE_URL: 'postgres://crm:secret@db:5432/crm',
      CRM_DATABASE_POOL_SIZE: '25',
    });
    assert.equal(fromEnv.databaseUrl, 'postgres://crm:secret@db:5432/crm');
    assert.equal(fromEnv.databasePoolSize, 25);
    const fromFlag = loadConfig([...dev, '--database-url', 'postgresql://other/crm'], {
      CRM_DATABASE_URL: 'postgres://crm@db/crm',
    });
    assert.equal(fromFlag.databaseUrl, 'postgresql://other/crm');
  });

  test('a URL that is not PostgreSQL, or a pool of 0, stops the start', () => {
    assert.throws(() => loadConfig(dev, { CRM_DATABASE_URL: 'mysql://db/crm' }), ConfigError);
    assert.throws(() => loadConfig(dev, { CRM_DATABASE_URL: 'not a url' }), ConfigError);
    assert.throws(
      () => loadConfig(dev, { CRM_DATABASE_URL: 'postgres://db/crm', CRM_DATABASE_POOL_SIZE: '0' }),
      ConfigError,
    );
  });

  test('deadlines: 10 s to connect, 30 s per statement, unless set; a nonsense value stops the start', () => {
    const defaults = loadConfig(dev, {});
    assert.equal(defaults.databaseConnectTimeoutMs, 10_000);
    assert.equal(defaults.databaseQueryTimeoutMs, 30_000);
    const set = loadConfig(dev, {
      CRM_DATABASE_CONNECT_TIMEOUT_MS: '2500',
      CRM_DATABASE_QUERY_TIMEOUT_MS: '120000',
    });
    assert.equal(set.databaseConnectTimeoutMs, 2500);
    assert.equal(set.databaseQueryTimeoutMs, 120_000);
    for (const [name, value] of [
      ['CRM_DATABASE_CONNECT_TIMEOUT_MS', '0'],
      ['CRM_DATABASE_CONNECT_TIMEOUT_MS', '5s'],
      ['CRM_DATABASE_QUERY_TIMEOUT_MS', '50'],
      ['CRM_DATABASE_QUERY_TIMEOUT_MS', '-1'],
    ] as const) {
      assert.throws(() => loadConfig(dev, { [name]: value }), ConfigError, `${name}=${value}`);
    }
  });

  test('the start banner names the database without its password', () => {
    assert.equal(
      databaseLabel('postgres://crm:secret@db:5432/crm?sslmode=require'),
      'postgres://crm@db:5432/crm',
    );
  });
});
