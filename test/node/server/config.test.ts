import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ConfigError,
  databasePath,
  DEFAULT_JWT_CLOCK_TOLERANCE_S,
  KNOWN_VARIABLES,
  loadConfig,
  settingsWithoutTheirUrl,
  unknownVariables,
} from '../../../src/server/config.js';
import { createServer } from '../../../src/server/server.js';
import { LIMITS } from '../../../src/protocol/index.js';

/** 32 bytes: the shortest HS256 secret the server accepts. */
const LONG_SECRET = 'x'.repeat(32);

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
    const env = {
      PORT: '9000',
      DATA_DIR: '/var/crm',
      CRM_JWT_SECRET: LONG_SECRET,
      CRM_GRACE_MS: '2000',
    };
    const fromEnv = loadConfig([], env);
    assert.deepEqual(
      [fromEnv.port, fromEnv.dataDir, fromEnv.graceMs, fromEnv.auth.devIdentities],
      [9000, '/var/crm', 2000, false],
    );
    assert.equal(fromEnv.auth.jwtSecret, LONG_SECRET);
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

  test('processes sharing Redis must share a database: Redis without one is refused', () => {
    const redis = { CRM_REDIS_URL: 'redis://127.0.0.1:6379' };
    // An unset secret often arrives as an empty variable.
    for (const env of [redis, { ...redis, CRM_DATABASE_URL: '' }]) {
      assert.throws(() => loadConfig(['--dev'], env), /CRM_DATABASE_URL is not/);
    }
    const both = loadConfig(['--dev'], { ...redis, CRM_DATABASE_URL: 'postgres://db/crm' });
    assert.deepEqual([both.redisUrl, both.databaseUrl], [redis.CRM_REDIS_URL, 'postgres://db/crm']);
    assert.equal(loadConfig(['--dev'], {}).redisUrl, undefined, 'one process on SQLite');
  });

  test('development identities listen on loopback unless an address is given', () => {
    assert.equal(loadConfig(['--dev'], {}).host, '127.0.0.1');
    assert.equal(loadConfig(['--dev'], { HOST: '0.0.0.0' }).host, '0.0.0.0');
    assert.equal(loadConfig(['--dev', '--host', '::'], {}).host, '::');
    const secret = 'x'.repeat(32);
    assert.equal(loadConfig([], { CRM_JWT_SECRET: secret }).host, undefined, 'all interfaces');
  });

  test('refuses to start with no way to authenticate, or with nonsense', () => {
    assert.throws(() => loadConfig([], {}), ConfigError);
    assert.throws(() => loadConfig(['--dev', '--port', 'eighty'], {}), ConfigError);
    assert.throws(() => loadConfig(['--dev', '--colour'], {}), ConfigError);
    assert.throws(() => loadConfig(['--dev', '--log-level', 'loud'], {}), ConfigError);
  });

  test('an empty --static is refused (it would serve the working directory); --no-static serves none', () => {
    assert.throws(() => loadConfig(['--dev', '--static', ''], {}), {
      name: 'ConfigError',
      message: /--static needs a folder/,
    });
    assert.throws(() => loadConfig(['--dev', '--static', 'public', '--static='], {}), {
      message: /--static needs a folder/,
    });
    assert.deepEqual(loadConfig(['--dev', '--no-static'], {}).staticDirs, []);
    assert.deepEqual(loadConfig(['--dev', '--no-static'], { CRM_STATIC: 'public' }).staticDirs, []);
    assert.throws(() => loadConfig(['--dev', '--no-static', '--static', 'public'], {}), {
      message: '--static and --no-static conflict',
    });
  });

  test('a port out of range is refused as a setting, from the flag or PORT', () => {
    assert.throws(() => loadConfig(['--dev', '--port', '99999'], {}), {
      name: 'ConfigError',
      message: 'port must be an integer from 0 to 65535, got "99999"',
    });
    assert.throws(() => loadConfig(['--dev'], { PORT: '65536' }), ConfigError);
    assert.equal(loadConfig(['--dev'], { PORT: '65535' }).port, 65535);
  });

  test('a switch given a value, or CRM_DEV other than 1 or 0, is refused rather than misread', () => {
    // Before, `--dev=false` and `CRM_DEV=true` both started a server, with development identities
    // off, and `--quiet=1` one that logged.
    for (const argv of [
      ['--dev=false'],
      ['--dev=1'],
      ['--dev', '--quiet=1'],
      ['--dev', '--no-seed=true'],
    ]) {
      assert.throws(() => loadConfig(argv, {}), /takes no value/, argv.join(' '));
    }
    assert.throws(() => loadConfig([], { CRM_DEV: 'true', CRM_JWT_SECRET: LONG_SECRET }), {
      name: 'ConfigError',
      message: 'CRM_DEV must be 1 or 0, got "true"',
    });
    assert.equal(loadConfig([], { CRM_DEV: '1' }).auth.devIdentities, true);
    assert.equal(
      loadConfig([], { CRM_DEV: '0', CRM_JWT_SECRET: LONG_SECRET }).auth.devIdentities,
      false,
    );
  });

  test('a JWT secret shorter than 32 bytes refuses to start, naming the variable and the minimum', () => {
    for (const weak of ['s', 'x'.repeat(31), 'é'.repeat(15)]) {
      assert.throws(
        () => loadConfig([], { CRM_JWT_SECRET: weak }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message.includes('CRM_JWT_SECRET') &&
          error.message.includes('32 bytes'),
        `${Buffer.byteLength(weak)} bytes`,
      );
    }
    // Counted in bytes, as HMAC sees them: 16 two-byte characters are enough.
    assert.equal(loadConfig([], { CRM_JWT_SECRET: 'é'.repeat(16) }).auth.jwtSecret, 'é'.repeat(16));
    assert.throws(() => createServer({ auth: { jwtSecret: 'short' }, quiet: true }), /32 bytes/);
  });

  test('the JWT clock-skew allowance: 30 s by default, from the environment or the flag, checked', () => {
    assert.equal(loadConfig(['--dev'], {}).auth.clockToleranceS, DEFAULT_JWT_CLOCK_TOLERANCE_S);
    assert.equal(DEFAULT_JWT_CLOCK_TOLERANCE_S, 30);
    const env = { CRM_JWT_CLOCK_TOLERANCE_S: '5' };
    assert.equal(loadConfig(['--dev'], env).auth.clockToleranceS, 5);
    assert.equal(loadConfig(['--dev', '--jwt-clock-tolerance', '0'], env).auth.clockToleranceS, 0);
    // 30000 is milliseconds meant as seconds: 8 hours of expired tokens.
    for (const bad of ['-1', '1.5', 'thirty', '30000']) {
      assert.throws(
        () => loadConfig(['--dev'], { CRM_JWT_CLOCK_TOLERANCE_S: bad }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message.includes('CRM_JWT_CLOCK_TOLERANCE_S') &&
          error.message.includes('--jwt-clock-tolerance') &&
          error.message.includes('from 0 to 300'),
        bad,
      );
    }
  });

  test('CRM_JWKS_URL must be an http(s) URL, refused at start naming the variable', () => {
    for (const bad of ['not-a-url', 'ftp://keys.example.com/jwks.json', 'keys.example.com/jwks']) {
      assert.throws(
        () => loadConfig([], { CRM_JWKS_URL: bad }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message.includes('CRM_JWKS_URL') &&
          error.message.includes('not an http(s) URL'),
        bad,
      );
    }
    for (const good of ['https://auth.example.com/.well-known/jwks.json', 'http://10.0.0.7/jwks']) {
      assert.equal(loadConfig([], { CRM_JWKS_URL: good }).auth.jwksUrl, good);
    }
    // An unset secret often arrives as an empty variable: no JWKS, not a bad one.
    assert.throws(() => loadConfig([], { CRM_JWKS_URL: '' }), /no way to authenticate/);
    assert.throws(
      () => createServer({ auth: { jwksUrl: 'not-a-url' }, quiet: true }),
      /auth\.jwksUrl: is not an http\(s\) URL \(a value of 9 characters, not shown/,
    );
  });

  test('a URL the server fetches may not carry a user or password: refused at start, password unsaid', () => {
    const withPassword = 'https://crm:hunter2@crm.example.com/api';
    for (const [name, env] of [
      ['CRM_ENTITY_BACKEND_URL', { CRM_ENTITY_BACKEND_URL: withPassword }],
      ['CRM_AUTHORIZE_URL', { CRM_AUTHORIZE_URL: withPassword }],
      ['CRM_JWKS_URL', { CRM_JWKS_URL: withPassword }],
      [
        'CRM_WEBHOOK_URL',
        { CRM_WEBHOOK_URL: withPassword, CRM_WEBHOOK_SECRET: 'webhook-secret-0123456789' },
      ],
    ] as const) {
      assert.throws(
        () => loadConfig(name === 'CRM_JWKS_URL' ? [] : ['--dev'], env),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message.startsWith(`${name}: must not carry a user name or password`) &&
          !error.message.includes('hunter2'),
        name,
      );
    }
  });

  test('a fetched URL over plain http to another machine is warned about at start, loopback and https are not', async () => {
    const warnings: { msg: string; fields: Record<string, unknown> | undefined }[] = [];
    const logger = {
      debug: () => {},
      info: () => {},
      warn: (msg: string, fields?: Record<string, unknown>) => void warnings.push({ msg, fields }),
      error: () => {},
    };
    const start = (entityBackendUrl: string, jwksUrl: string) =>
      createServer({
        auth: { jwksUrl },
        entityBackend: { url: entityBackendUrl },
        logger,
      });
    await start('http://crm.internal:8000/api', 'http://10.0.0.7/jwks').close();
    assert.deepEqual(
      warnings.map(({ msg, fields }) => [msg, fields?.setting, fields?.env, fields?.url]),
      [
        ['plain http to another machine', 'auth.jwksUrl', 'CRM_JWKS_URL', 'http://10.0.0.7/jwks'],
        [
          'plain http to another machine',
          'entityBackend.url',
          'CRM_ENTITY_BACKEND_URL',
          'http://crm.internal:8000/api',
        ],
      ],
    );
    assert.match(String(warnings[0]?.fields?.risk), /forge any user's token/);
    warnings.length = 0;
    await start('http://127.0.0.1:8000/api', 'https://auth.example.com/jwks').close();
    await start('http://localhost:8000/api', 'http://[::1]:9000/jwks').close();
    assert.deepEqual(warnings, []);
  });

  test('a value that is no URL is not repeated in the error: it may be a secret in the wrong variable', () => {
    const secret = 'b3f1c9d2e8a74f60a1b2c3d4e5f60718';
    for (const name of ['CRM_WEBHOOK_URL', 'CRM_ENTITY_BACKEND_URL', 'CRM_JWKS_URL']) {
      assert.throws(
        () => loadConfig(['--dev'], { [name]: secret, CRM_WEBHOOK_SECRET: 'x'.repeat(32) }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message.startsWith(`${name}: is not an http(s) URL (a value of 32 characters`) &&
          !error.message.includes(secret.slice(0, 6)),
        name,
      );
    }
    assert.throws(
      () => loadConfig(['--dev'], { CRM_JWKS_URL: 'ftp://keys.example.com/jwks.json' }),
      /CRM_JWKS_URL: "ftp:\/\/…" is not an http\(s\) URL/,
    );
  });

  test("a URL's own settings without the URL are named, with the URL they need", () => {
    const env = {
      CRM_WEBHOOK_SECRET: 'x'.repeat(32),
      CRM_ENTITY_BACKEND_KEY: 'k'.repeat(32),
      CRM_AUTHORIZE_CACHE_MS: '',
    };
    assert.deepEqual(settingsWithoutTheirUrl(loadConfig(['--dev'], env), env), [
      { variable: 'CRM_WEBHOOK_SECRET', needs: 'CRM_WEBHOOK_URL' },
      { variable: 'CRM_ENTITY_BACKEND_KEY', needs: 'CRM_ENTITY_BACKEND_URL' },
    ]);
    // With their URL, from the variable or the flag, they are read: nothing to say.
    const withUrls = { ...env, CRM_ENTITY_BACKEND_URL: 'https://crm.example.com/api' };
    const flags = ['--dev', '--webhook-url', 'https://crm.example.com/hooks'];
    assert.deepEqual(settingsWithoutTheirUrl(loadConfig(flags, withUrls), withUrls), []);
  });

  test('a duration past the longest timer Node keeps (2³¹−1 ms) is refused, whichever it is', () => {
    for (const [name, env, args] of [
      [
        'CRM_AUTHORIZE_TIMEOUT_MS',
        {
          CRM_AUTHORIZE_URL: 'https://crm.example.com/authorize',
          CRM_AUTHORIZE_TIMEOUT_MS: '3000000000',
        },
        [],
      ],
      ['CRM_HTTP_REQUEST_TIMEOUT_MS', { CRM_HTTP_REQUEST_TIMEOUT_MS: '3000000000' }, []],
      ['CRM_DATABASE_QUERY_TIMEOUT_MS', { CRM_DATABASE_QUERY_TIMEOUT_MS: '3000000000' }, []],
      ['heartbeat-ms', {}, ['--heartbeat-ms', '3000000000']],
      ['grace-ms', { CRM_GRACE_MS: '3000000000' }, []],
    ] as const) {
      assert.throws(
        () => loadConfig(['--dev', ...args], env),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message.includes(`${name} must be an integer`) &&
          error.message.includes('2147483647'),
        name,
      );
    }
  });

  test('CRM_WRITE_BYTES_PER_MINUTE: a megabyte by default, 0 for none, else at least one frame', () => {
    assert.equal(loadConfig(['--dev'], {}).limits.writeBytesPerMinute, 1024 * 1024);
    assert.equal(
      loadConfig(['--dev'], { CRM_WRITE_BYTES_PER_MINUTE: '0' }).limits.writeBytesPerMinute,
      0,
    );
    assert.equal(
      loadConfig(['--dev'], { CRM_WRITE_BYTES_PER_MINUTE: '5000000' }).limits.writeBytesPerMinute,
      5_000_000,
    );
    for (const bad of ['100', '-1', 'lots']) {
      assert.throws(
        () => loadConfig(['--dev'], { CRM_WRITE_BYTES_PER_MINUTE: bad }),
        (error: unknown) =>
          error instanceof ConfigError && error.message.startsWith('CRM_WRITE_BYTES_PER_MINUTE'),
        bad,
      );
    }
  });

  test('createServer refuses the same URLs at start, naming the option, password unsaid', () => {
    const withPassword = 'https://crm:hunter2@crm.example.com/api';
    const dev = { auth: { devIdentities: true }, quiet: true } as const;
    for (const [setting, options] of [
      ['auth.jwksUrl', { ...dev, auth: { jwksUrl: withPassword } }],
      ['entityBackend.url', { ...dev, entityBackend: { url: withPassword } }],
      ['authorizeCallback.url', { ...dev, authorizeCallback: { url: withPassword } }],
      [
        'webhooks.url',
        { ...dev, webhooks: { url: withPassword, secret: 'webhook-secret-0123456789' } },
      ],
    ] as const) {
      assert.throws(
        () => createServer(options),
        (error: unknown) =>
          error instanceof Error &&
          error.message.startsWith(`createServer: ${setting}: must not carry a user name`) &&
          !error.message.includes('hunter2'),
        setting,
      );
    }
    // A URL write-through cannot fetch failed every save later ("Invalid URL"), retried forever.
    assert.throws(
      () => createServer({ ...dev, entityBackend: { url: 'crm.example.com/api' } }),
      /createServer: entityBackend\.url: is not an http\(s\) URL/,
    );
  });

  test("a frame limit above what the kit's clients read is refused at start", () => {
    const dev = { auth: { devIdentities: true }, quiet: true };
    // A larger limit would send records and answers the clients drop: unreadable, unanswered.
    for (const maxFrameBytes of [LIMITS.maxFrameBytes + 1, 1_000_000, 512, 4096.5, Number.NaN]) {
      assert.throws(
        () => createServer({ ...dev, limits: { maxFrameBytes } }),
        /createServer: limits\.maxFrameBytes must be an integer from 1024 to 65536/,
        String(maxFrameBytes),
      );
    }
    for (const maxFrameBytes of [1024, LIMITS.maxFrameBytes]) {
      void createServer({ ...dev, limits: { maxFrameBytes } }).close();
    }
  });
});

describe('the configuration reference', () => {
  test("the README's table and config.ts's header list every variable the server reads", async () => {
    const { readFileSync } = await import('node:fs');
    const source = readFileSync(new URL('../../../src/server/config.ts', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const header = source.slice(0, source.indexOf('*/'));
    const read = [...new Set(source.match(/env\.CRM_[A-Z_]+/g)!.map((m) => m.slice(4)))];
    assert.ok(read.length > 30, 'the variables are found');
    assert.deepEqual(
      read.filter((name) => !new RegExp(`\`${name}[\`=]`).test(readme)),
      [],
      'missing from README.md',
    );
    assert.deepEqual(
      read.filter((name) => !header.includes(name)),
      [],
      "missing from config.ts's header",
    );
    // The URLs are read by name (`httpUrl('CRM_…_URL', …)`): the list of known variables has
    // them and every other one, and the README lists each.
    const named = [
      ...new Set(source.match(/httpUrl\(\s*'CRM_[A-Z_]+'/g)!.map((m) => m.split("'")[1]!)),
    ];
    assert.ok(named.length >= 4, 'the URL settings are found');
    assert.deepEqual([...KNOWN_VARIABLES].sort(), [...new Set([...read, ...named])].sort());
    assert.deepEqual(
      KNOWN_VARIABLES.filter((name) => !new RegExp(`\`${name}[\`=]`).test(readme)),
      [],
      'missing from README.md',
    );
  });

  test('a CRM_ variable the server does not read is found, with the setting it most likely means', () => {
    const found = unknownVariables({
      CRM_API_KEY: 'key-0123456789abcdef',
      CRM_WEBHOOKS_URL: 'https://hooks.example.com/',
      CRM_ENTITY_BACKEND_TIMEOUT: '3000',
      CRM_TENANT: 'acme',
      CRM_JWT_SECRET: 'read by the server',
      PORT: '8080',
    });
    assert.deepEqual(found, [
      { name: 'CRM_API_KEY', didYouMean: 'CRM_API_KEYS' },
      { name: 'CRM_ENTITY_BACKEND_TIMEOUT', didYouMean: 'CRM_ENTITY_BACKEND_TIMEOUT_MS' },
      // A CRM's own variable resembles none: named, without a guess.
      { name: 'CRM_TENANT', didYouMean: undefined },
      { name: 'CRM_WEBHOOKS_URL', didYouMean: 'CRM_WEBHOOK_URL' },
    ]);
  });
});
