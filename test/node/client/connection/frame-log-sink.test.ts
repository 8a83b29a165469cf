/**
 * The `debug` frame log loads its code on first use: what the socket reports before it is here is
 * written once it is, in order and with the times it happened, so the log reads as if it had
 * been there from the start.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frameLogFor } from '../../../../src/client/connection/frame-log-sink.js';
import { ManualClock } from '../../../../src/testing/index.js';

function recorder() {
  const lines: string[] = [];
  let wrote: () => void = () => {};
  const logger = {
    debug: (line: string) => {
      lines.push(line);
      wrote();
    },
  };
  /** Resolves once `count` lines were written. */
  const until = (count: number) =>
    new Promise<void>((resolve) => {
      wrote = () => lines.length >= count && resolve();
      wrote();
    });
  return { lines, logger, until };
}

describe('frameLogFor', () => {
  it('is nothing without debug', () => {
    assert.equal(frameLogFor(false, new ManualClock(), undefined), undefined);
    assert.equal(frameLogFor(undefined, new ManualClock(), undefined), undefined);
  });

  it('writes what came before its code, in order and timed as it happened', async () => {
    const clock = new ManualClock(1000);
    const { lines, logger, until } = recorder();
    const log = frameLogFor(true, clock, logger)!;
    const hello = JSON.stringify({ type: 'hello', id: 'h1', token: 'secret' });
    const welcome = JSON.stringify({ type: 'welcome', replyTo: 'h1' });
    const join = JSON.stringify({ type: 'join', id: 'j1', room: 'customer:42' });
    const bytes = (text: string) => Buffer.byteLength(text);
    clock.advanceSync(10);
    log.opened();
    log.out(hello);
    clock.advanceSync(25);
    log.in(welcome);
    // Nothing is written in the calls' own task: the code is still on its way.
    assert.deepEqual(lines, []);
    await until(2);
    clock.advanceSync(65);
    log.out(join);
    assert.deepEqual(lines, [
      `crm-realtime: frame out hello (${bytes(hello)} B, +0 ms)`,
      `crm-realtime: frame in welcome (${bytes(welcome)} B, +25 ms, round trip 25 ms)`,
      `crm-realtime: frame out join (${bytes(join)} B, +90 ms)`,
    ]);
  });
});
