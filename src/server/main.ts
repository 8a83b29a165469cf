/**
 * `npm start`: the reference server with the demo. Configuration: see `config.ts`.
 *
 *   node --import tsx src/server/main.ts --dev
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ConfigError,
  databasePath,
  loadConfig,
  settingsWithoutTheirUrl,
  unknownVariables,
  usage,
  type ServerConfig,
} from './config.js';
import { createLogger, shownUrl } from './log.js';
import { seedDemo } from './seed-demo.js';
import { createServer } from './server.js';
import { SqliteStorage } from './sqlite-storage.js';
import { schemaAheadWarning } from './migrations.js';
import { databaseLabel, PostgresStorage } from './postgres/postgres-storage.js';
import { RedisAuthError } from './redis/redis-connection.js';

function devBanner(): void {
  const line = '!'.repeat(78);
  process.stderr.write(
    [
      line,
      '!!  DEVELOPMENT IDENTITIES ARE ON (--dev)',
      '!!  Any client may claim to be any user without a token. Never expose this server.',
      line,
      '',
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage());
    return;
  }
  let config: ServerConfig;
  try {
    config = loadConfig(args);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`crm-realtime: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger({ level: config.logLevel, quiet: config.quiet });
  if (config.auth.devIdentities) devBanner();
  // A folder named to be served that is not there serves nothing: said at once, rather than found
  // by users as a 404 on every page.
  if (config.staticDirsGiven) {
    for (const dir of config.staticDirs) {
      if (!isDirectory(dir)) {
        log.warn('static folder not found: nothing is served from it', { dir: resolve(dir) });
      }
    }
  }
  // A misspelled setting is not read: said at once, rather than found missing by users.
  for (const { name, didYouMean } of unknownVariables()) {
    log.warn('unknown setting: this server reads no such variable', {
      variable: name,
      ...(didYouMean ? { didYouMean } : {}),
    });
  }
  for (const { variable, needs } of settingsWithoutTheirUrl(config)) {
    log.warn(`setting not used: ${variable} goes with ${needs}, which is not set`, { variable });
  }

  // PostgreSQL when configured (processes share it), else the SQLite file. PostgreSQL's
  // migrations finish before anything is served, so a failing one stops the start; so does a
  // database that does not answer within the connect timeout. Said first, so a start that waits
  // shows what it waits for.
  if (config.databaseUrl) {
    log.info('waiting for the database', {
      database: databaseLabel(config.databaseUrl),
      timeoutMs: config.databaseConnectTimeoutMs,
    });
  }
  const storage = config.databaseUrl
    ? await PostgresStorage.open({
        url: config.databaseUrl,
        poolSize: config.databasePoolSize,
        connectTimeoutMs: config.databaseConnectTimeoutMs,
        queryTimeoutMs: config.databaseQueryTimeoutMs,
        log,
      })
    : new SqliteStorage(databasePath(config), undefined, { log });
  const ahead = schemaAheadWarning(storage);
  if (ahead !== undefined) {
    log.warn(ahead, {
      schemaVersion: storage.schemaVersion,
      knownSchemaVersion: storage.knownSchemaVersion,
    });
  }
  if (config.seedDemo) {
    const seeded = await seedDemo(storage);
    if (seeded) log.info('seeded the demo data', { ...seeded });
  }
  // Development without configured keys: a fresh key per run, printed below, so the HTTP API can
  // be tried without ever shipping a default key.
  const devApiKey =
    config.apiKeys.length === 0 && config.auth.devIdentities
      ? `dev-${randomBytes(18).toString('base64url')}`
      : undefined;
  const server = createServer({
    apiKeys: devApiKey ? [devApiKey] : config.apiKeys,
    allowedOrigins: config.allowedOrigins,
    trustProxy: config.trustProxy,
    auth: config.auth,
    limits: config.limits,
    graceMs: config.graceMs,
    heartbeatMs: config.heartbeatMs,
    shutdownReconnectMs: config.shutdownReconnectMs,
    staticDirs: config.staticDirs,
    logger: log,
    storage,
    notifications: {
      retentionDays: config.notificationRetentionDays,
      notifyWatchersOnChange: config.notifyWatchersOnChange,
    },
    activity: { maxAgeDays: config.activityRetentionDays, maxRows: config.activityMaxRows },
    entities: { historyRetentionDays: config.entityHistoryRetentionDays },
    metricsKey: config.metricsKey,
    iceServers: config.iceServers,
    turn: config.turn,
    entityBackend: config.entityBackend,
    webhooks: config.webhooks,
    changeFeed: { retentionDays: config.changeFeedRetentionDays },
    redisUrl: config.redisUrl,
    authorizeCallback: config.authorizeCallback,
    compression: config.compression,
    debugFrames: config.debugFrames,
    http: config.http,
  });

  // Which of the CRM backend's integrations this process talks to, so an operator reading the
  // start of the log sees a missing (or unintended) one before users hit it.
  log.info('integrations', {
    writeThrough: config.entityBackend ? shownUrl(config.entityBackend.url) : 'off',
    authorizeCallback: config.authorizeCallback ? shownUrl(config.authorizeCallback.url) : 'off',
    webhooks: config.webhooks ? shownUrl(config.webhooks.url) : 'off',
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('shutdown failed', { err: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const address = await server.listen(config.port, config.host);
  const shownHost =
    !config.host || config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const site = `http://${shownHost}:${address.port}/`;
  // Only the default folders are the demo: with --no-static, or folders of the operator's own,
  // a "demo" address would send whoever opens it to a 404 or to pages that are no demo.
  const served =
    config.staticDirs.length === 0
      ? `  crm-realtime:      ${site} (no static files)\n`
      : config.staticDirsGiven
        ? `  crm-realtime:      ${site} (pages from ${config.staticDirs.join(', ')})\n`
        : `  crm-realtime demo: ${site}\n`;
  // For a person at a terminal; on stderr, so stdout stays one JSON object per line, as log
  // shippers parsing it expect (README: the logs are JSON lines on stdout).
  process.stderr.write(
    `\n${served}` +
      `  WebSocket:         ws://${shownHost}:${address.port}/\n` +
      `  data:              ${config.databaseUrl ? databaseLabel(config.databaseUrl) : databasePath(config)}\n` +
      (devApiKey
        ? `  HTTP API key:      ${devApiKey} (this run only; set CRM_API_KEYS to fix keys)\n`
        : config.apiKeys.length === 0
          ? `  HTTP API:          off (no CRM_API_KEYS)\n`
          : '') +
      '\n',
  );
}

main().catch((err: unknown) => {
  // A setting found wrong only by trying it (Redis refusing the URL's password) is a
  // configuration error like the others: exit 2, not a process retrying forever.
  if (err instanceof RedisAuthError) {
    process.stderr.write(`crm-realtime: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`crm-realtime: failed to start: ${String(err)}\n`);
  process.exit(1);
});

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
