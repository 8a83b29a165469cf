import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, databasePath, loadConfig } from '../../src/server/config.js';

describe('server configuration', () => {
  test('defaults: port 8080, .data/crm.sqlite, 15 s grace, 30 s heartbeat, demo and dist', () => {
    const config = loadConfig(['--dev'], {});
    assert.equal(config.port, 8080);
    assert.equal(databasePath(config), '.data/crm.sqlite');
    assert.equal(config.graceMs, 15_000);
    assert.equal(config.heartbeatMs, 30_000);
    assert.deepEqual(config.staticDirs, ['demo', 'dist']);
    assert.equal(config.auth.devIdentities, true);
  });

  test('environment, then flags, override the defaults', () => {
    const env = { PORT: '9000', DATA_DIR: '/var/crm', CRM_JWT_SECRET: 's', CRM_GRACE_MS: '2000' };
    const fromEnv = loadConfig([], env);
    assert.deepEqual(
      [fromEnv.port, fromEnv.dataDir, fromEnv.graceMs, fromEnv.auth.devIdentities],
      [9000, '/var/crm', 2000, false],
    );
    assert.equal(fromEnv.auth.jwtSecret, 's');
    const fromFlags = loadConfig(
      ['--port=0', '--grace-ms', '100', '--static', 'a', '--static', 'b'],
      env,
    );
    assert.deepEqual(
      [fromFlags.port, fromFlags.graceMs, fromFlags.staticDirs],
      [0, 100, ['a', 'b']],
    );
  });

  test('CRM_ALLOWED_ORIGINS lists origins, normalized; anything else is refused', () => {
    const dev = ['--dev'];
    assert.deepEqual(loadConfig(dev, {}).allowedOrigins, []);
    assert.deepEqual(
      loadConfig(dev, { CRM_ALLOWED_ORIGINS: 'https://CRM.example.com, http://localhost:8080/' })
        .allowedOrigins,
      ['https://crm.example.com', 'http://localhost:8080'],
    );
    for (const bad of ['crm.example.com', 'https://crm.example.com/app', 'file:///x', '*']) {
      assert.throws(() => loadConfig(dev, { CRM_ALLOWED_ORIGINS: bad }), ConfigError, bad);
    }
  });

  test('refuses to start with no way to authenticate, or with nonsense', () => {
    assert.throws(() => loadConfig([], {}), ConfigError);
    assert.throws(() => loadConfig(['--dev', '--port', 'eighty'], {}), ConfigError);
    assert.throws(() => loadConfig(['--dev', '--colour'], {}), ConfigError);
    assert.throws(() => loadConfig(['--dev', '--log-level', 'loud'], {}), ConfigError);
  });
});
