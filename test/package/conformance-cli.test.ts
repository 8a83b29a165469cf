/**
 * `crm-realtime-conformance` as a backend team runs it: the packed tarball installed into a fresh
 * directory (the package's dependencies only: no `ws`, so Node's own WebSocket, which Node 20
 * has behind a flag), the command run through `node_modules/.bin`, against the reference server
 * on a free port (every check that needs no control of the server passes; the others are skipped
 * with what they need) and against servers that answer hello wrongly (exit code 1, and the line
 * says what was wrong).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { WebSocketServer } from 'ws';
import { CHECKS } from '../../src/conformance/checks.js';
import { createServer, type RealtimeServer } from '../../src/server/server.js';
import { installIntoApp, tempDir } from './helpers/packed.js';

const SECRET = 'conformance-cli-secret-of-32-bytes!';

let app: string;
let server: RealtimeServer;
let url: string;
let tokens: string;
let expired: string;
let broken: WebSocketServer;
let brokenUrl: string;
let tokenServer: Server;
let tokenUrl: string;

function sign(sub: string, name: string, iat = Math.floor(Date.now() / 1000)): Promise<string> {
  return new SignJWT({ sub, name })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(new TextEncoder().encode(SECRET));
}

/**
 * A server that answers every hello with a `welcome`, wrongly: on `/no-limits` without the
 * `limits` the schema requires, on `/same-user` as one user whatever the token says.
 */
function brokenServer(): Promise<WebSocketServer> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (ws, request) => {
    ws.on('message', (data) => {
      let frame: { type?: string; id?: string };
      try {
        frame = JSON.parse(String(data)) as typeof frame;
      } catch {
        return;
      }
      if (frame.type !== 'hello') return;
      const welcome: Record<string, unknown> = {
        type: 'welcome',
        replyTo: frame.id,
        v: 1,
        connectionId: 'c1',
        user: { id: 'someone', name: 'Someone' },
        heartbeatMs: 30_000,
      };
      if (request.url !== '/no-limits') {
        welcome.limits = {
          maxFrameBytes: 65536,
          maxRoomsPerConnection: 50,
          maxMessagesPerSecond: 50,
          maxPresenceBytes: 1024,
        };
      }
      ws.send(JSON.stringify(welcome));
    });
  });
  return new Promise((resolve) => wss.on('listening', () => resolve(wss)));
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the installed command as a shell would find it. */
function conformance(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const bin = join(app, 'node_modules', '.bin', 'crm-realtime-conformance');
  // The shebang's `node` is this Node.
  const PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
  return new Promise((resolve) => {
    execFile(
      bin,
      args,
      { cwd: app, env: { ...process.env, ...env, PATH } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

before(async () => {
  app = await installIntoApp();
  server = createServer({ auth: { jwtSecret: SECRET }, quiet: true });
  const { port } = await server.listen(0, '127.0.0.1');
  url = `ws://127.0.0.1:${port}/realtime`;
  tokens = tempDir('crm-tokens-');
  for (const [i, [sub, name]] of [
    ['ada', 'Ada Lovelace'],
    ['bob', 'Bob'],
    ['carol', 'Carol Diaz'],
  ].entries()) {
    writeFileSync(join(tokens, `token-${i + 1}.txt`), await sign(sub!, name!));
  }
  expired = await sign('ada', 'Ada Lovelace', Math.floor(Date.now() / 1000) - 7200);
  broken = await brokenServer();
  brokenUrl = `ws://127.0.0.1:${(broken.address() as { port: number }).port}`;
  // A token endpoint as a backend has one: `/token?user=N` answers JSON.
  tokenServer = createHttpServer((request, response) => {
    const user = new URL(request.url!, 'http://x').searchParams.get('user');
    const token = readFileSync(join(tokens, `token-${user}.txt`), 'utf8');
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ token }));
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(tokenServer.address() as { port: number }).port}/token?user={user}`;
});

after(async () => {
  await server?.close();
  broken?.close();
  tokenServer?.close();
});

describe('crm-realtime-conformance, installed from the tarball', () => {
  it('passes on the reference server, skipping with the reason what needs control of the server', async () => {
    const ran = await conformance([
      '--url',
      url,
      '--token-cmd',
      `cat ${join(tokens, 'token-{user}.txt')}`,
      '--expired-token',
      expired,
      '--json',
    ]);
    assert.equal(ran.stderr, '');
    const report = JSON.parse(ran.stdout) as {
      url: string;
      passed: number;
      failed: number;
      skipped: number;
      results: { name: string; status: string; reason?: string }[];
    };
    const failures = report.results.filter((r) => r.status === 'fail');
    assert.deepEqual(failures, [], 'checks that failed on the reference server');
    assert.equal(ran.code, 0);
    assert.deepEqual(
      report.results.map((r) => r.name),
      CHECKS.map((c) => c.name),
      'the command runs the checks of the repository, in order',
    );
    const skipped = report.results.filter((r) => r.status === 'skip');
    assert.deepEqual(
      skipped.map((r) => r.name.split(':')[0]),
      ['handshake', 'limits', 'rooms', 'live data', 'graceful shutdown'],
    );
    for (const r of skipped) assert.match(r.reason!, /^needs /, r.name);
    assert.equal(report.passed, CHECKS.length - skipped.length);
  });

  it('takes the URL and a token URL from the environment', async () => {
    const ran = await conformance(['--only', 'handshake: the credentials'], {
      CRM_CONFORMANCE_URL: url,
      CRM_CONFORMANCE_TOKEN_URL: tokenUrl,
    });
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.match(ran.stdout, /^pass {2}handshake: the credentials of users 1 and 2 are welcomed/);
  });

  it('fails on a server whose welcome lacks the limits: one line per check, with the reason', async () => {
    const ran = await conformance([
      '--url',
      `${brokenUrl}/no-limits`,
      '--token',
      'token-of-user-1',
      '--token',
      'token-of-user-2',
      '--timeout',
      '500',
      '--only',
      'handshake: the credentials',
      '--only',
      'worked example: every',
    ]);
    assert.equal(ran.code, 1, ran.stdout + ran.stderr);
    const lines = ran.stdout.trim().split('\n');
    assert.match(
      lines[0]!,
      /^FAIL {2}handshake: the credentials of users 1 and 2 are welcomed, as two different users: no welcome for user 1 within 500 ms; .*frames failing the schema: \{"type":"welcome".*at limits/,
    );
    assert.match(lines[1]!, /^FAIL {2}worked example: .*: no welcome for user 2/);
    assert.equal(lines.at(-1), `0 passed, 2 failed, 0 skipped: ${brokenUrl}/no-limits`);
  });

  it('fails on a server that welcomes every token as the same user', async () => {
    const ran = await conformance([
      '--url',
      `${brokenUrl}/same-user`,
      '--token',
      'token-of-user-1',
      '--token',
      'token-of-user-2',
      '--only',
      'handshake: the credentials',
    ]);
    assert.equal(ran.code, 1);
    assert.match(
      ran.stdout,
      /^FAIL {2}handshake: .*: users 1 and 2 were both welcomed as "someone"$/m,
    );
  });

  it('says what is missing, with exit code 2, when no credentials are given', async () => {
    const ran = await conformance(['--url', url]);
    assert.equal(ran.code, 2);
    assert.match(ran.stdout, /^credentials are required: --token-cmd, --token-url/);
  });
});
