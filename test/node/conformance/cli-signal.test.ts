/**
 * `crm-realtime-conformance` stopped mid-run by a signal sent to its process alone (a cancelled
 * CI job, `timeout`, `kill`): the run ends with it, and the command exits with 128 + the signal's
 * number. On Node 20 the command runs itself again with the WebSocket flag: that run must not go
 * on after the command ended (it held the output open and kept checking, for minutes).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

const BIN = fileURLToPath(new URL('../../../src/conformance/bin.ts', import.meta.url));

let server: WebSocketServer;
let url: string;
before(async () => {
  // Accepts the socket and never answers: each check waits out --timeout.
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/realtime`;
});
after(() => {
  for (const ws of server.clients) ws.terminate();
  server.close();
});

describe('crm-realtime-conformance stopped by a signal', () => {
  it('ends the whole run and exits 128 + the signal', { timeout: 40_000 }, async () => {
    const command = spawn(
      process.execPath,
      ['--import', 'tsx', BIN, '--url', url, '--dev-users', '--timeout', '5000'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    command.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    // The run is under way: its first check has failed (no welcome from this server).
    while (!out.includes('FAIL')) await once(command.stdout, 'data');
    const exited = once(command, 'exit');
    // The output closes with the last process writing to it: once closed, nothing runs on.
    const closed = once(command, 'close');
    command.kill('SIGTERM');
    const [code, signal] = (await exited) as [number | null, string | null];
    assert.equal(code, 143, `exit ${code} ${signal}`);
    await closed;
  });
});
