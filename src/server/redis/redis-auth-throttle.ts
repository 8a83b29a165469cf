/**
 * Failed handshakes per client address in Redis, for every process of a deployment (see
 * auth-throttle.ts): one bucket per address that has failed, as a hash `{ tokens, last }` that
 * expires once it would be full again, so only addresses that failed recently take memory.
 *
 * A failure is counted in one atomic step (two processes failing the same address at once both
 * count); the check before an upgrade reads the bucket. When Redis cannot be reached the check
 * answers "don't know" and the process's own count decides, so an outage never refuses clients.
 */
import { refilled, type AuthThrottleOptions, type SharedFailures } from '../auth-throttle.js';
import { errorFields, type Logger } from '../log.js';
import type { RedisLink } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * KEYS: the address's bucket. ARGV: now, burst, per minute. Takes one token (refilled first);
 * the bucket expires when it would be full again (plus a second).
 */
const FAILED_LUA = `
local now = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local perMinute = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local tokens = tonumber(state[1]) or burst
local last = tonumber(state[2]) or now
if now > last then
  tokens = math.min(burst, tokens + (now - last) * perMinute / 60000)
  last = now
end
tokens = math.max(0, tokens - 1)
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'last', string.format('%d', last))
redis.call('PEXPIRE', KEYS[1], string.format('%d', math.ceil((burst - tokens) * 60000 / perMinute) + 1000))
return 1
`;

type FailedRunner = (key: string, now: number, burst: number, perMinute: number) => Promise<number>;

export class RedisFailures implements SharedFailures {
  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    private readonly options: Pick<AuthThrottleOptions, 'burst' | 'perMinute'>,
    private readonly log: Logger,
  ) {
    link.redis.defineCommand('crmAuthFailed', { numberOfKeys: 1, lua: FAILED_LUA });
  }

  async allows(address: string, now: number): Promise<boolean | undefined> {
    if (!this.link.available) return undefined;
    try {
      const [tokens, last] = await this.link.redis.hmget(
        this.keys.authFailures(address),
        'tokens',
        'last',
      );
      if (tokens === null || last === null) return true;
      return refilled(Number(tokens), Number(last), now, this.options) >= 1;
    } catch {
      return undefined;
    }
  }

  failed(address: string, now: number): void {
    if (!this.link.available) return;
    const run = (this.link.redis as unknown as { crmAuthFailed: FailedRunner }).crmAuthFailed;
    run
      .call(
        this.link.redis,
        this.keys.authFailures(address),
        now,
        this.options.burst,
        this.options.perMinute,
      )
      .catch((err: unknown) => {
        this.log.warn('could not count a failed handshake in redis', errorFields(err));
      });
  }
}
