/**
 * The permission settings of `loadConfig`: the claim's name and the authorization callback.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../../../src/server/config.js';

const base = { CRM_JWT_SECRET: 'config-test-secret-of-at-least-32-bytes!' };

describe('permission settings', () => {
  test('without them: no callback, the default claim name', () => {
    const config = loadConfig([], base);
    assert.equal(config.authorizeCallback, undefined);
    assert.equal(config.auth.permissionsClaim, undefined);
  });

  test('CRM_AUTHORIZE_URL and its key, timeout, cache and per-user bound; CRM_PERMISSIONS_CLAIM', () => {
    const config = loadConfig([], {
      ...base,
      CRM_AUTHORIZE_URL: 'https://crm.example.com/realtime/authorize',
      CRM_AUTHORIZE_KEY: 'a-key-of-16-chars-or-more',
      CRM_AUTHORIZE_TIMEOUT_MS: '500',
      CRM_AUTHORIZE_CACHE_MS: '0',
      CRM_AUTHORIZE_USER_IN_FLIGHT: '4',
      CRM_AUTHORIZE_USER_BURST: '30',
      CRM_AUTHORIZE_USER_PER_SECOND: '5',
      CRM_PERMISSIONS_CLAIM: 'https://crm.example.com/permissions',
    });
    assert.deepEqual(config.authorizeCallback, {
      url: 'https://crm.example.com/realtime/authorize',
      key: 'a-key-of-16-chars-or-more',
      timeoutMs: 500,
      cacheMs: 0,
      maxInFlight: 4,
      burst: 30,
      perSecond: 5,
    });
    assert.equal(config.auth.permissionsClaim, 'https://crm.example.com/permissions');
    const flagged = loadConfig(['--authorize-url', 'http://127.0.0.1:9/a'], base);
    assert.equal(flagged.authorizeCallback?.url, 'http://127.0.0.1:9/a');
    assert.equal(flagged.authorizeCallback?.timeoutMs, 2000);
    assert.equal(flagged.authorizeCallback?.cacheMs, 30_000);
    assert.equal(flagged.authorizeCallback?.maxInFlight, 8);
    assert.equal(flagged.authorizeCallback?.burst, 100);
    assert.equal(flagged.authorizeCallback?.perSecond, 20);
  });

  test('a URL that is not http(s), a short key, or a per-user bound under 1, is refused at start', () => {
    for (const name of [
      'CRM_AUTHORIZE_USER_IN_FLIGHT',
      'CRM_AUTHORIZE_USER_BURST',
      'CRM_AUTHORIZE_USER_PER_SECOND',
    ]) {
      assert.throws(
        () => loadConfig([], { ...base, CRM_AUTHORIZE_URL: 'https://x/a', [name]: '0' }),
        ConfigError,
        name,
      );
    }
    assert.throws(() => loadConfig([], { ...base, CRM_AUTHORIZE_URL: 'ftp://x/y' }), ConfigError);
    assert.throws(() => loadConfig([], { ...base, CRM_AUTHORIZE_URL: 'not a url' }), ConfigError);
    assert.throws(
      () =>
        loadConfig([], { ...base, CRM_AUTHORIZE_URL: 'https://x/a', CRM_AUTHORIZE_KEY: 'short' }),
      ConfigError,
    );
  });
});
