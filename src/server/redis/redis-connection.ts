/**
 * The Redis connections of one process and what "Redis is down" means for them.
 *
 * Commands are never queued while Redis is away: a join, an emit or a presence write fails at once
 * with `RedisUnavailableError` (the client gets an error frame, the HTTP API a 503) instead of
 * hanging until Redis returns. ioredis reconnects by itself with a capped backoff; the first
 * connection of a new process waits up to `connectTimeoutMs` for it.
 *
 * Redis refusing the credentials before the first connection was ever made (`WRONGPASS`, `NOAUTH`)
 * is not an outage but a mistake in the URL: `ready()` fails at once with `RedisAuthError`, which
 * stops the start (`main.ts` exits 2, as for any other configuration error) instead of a process
 * that listens, answers /healthz 503 and retries forever.
 */
import { Redis } from 'ioredis';
import { shownUrl, type Logger } from '../log.js';

/** Redis cannot be reached; the work was not done and may be retried. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
  constructor(message = 'Redis is unavailable') {
    super(message);
  }
}

/** Redis refused the URL's credentials at start: a configuration error, retrying cannot help. */
export class RedisAuthError extends Error {
  override name = 'RedisAuthError';
}

/** Redis's answer to a wrong password, or to none when one is required. */
function isAuthError(err: Error): boolean {
  return /^(WRONGPASS|NOAUTH)\b/.test(err.message);
}

export interface RedisLinkOptions {
  url: string;
  log: Logger;
  /** Name in log lines (`commands`, `subscriber`). */
  role: string;
  /** How long a command may wait for the first connection. Default 5000. */
  connectTimeoutMs?: number;
}

/**
 * One ioredis connection with reconnection, an `available` flag, and one log line per outage
 * (not one per failed command).
 */
export class RedisLink {
  readonly redis: Redis;
  private everReady = false;
  private down = false;
  private closing = false;
  private readonly listeners = new Set<() => void>();
  /** Set when Redis refused the credentials before the first connection was made. */
  private authFailure: RedisAuthError | undefined;
  private readonly authWaiters = new Set<(err: RedisAuthError) => void>();

  constructor(private readonly options: RedisLinkOptions) {
    this.redis = new Redis(options.url, {
      // Fail fast while disconnected; in-flight commands of a dropped connection are rejected.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Reconnect forever, at most every 2 s, so a restarted Redis is picked up within seconds.
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
      connectTimeout: options.connectTimeoutMs ?? 5000,
      lazyConnect: false,
      // After an outage the bus subscribes again to the rooms it still has (`onRecovered`).
      // ioredis's own resubscription would also bring back every room whose last member left
      // while Redis was away (no UNSUBSCRIBE could be sent then), for as long as the process runs.
      autoResubscribe: false,
    });
    this.redis.on('ready', () => {
      const recovered = this.down;
      this.everReady = true;
      this.down = false;
      if (recovered) {
        options.log.info('redis available again', { role: options.role });
        for (const listener of this.listeners) listener();
      }
    });
    this.redis.on('error', (err: Error) => {
      if (this.closing) return;
      if (!this.everReady && isAuthError(err)) {
        if (!this.authFailure) {
          this.authFailure = new RedisAuthError(
            `Redis refused the credentials of ${shownUrl(options.url)} ` +
              `(${err.message.split(/[.,]/)[0]}): check the user name and password in the Redis URL`,
          );
          options.log.error('redis refused the credentials', {
            role: options.role,
            err: err.message,
          });
        }
        for (const reject of this.authWaiters) reject(this.authFailure);
        this.authWaiters.clear();
        this.down = true;
        return;
      }
      // ioredis reports every failed reconnect attempt; one line per outage is enough. Which Redis
      // (without its password), since a start that cannot reach it sits at 503 until it can.
      if (!this.down) {
        options.log.error('redis error', {
          role: options.role,
          redis: shownUrl(options.url),
          err: err.message,
          ...tlsHint(options.url, err, this.everReady),
        });
      }
      this.down = true;
    });
    this.redis.on('close', () => {
      if (this.closing) return;
      if (this.everReady && !this.down) {
        options.log.error('redis connection lost', { role: options.role });
      }
      if (this.everReady) this.down = true;
    });
  }

  /**
   * Connected and ready for commands, and, after an outage, the recovery listeners have run: ioredis
   * sets its status to `ready` a tick before it emits `ready`, and until then the bus's rooms are
   * not yet being subscribed again nor presence reloaded.
   */
  get available(): boolean {
    return this.redis.status === 'ready' && !this.down;
  }

  /** Calls `listener` each time the connection comes back after an outage. */
  onRecovered(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves when commands can be sent: at once when connected; for a process still making its
   * first connection, when it is made (bounded by the connect timeout); otherwise rejects with
   * `RedisUnavailableError`, unless `waitMs` says how long to wait for a reconnection.
   */
  ready(waitMs?: number): Promise<void> {
    if (this.available) return Promise.resolve();
    if (this.authFailure && !this.everReady) return Promise.reject(this.authFailure);
    if ((this.everReady && waitMs === undefined) || this.redis.status === 'end') {
      return Promise.reject(new RedisUnavailableError());
    }
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.redis.off('ready', onReady);
          this.authWaiters.delete(onAuthFailure);
          reject(new RedisUnavailableError());
        },
        waitMs ?? this.options.connectTimeoutMs ?? 5000,
      );
      timer.unref();
      const onReady = (): void => {
        clearTimeout(timer);
        this.authWaiters.delete(onAuthFailure);
        resolve();
      };
      const onAuthFailure = (err: RedisAuthError): void => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        reject(err);
      };
      this.redis.once('ready', onReady);
      if (!this.everReady) this.authWaiters.add(onAuthFailure);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.listeners.clear();
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}

/**
 * A `rediss://` URL to a Redis that does not speak TLS there never finishes the handshake, and
 * ioredis says only `connect ETIMEDOUT`, which sends an operator looking at the network instead.
 */
function tlsHint(url: string, err: Error, everReady: boolean): { hint?: string } {
  if (everReady || !url.startsWith('rediss:') || !/ETIMEDOUT/.test(err.message)) return {};
  return {
    hint: 'the URL asks for TLS (rediss://): a Redis without TLS on that port never answers the handshake; use redis:// for it',
  };
}

/** Maps a failed Redis command to `RedisUnavailableError` when the cause is the connection. */
export function asUnavailable(err: unknown): Error {
  if (err instanceof RedisUnavailableError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (
    /Connection is closed|Stream isn't writeable|enableOfflineQueue|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|MaxRetriesPerRequest/i.test(
      message,
    )
  ) {
    return new RedisUnavailableError(`Redis is unavailable (${message})`);
  }
  return err instanceof Error ? err : new Error(message);
}
