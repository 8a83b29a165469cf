/**
 * `crm-realtime-conformance`: the protocol conformance checks (./checks.ts) against any server at
 * a URL, so a backend team that implements the protocol in another language can check its server
 * the way the repository checks the reference server. One line per check (pass, fail with the
 * reason, or skip with what it needs), or `--json`; exit code 0 when nothing failed, 1 when a
 * check failed, 2 for a usage error. See docs/conformance.md.
 */
import { exec, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import type { UserProfile } from '../protocol/index.js';
import { CHECKS, runCheck, type CheckResult } from './checks.js';
import type { ConformanceSocket } from './peer.js';
import type { Credentials, Need, Target } from './target.js';

const USAGE = `Usage: crm-realtime-conformance --url ws://host:port/path [credentials] [options]

Checks a server against the crm-realtime wire protocol (docs/protocol.md).

Credentials for two users (three where given), one of:
  --token-cmd CMD     a shell command that prints a token; {user} in it, and the
                      CRM_CONFORMANCE_USER variable, are 1, 2 or 3   (CRM_CONFORMANCE_TOKEN_CMD)
  --token-url URL     a GET that answers a token as text or as JSON {"token": "…"};
                      {user} in it is 1, 2 or 3                     (CRM_CONFORMANCE_TOKEN_URL)
  --token TOKEN       repeated, one per user, in order  (CRM_CONFORMANCE_TOKENS, comma-separated)
  --dev-users         development identities (hello.devUser) instead of tokens

Options:
  --url URL           the server's WebSocket URL                         (CRM_CONFORMANCE_URL)
  --expired-token T   an expired token of the server's signing, to check it is refused
                                                                (CRM_CONFORMANCE_EXPIRED_TOKEN)
  --room NAME         the room the checks use (default: conformance:<random>); other rooms are
                      NAME/<suffix>; every user must be allowed to join them (CRM_CONFORMANCE_ROOM)
  --only TEXT         run only the checks whose name contains TEXT (repeatable)
  --timeout MS        how long to wait for one frame (default 5000)
  --json              print the results as JSON instead of lines
  --help`;

/** Development identities: the worked example's Ada and Bob, and a third. */
const DEV_USERS: UserProfile[] = [
  { id: 'ada', name: 'Ada Lovelace' },
  { id: 'bob', name: 'Bob' },
  { id: 'carol', name: 'Carol Diaz' },
];

class UsageError extends Error {}

type TokenSource = (user: number) => Promise<string>;

function tokenSource(
  values: { token?: string[]; 'token-cmd'?: string; 'token-url'?: string },
  env: NodeJS.ProcessEnv,
): TokenSource | undefined {
  const cmd = values['token-cmd'] ?? env.CRM_CONFORMANCE_TOKEN_CMD;
  if (cmd) {
    return async (user) => {
      const n = String(user + 1);
      const { stdout } = await promisify(exec)(cmd.replaceAll('{user}', n), {
        env: { ...env, CRM_CONFORMANCE_USER: n },
      }).catch((error: Error) => {
        throw new Error(`the token command for user ${n} failed: ${error.message.trim()}`);
      });
      const token = stdout.trim();
      if (!token) throw new Error(`the token command for user ${n} printed nothing`);
      return token;
    };
  }
  const url = values['token-url'] ?? env.CRM_CONFORMANCE_TOKEN_URL;
  if (url) {
    return async (user) => {
      const n = String(user + 1);
      const response = await fetch(url.replaceAll('{user}', n), { cache: 'no-store' });
      if (!response.ok) throw new Error(`the token URL answered ${response.status} for user ${n}`);
      const json = /json/.test(response.headers.get('content-type') ?? '');
      const token = json
        ? ((await response.json()) as { token?: unknown }).token
        : (await response.text()).trim();
      if (typeof token !== 'string' || !token) {
        throw new Error(`the token URL answered no token for user ${n}`);
      }
      return token;
    };
  }
  const list = values.token?.length
    ? values.token
    : (env.CRM_CONFORMANCE_TOKENS ?? '').split(/[\s,]+/).filter(Boolean);
  if (list.length > 0) {
    if (list.length < 2) throw new UsageError('give tokens of two users (--token twice)');
    return async (user) => {
      const token = list[user];
      if (!token) throw new Error(`no token for user ${user + 1}: give it with --token`);
      return token;
    };
  }
  return undefined;
}

/** docs/protocol.md: shipped in the package next to dist/, or the repository's. */
function protocolDoc(): string {
  for (const path of ['../../../docs/protocol.md', '../../docs/protocol.md']) {
    const file = fileURLToPath(new URL(path, import.meta.url));
    if (existsSync(file)) return readFileSync(file, 'utf8');
  }
  throw new Error('docs/protocol.md is not next to the package: reinstall crm-realtime');
}

export interface Run {
  results: CheckResult[];
  passed: number;
  failed: number;
  skipped: number;
}

/** Parses the command line and runs the checks; writes the report with `write`. */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv,
  write: (text: string) => void,
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        token: { type: 'string', multiple: true },
        'token-cmd': { type: 'string' },
        'token-url': { type: 'string' },
        'dev-users': { type: 'boolean' },
        'expired-token': { type: 'string' },
        room: { type: 'string' },
        only: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    write(`${USAGE}\n`);
    return 0;
  }
  const url = values.url ?? env.CRM_CONFORMANCE_URL;
  let tokens: TokenSource | undefined;
  try {
    if (!url) throw new UsageError('--url (or CRM_CONFORMANCE_URL) is required');
    if (!/^wss?:\/\//.test(url)) throw new UsageError(`--url must be ws:// or wss://: ${url}`);
    if (values.timeout !== undefined && !(Number(values.timeout) > 0)) {
      throw new UsageError(`--timeout must be a number of milliseconds: ${values.timeout}`);
    }
    tokens = tokenSource(values, env);
    if (!tokens && !values['dev-users']) {
      throw new UsageError(
        'credentials are required: --token-cmd, --token-url, --token (twice) or --dev-users',
      );
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  const waitMs = Number(values.timeout ?? 5000);
  const base =
    values.room ??
    env.CRM_CONFORMANCE_ROOM ??
    `conformance:${Math.random().toString(36).slice(2, 10)}`;
  const cached = new Map<number, Promise<Credentials>>();
  const expired = values['expired-token'] ?? env.CRM_CONFORMANCE_EXPIRED_TOKEN;
  const provided = new Set<Need>([...(tokens ? (['tokens'] as const) : [])]);
  if (expired) provided.add('expired-token');
  const target: Target = {
    doc: protocolDoc(),
    url: url!,
    waitMs,
    strict: false,
    openSocket: (to) => new WebSocket(to) as unknown as ConformanceSocket,
    credentials: (user) => {
      let credentials = cached.get(user);
      if (!credentials) {
        credentials = tokens
          ? tokens(user).then((token) => ({ token }))
          : Promise.resolve({ devUser: DEV_USERS[user]! });
        cached.set(user, credentials);
        // A failed command may succeed on the next check's try.
        credentials.catch(() => cached.delete(user));
      }
      return credentials;
    },
    room: (name) => (name === 'customer:42' ? base : `${base}/${name}`),
    elapse: (ms, realMs) => new Promise((resolve) => setTimeout(resolve, realMs ?? ms)),
    settle: async () => {},
    has: (need) => provided.has(need),
    ...(expired ? { expiredToken: async () => expired } : {}),
  };

  const only = values.only ?? [];
  const checks = CHECKS.filter((c) => only.length === 0 || only.some((o) => c.name.includes(o)));
  const results: CheckResult[] = [];
  for (const check of checks) {
    const result = await runCheck(check, target);
    results.push(result);
    if (!values.json) write(`${line(result)}\n`);
  }
  const count = (status: CheckResult['status']) =>
    results.filter((r) => r.status === status).length;
  const run: Run = {
    results,
    passed: count('pass'),
    failed: count('fail'),
    skipped: count('skip'),
  };
  if (values.json) {
    write(`${JSON.stringify({ url, ...run }, null, 2)}\n`);
  } else {
    write(`\n${run.passed} passed, ${run.failed} failed, ${run.skipped} skipped: ${url}\n`);
  }
  return run.failed > 0 ? 1 : 0;
}

/** One check's result on one line. */
function line(result: CheckResult): string {
  const reason = (result.reason ?? '').replace(/\s+/g, ' ');
  if (result.status === 'pass') return `pass  ${result.name} (${result.ms} ms)`;
  if (result.status === 'skip') return `skip  ${result.name}: skipped: ${reason}`;
  return `FAIL  ${result.name}: ${reason}`;
}

/**
 * Runs the command line of the process. Node 22 has a global WebSocket; Node 20 has it behind
 * `--experimental-websocket`: the command runs `script` (the bin module) again with the flag
 * rather than depend on a WebSocket package.
 */
export function start(script: string): void {
  if (typeof globalThis.WebSocket !== 'function') {
    if (process.env.CRM_CONFORMANCE_WEBSOCKET_FLAG) {
      process.stderr.write(
        'crm-realtime-conformance needs Node 22, or Node 20 with --experimental-websocket\n',
      );
      process.exitCode = 2;
      return;
    }
    const args = [
      '--experimental-websocket',
      ...process.execArgv,
      fileURLToPath(script),
      ...process.argv.slice(2),
    ];
    const child = spawn(process.execPath, args, {
      stdio: 'inherit',
      env: { ...process.env, CRM_CONFORMANCE_WEBSOCKET_FLAG: '1' },
    });
    // A signal to this process alone (a CI job cancelled, `timeout`, `kill`) ends the run: passed
    // on, or the run would go on without it, writing to the terminal. This process waits for it.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    for (const signal of signals) process.on(signal, forward);
    child.on('error', (error) => {
      process.stderr.write(`crm-realtime-conformance could not start Node: ${error.message}\n`);
      process.exitCode = 2;
    });
    child.on('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      // Ended by a signal: the shell's 128 + its number (130 for Ctrl-C).
      process.exitCode = code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1);
    });
    return;
  }
  main(process.argv.slice(2), process.env, (text) => process.stdout.write(text)).then(
    // Sockets a check left to the server to close must not keep the process: exit once the
    // report is written.
    (code) => process.stdout.write('', () => process.exit(code)),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
