import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PreparedFrame } from '../../../src/server/wire.js';
import { WriteBatch } from '../../../src/server/write-batch.js';
import { fakeSocketConnection } from '../helpers/fake-server-socket.js';

/** A connection over a fake socket that logs cork, uncork and writes. */
const fakeConnection = (batch: WriteBatch | undefined) => fakeSocketConnection({ batch });

const frame = (text: string): PreparedFrame => PreparedFrame.fromJson(text);

describe('write batching', () => {
  test('one frame per turn is written at once, never corked', () => {
    const turns: (() => void)[] = [];
    const batch = new WriteBatch((fn) => turns.push(fn));
    const { connection, log } = fakeConnection(batch);
    connection.writePrepared(frame('"a"'));
    turns.shift()!();
    connection.writePrepared(frame('"b"'));
    turns.shift()!();
    assert.deepEqual(log, ['write "a"', 'write "b"']);
  });

  test('more frames in one turn: the first at once, the rest corked until the turn ends', () => {
    const turns: (() => void)[] = [];
    const batch = new WriteBatch((fn) => turns.push(fn));
    const { connection, log } = fakeConnection(batch);
    for (const text of ['"a"', '"b"', '"c"']) connection.writePrepared(frame(text));
    assert.deepEqual(log, ['write "a"', 'cork', 'write "b"', 'write "c"']);
    assert.equal(turns.length, 1, 'one end-of-turn callback however many writes');
    turns.shift()!();
    assert.deepEqual(log.slice(4), ['uncork']);
    connection.writePrepared(frame('"d"'));
    assert.deepEqual(log.slice(5), ['write "d"'], 'a new turn starts uncorked');
  });

  test('without a batch every frame is written at once', () => {
    const { connection, log } = fakeConnection(undefined);
    for (const text of ['"a"', '"b"']) connection.writePrepared(frame(text));
    assert.deepEqual(log, ['write "a"', 'write "b"']);
  });

  test('a prepared frame is one unmasked text frame with the right length header', () => {
    for (const size of [5, 125, 126, 65_535, 65_536]) {
      const text = JSON.stringify('x'.repeat(size - 2));
      const { framed, payload } = PreparedFrame.fromJson(text);
      assert.equal(framed[0], 0x81);
      const header = size < 126 ? 2 : size < 65_536 ? 4 : 10;
      assert.equal(framed.length, header + size);
      const length =
        header === 2 ? framed[1] : header === 4 ? framed.readUInt16BE(2) : framed.readUInt32BE(6);
      assert.equal(length, size);
      assert.equal(payload.toString(), text);
    }
  });
});
