/**
 * What a process that cannot use its Redis at start says: which Redis (without the password), and,
 * for a `rediss://` URL to a Redis without TLS, that TLS is the likely cause, since ioredis reports
 * only `connect ETIMEDOUT` and the process sits at 503 until an operator finds it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LogFields } from '../../../../src/server/log.js';
import { createServer } from '../../../../src/server/server.js';
import { startRedis, type RedisInstance } from '../../../services/redis.js';
import { until, WAIT_MS } from '../../helpers/server-client.js';

describe('Redis at start', () => {
  let redis: RedisInstance;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.dispose());

  it('a rediss:// URL to a Redis without TLS names the Redis and says TLS is the likely cause', async () => {
    const lines: { level: string; msg: string; fields?: LogFields | undefined }[] = [];
    const logTo =
      (level: string) =>
      (msg: string, fields?: LogFields): void =>
        void lines.push({ level, msg, fields });
    const url = new URL(redis.url);
    url.protocol = 'rediss:';
    url.password = 'not-in-the-logs';
    const server = createServer({
      auth: { devIdentities: true },
      heartbeatMs: 3_600_000,
      shutdownTimeoutMs: 500,
      redisUrl: url.href,
      logger: { debug: () => {}, info: logTo('info'), warn: logTo('warn'), error: logTo('error') },
    });
    try {
      // Listens once the connect timeout (5 s) has passed: it starts anyway, unhealthy.
      const { port } = await server.listen(0, '127.0.0.1');
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 503);
      const shown = `rediss://127.0.0.1:${redis.port}`;
      // The start's 5 s wait and ioredis's own 5 s connect timeout, which logs the error, race.
      await until(
        () => lines.some((l) => l.msg === 'redis error'),
        WAIT_MS,
        `a redis error logged: ${JSON.stringify(lines)}`,
        20,
      );
      const errors = lines.filter((l) => l.msg === 'redis error');
      for (const line of errors) {
        assert.equal(line.fields?.['redis'], shown);
        assert.match(String(line.fields?.['hint']), /TLS \(rediss:\/\/\)/);
      }
      const unreachable = lines.find((l) => l.msg.startsWith('redis unreachable at start'));
      assert.equal(unreachable?.fields?.['redis'], shown);
      assert.doesNotMatch(JSON.stringify(lines), /not-in-the-logs/);
    } finally {
      await server.close();
    }
  });
});
