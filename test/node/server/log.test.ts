import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger, shownUrl, type LoggerOptions } from '../../../src/server/log.js';

/** A logger writing to an array, with window ends run when the test says. */
function capture(options: LoggerOptions = {}) {
  const lines: Record<string, unknown>[] = [];
  const timers: (() => void)[] = [];
  const log = createLogger({
    level: 'debug',
    write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    later: (fn) => void timers.push(fn),
    ...options,
  });
  const endWindows = (): void => {
    for (const fn of timers.splice(0)) fn();
  };
  return { log, lines, endWindows };
}

describe('log', () => {
  test('an error repeated on every request is written a few times, then counted once per window', () => {
    const { log, lines, endWindows } = capture({ repeats: { burst: 3, windowMs: 10_000 } });
    for (let i = 0; i < 200; i++) log.error('api handler failed', { path: `/api/x/${i}` });
    assert.deepEqual(
      lines.map((l) => l['path']),
      ['/api/x/0', '/api/x/1', '/api/x/2'],
    );

    endWindows();
    assert.equal(lines.length, 4);
    assert.deepEqual(
      { level: lines[3]!['level'], msg: lines[3]!['msg'], repeated: lines[3]!['repeated'] },
      { level: 'error', msg: 'api handler failed', repeated: 197 },
    );
    assert.equal(lines[3]!['windowMs'], 10_000);

    // A new window starts with the next line.
    log.error('api handler failed', { path: '/api/x/200' });
    assert.equal(lines.at(-1)!['path'], '/api/x/200');
  });

  test('each message and level has its own window; a window with nothing left out ends silently', () => {
    const { log, lines, endWindows } = capture({ repeats: { burst: 1, windowMs: 1000 } });
    log.warn('redis unavailable');
    log.warn('redis unavailable');
    log.error('redis unavailable');
    log.warn('database unavailable');
    assert.deepEqual(
      lines.map((l) => `${String(l['level'])} ${String(l['msg'])}`),
      ['warn redis unavailable', 'error redis unavailable', 'warn database unavailable'],
    );
    endWindows();
    assert.deepEqual(
      lines.slice(3).map((l) => [l['msg'], l['repeated']]),
      [['redis unavailable', 1]],
    );
  });

  test('info and debug lines are never held back; `repeats: false` writes every line', () => {
    const { log, lines } = capture({ repeats: { burst: 1, windowMs: 1000 } });
    for (let i = 0; i < 10; i++) log.info('client connected');
    for (let i = 0; i < 10; i++) log.debug('frame');
    assert.equal(lines.length, 20);

    const all = capture({ repeats: false });
    for (let i = 0; i < 50; i++) all.log.error('api handler failed');
    assert.equal(all.lines.length, 50);
  });

  test('by default a burst of 5 per 10 s', () => {
    const { log, lines, endWindows } = capture();
    for (let i = 0; i < 20; i++) log.error('frame handler failed');
    assert.equal(lines.length, 5);
    endWindows();
    assert.equal(lines.at(-1)!['repeated'], 15);
    assert.equal(lines.at(-1)!['windowMs'], 10_000);
  });
});

describe('shownUrl', () => {
  test('keeps the scheme, host and path; never the user, password or query, nor an unparsable URL', () => {
    assert.equal(
      shownUrl('https://crm:hunter2@crm.example.com:8443/api/authorize?key=s3cret#x'),
      'https://crm.example.com:8443/api/authorize',
    );
    assert.equal(shownUrl('redis://:hunter2@10.0.0.5:6379/0'), 'redis://10.0.0.5:6379/0');
    assert.equal(shownUrl('not a url :hunter2@'), '(a URL that does not parse)');
  });
});
