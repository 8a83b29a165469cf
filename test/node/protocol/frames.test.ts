/**
 * The wire schemas accept every well-formed frame and reject what a hostile or buggy peer could
 * send: wrong shapes, bad room names, unsafe avatar URLs, oversized frames.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as z from 'zod/mini';
import {
  ClientFrame,
  LIMITS,
  PROTOCOL_VERSION,
  RoomName,
  SafeUrl,
  ServerFrame,
  UserProfile,
  parseClientFrame,
  parseServerFrame,
  requestIdOf,
  type Person,
} from '../../../src/protocol/index.js';

const person: Person = {
  user: { id: 'u1', name: 'Ada', avatarUrl: 'https://example.com/ada.png' },
  status: 'online',
  activity: { kind: 'editing', field: 'email' },
  connections: 2,
  devices: 1,
  since: 1,
  updatedAt: 2,
};

const goodClient: Record<string, unknown> = {
  hello: { type: 'hello', id: 'h1', v: PROTOCOL_VERSION, clientId: 'dev-1', token: 'jwt' },
  helloDev: {
    type: 'hello',
    id: 'h1',
    v: 1,
    clientId: 'dev-1',
    devUser: { id: 'ada', name: 'Ada' },
  },
  join: {
    type: 'join',
    id: 'j1',
    room: 'customer:42',
    since: 7,
    presence: { status: 'away', activity: { kind: 'viewing' } },
  },
  joinPage: { type: 'join', id: 'j2', room: 'page:/customers/42#notes' },
  leave: { type: 'leave', id: 'l1', room: 'customer:42' },
  presence: {
    type: 'presence',
    room: 'customer:42',
    state: { status: 'online', activity: { kind: 'editing', field: 'phone' } },
  },
  emit: { type: 'emit', id: 'e1', room: 'customer:42', event: 'typing', payload: { a: [1, null] } },
  emitNoId: { type: 'emit', room: 'customer:42', event: 'cursor.move', payload: 3 },
  ping: { type: 'ping', t: 5 },
  pong: { type: 'pong' },
};

const badClient: Record<string, unknown> = {
  noType: { id: 'x' },
  unknownType: { type: 'shout', room: 'customer:42' },
  helloWithoutClientId: { type: 'hello', id: 'h1', v: 1 },
  helloFloatVersion: { type: 'hello', id: 'h1', v: 1.5, clientId: 'd' },
  helloLongToken: { type: 'hello', id: 'h1', v: 1, clientId: 'd', token: 'x'.repeat(8193) },
  helloUnsafeAvatar: {
    type: 'hello',
    id: 'h1',
    v: 1,
    clientId: 'd',
    devUser: { id: 'ada', name: 'Ada', avatarUrl: 'javascript:alert(1)' },
  },
  joinWithoutId: { type: 'join', room: 'customer:42' },
  joinEmptyId: { type: 'join', id: '', room: 'customer:42' },
  joinLongId: { type: 'join', id: 'x'.repeat(65), room: 'customer:42' },
  joinSpaceInRoom: { type: 'join', id: 'j', room: 'customer 42' },
  joinScriptRoom: { type: 'join', id: 'j', room: '<script>' },
  joinEmptyRoom: { type: 'join', id: 'j', room: '' },
  joinNegativeSince: { type: 'join', id: 'j', room: 'a:b', since: -1 },
  joinFractionalSince: { type: 'join', id: 'j', room: 'a:b', since: 1.5 },
  presenceOffline: {
    type: 'presence',
    room: 'a:b',
    state: { status: 'offline', activity: { kind: 'viewing' } },
  },
  presenceEditingNoField: {
    type: 'presence',
    room: 'a:b',
    state: { status: 'online', activity: { kind: 'editing' } },
  },
  presenceUnknownActivity: {
    type: 'presence',
    room: 'a:b',
    state: { status: 'online', activity: { kind: 'dancing' } },
  },
  emitBadEvent: { type: 'emit', room: 'a:b', event: 'has space', payload: 1 },
  emitNoPayload: { type: 'emit', room: 'a:b', event: 'x' },
  emitUndefinedPayload: { type: 'emit', room: 'a:b', event: 'x', payload: undefined },
  pingNegative: { type: 'ping', t: -1 },
};

const goodServer: Record<string, unknown> = {
  welcome: {
    type: 'welcome',
    replyTo: 'h1',
    v: 1,
    connectionId: 'c1',
    user: { id: 'ada', name: 'Ada', avatarUrl: 'data:image/png;base64,AAAA' },
    heartbeatMs: 30000,
    limits: {
      maxFrameBytes: 65536,
      maxRoomsPerConnection: 50,
      maxMessagesPerSecond: 50,
      maxPresenceBytes: 1024,
    },
  },
  joined: {
    type: 'joined',
    replyTo: 'j1',
    room: 'customer:42',
    seq: 9,
    resume: 'replayed',
    missed: 2,
    people: [person],
  },
  left: { type: 'left', replyTo: 'l1', room: 'customer:42' },
  ack: { type: 'ack', replyTo: 'e1', seq: 10 },
  event: {
    type: 'event',
    room: 'customer:42',
    seq: 10,
    event: 'typing',
    payload: { field: 'email' },
    from: 'ada',
    at: 1,
  },
  diff: { type: 'presence.diff', room: 'customer:42', upsert: [person], remove: ['u2'] },
  error: { type: 'error', replyTo: 'j1', code: 'forbidden', message: 'no', room: 'customer:42' },
  errorNoReply: { type: 'error', code: 'rate_limited', message: 'slow down' },
  bye: { type: 'bye', reason: 'shutdown', reconnectMs: 5000 },
  ping: { type: 'ping', t: 1 },
  pong: { type: 'pong', t: 1 },
};

const badServer: Record<string, unknown> = {
  welcomeNoUser: { type: 'welcome', replyTo: 'h1', v: 1, connectionId: 'c', heartbeatMs: 1 },
  joinedBadResume: { ...(goodServer.joined as object), resume: 'maybe' },
  joinedPersonUnsafeAvatar: {
    ...(goodServer.joined as object),
    people: [{ ...person, user: { id: 'x', name: 'X', avatarUrl: 'javascript:alert(1)' } }],
  },
  joinedPersonVbscriptAvatar: {
    ...(goodServer.joined as object),
    people: [{ ...person, user: { id: 'x', name: 'X', avatarUrl: 'vbscript:x' } }],
  },
  joinedPersonSvgDataHtml: {
    ...(goodServer.joined as object),
    people: [{ ...person, user: { id: 'x', name: 'X', avatarUrl: 'data:text/html,<b>' } }],
  },
  joinedNegativeConnections: {
    ...(goodServer.joined as object),
    people: [{ ...person, connections: -1 }],
  },
  eventNoSeq: { type: 'event', room: 'a:b', event: 'x', payload: 1, at: 1 },
  eventBadRoom: { type: 'event', room: 'a b', seq: 1, event: 'x', payload: 1, at: 1 },
  errorUnknownCode: { type: 'error', code: 'oops', message: 'x' },
  byeUnknownReason: { type: 'bye', reason: 'tired', reconnectMs: 1 },
  diffMissingRemove: { type: 'presence.diff', room: 'a:b', upsert: [] },
  clientFrameFromServer: goodClient.join,
};

describe('protocol: client frames', () => {
  for (const [name, frame] of Object.entries(goodClient)) {
    it(`accepts ${name}`, () => {
      const result = parseClientFrame(JSON.stringify(frame));
      assert.ok(result.ok, result.ok ? '' : result.message);
    });
  }
  for (const [name, frame] of Object.entries(badClient)) {
    it(`rejects ${name}`, () => {
      const result = parseClientFrame(JSON.stringify(frame) ?? 'undefined');
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.code, 'bad_frame');
    });
  }
  it('rejects a server frame sent by a client', () => {
    assert.equal(parseClientFrame(JSON.stringify(goodServer.welcome)).ok, false);
  });
});

describe('protocol: server frames', () => {
  for (const [name, frame] of Object.entries(goodServer)) {
    it(`accepts ${name}`, () => {
      const result = parseServerFrame(JSON.stringify(frame));
      assert.ok(result.ok, result.ok ? '' : result.message);
    });
  }
  for (const [name, frame] of Object.entries(badServer)) {
    it(`rejects ${name}`, () => {
      assert.equal(parseServerFrame(JSON.stringify(frame)).ok, false);
    });
  }
  it('every frame type of both unions is covered by a good example', () => {
    const types = (examples: Record<string, unknown>) =>
      new Set(Object.values(examples).map((f) => (f as { type: string }).type));
    const clientTypes = types(goodClient);
    const serverTypes = types(goodServer);
    for (const option of ClientFrame.def.options) {
      const type = (option.def.shape.type as unknown as { def: { values: string[] } }).def
        .values[0]!;
      // Later capabilities (entities, notifications, activity) are tested with their own frames.
      if (['hello', 'join', 'leave', 'presence', 'emit', 'ping', 'pong'].includes(type)) {
        assert.ok(clientTypes.has(type), `no good example of client frame ${type}`);
      }
    }
    for (const option of ServerFrame.def.options) {
      const type = (option.def.shape.type as unknown as { def: { values: string[] } }).def
        .values[0]!;
      if (
        ['welcome', 'joined', 'left', 'ack', 'event', 'presence.diff', 'error', 'bye'].includes(
          type,
        )
      ) {
        assert.ok(serverTypes.has(type), `no good example of server frame ${type}`);
      }
    }
  });
});

describe('protocol: parsing', () => {
  it('reports malformed JSON as bad_frame', () => {
    const result = parseClientFrame('{"type":"ping"');
    assert.deepEqual(result.ok ? null : result.code, 'bad_frame');
  });

  it('reports a frame over 64 KiB as frame_too_large before parsing it', () => {
    const payload = 'x'.repeat(LIMITS.maxFrameBytes);
    const text = JSON.stringify({ type: 'emit', room: 'a:b', event: 'x', payload });
    const result = parseClientFrame(text);
    assert.equal(result.ok ? null : result.code, 'frame_too_large');
  });

  it('counts UTF-8 bytes, not characters, against the limit', () => {
    // 22,000 three-byte characters = 66,000 bytes: over the limit although under 64 Ki characters.
    const payload = '€'.repeat(22_000);
    const text = JSON.stringify({ type: 'emit', room: 'a:b', event: 'x', payload });
    assert.ok(text.length < LIMITS.maxFrameBytes);
    assert.equal(parseServerFrame(text).ok, false);
    const small = JSON.stringify({
      type: 'emit',
      room: 'a:b',
      event: 'x',
      payload: '€'.repeat(1000),
    });
    assert.equal(parseClientFrame(small).ok, true);
  });

  it('honours a custom size limit', () => {
    const text = JSON.stringify({ type: 'ping', t: 1 });
    assert.equal(parseClientFrame(text, 5).ok, false);
    assert.equal(parseClientFrame(text, 100).ok, true);
  });

  it('finds the request id of an invalid frame so the error can answer it', () => {
    assert.equal(requestIdOf('{"type":"join","id":"j9","room":"bad room"}'), 'j9');
    assert.equal(requestIdOf('not json'), undefined);
    assert.equal(requestIdOf(`{"id":"${'x'.repeat(65)}"}`), undefined);
  });

  it('room names: letters, digits and _ - . : / @ # only, up to 200 characters', () => {
    for (const good of ['customer:42', 'page:/customers', 'deal:a-b_c.d@e#f', 'x'.repeat(200)]) {
      assert.ok(z.safeParse(RoomName, good).success, good);
    }
    for (const bad of ['', 'x'.repeat(201), 'a b', 'a\nb', 'a<b', 'ü:1', 'a?b=c']) {
      assert.equal(z.safeParse(RoomName, bad).success, false, bad);
    }
  });

  it('notification links: http(s) or a path on this site, no whitespace or control characters', () => {
    const ok = (url: string) => z.safeParse(SafeUrl, url).success;
    for (const good of ['https://crm.example.com/x?a=1', 'HTTP://example.com', '/customers/42']) {
      assert.ok(ok(good), good);
    }
    for (const bad of [
      'javascript:alert(1)',
      '//evil.example/login',
      // Browsers read a backslash as a slash, so this path is another host.
      '/\\evil.example/login',
      '/customers/42\tjavascript:',
      'https://crm.example.com/a b',
      '/a\u0000b',
      'customers/42',
    ]) {
      assert.equal(ok(bad), false, bad);
    }
  });

  it('avatar URLs: only https, http and data:image', () => {
    const ok = (avatarUrl: string) =>
      z.safeParse(UserProfile, { id: 'a', name: 'A', avatarUrl }).success;
    assert.ok(ok('https://cdn.example.com/a.png'));
    assert.ok(ok('HTTP://example.com/a.png'));
    assert.ok(ok('data:image/svg+xml,%3Csvg%3E'));
    for (const bad of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>',
      '//evil.example.com/a.png',
      'ftp://example.com/a.png',
      `https://example.com/${'a'.repeat(2048)}`,
    ]) {
      assert.equal(ok(bad), false, bad);
    }
  });
});
