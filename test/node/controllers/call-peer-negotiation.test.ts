/**
 * How two `CallPeer`s open a connection, over a fake `RTCPeerConnection` that keeps Chromium's
 * defect: an offer that created the transport, taken back while its candidates are gathered,
 * leaves a transport that never yields a candidate. Both people see each other in the call at the
 * same moment, so both connections are created at once, as on a real call.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { CallPeer, type CallSignal } from '../../../src/controllers/call-peer.js';
import { FakePeerConnection } from '../helpers/fake-peer-connection.js';

const native = globalThis.RTCPeerConnection;

beforeEach(() => {
  FakePeerConnection.all.length = 0;
  globalThis.RTCPeerConnection = FakePeerConnection as unknown as typeof RTCPeerConnection;
});

afterEach(() => {
  globalThis.RTCPeerConnection = native;
});

const track = (kind: 'audio' | 'video') =>
  ({ track: { kind }, stream: {} }) as unknown as { track: MediaStreamTrack; stream: MediaStream };

interface Side {
  peer: CallPeer;
  pc: FakePeerConnection;
  sent: CallSignal[];
}

/** Ana (the impolite side: the smaller id) and Ben, each connection sending to the other. */
function call(tracks: { ana: number; ben: number }): { ana: Side; ben: Side; failures: unknown[] } {
  const failures: unknown[] = [];
  const sides: Partial<Record<'ana' | 'ben', Side>> = {};
  const make = (self: 'ana' | 'ben', other: 'ana' | 'ben'): Side => {
    const sent: CallSignal[] = [];
    const peer = new CallPeer({
      selfId: self,
      peerId: other,
      session: `${self}-1`,
      iceServers: [],
      // Delivered a task later and in order, like room events over one socket.
      send: async (signal) => {
        sent.push(signal);
        setImmediate(() => void sides[other]!.peer.receive(signal).catch((e) => failures.push(e)));
        return true;
      },
      tracks: () =>
        Array.from({ length: tracks[self] }, (_, i) => track(i === 0 ? 'audio' : 'video')),
      screenId: () => undefined,
      changed: () => undefined,
    });
    return { peer, pc: peer.pc as unknown as FakePeerConnection, sent };
  };
  sides.ana = make('ana', 'ben');
  sides.ben = make('ben', 'ana');
  return { ana: sides.ana, ben: sides.ben, failures };
}

/** Runs tasks until both ends are connected and stable; fails with both states if they never are. */
async function connected(ana: Side, ben: Side): Promise<void> {
  const done = () =>
    [ana, ben].every(
      (s) => s.pc.iceConnectionState === 'connected' && s.pc.signalingState === 'stable',
    );
  // A bound on tasks, not on time: a settled exchange needs a few dozen.
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setImmediate(r));
  const state = (s: Side) =>
    `${s.pc.signalingState}/${s.pc.iceConnectionState} made ${s.pc.made.join(',')}` +
    (s.pc.brokenTransport ? ' (transport left dead by a rollback)' : '');
  assert.ok(done(), `ana ${state(ana)}; ben ${state(ben)}`);
}

describe('CallPeer: opening a connection', () => {
  test('both ends created at once: the polite side never offers first, and the call connects', async () => {
    const { ana, ben, failures } = call({ ana: 1, ben: 1 });
    await connected(ana, ben);
    assert.deepEqual(ben.pc.made, ['answer'], 'Ben (polite) only answered');
    assert.deepEqual(ana.pc.made, ['offer']);
    assert.equal(ben.pc.brokenTransport, false);
    // Ben said he is there (his session, nothing else) instead of offering.
    assert.deepEqual(ben.sent[0], { session: 'ben-1' });
    assert.deepEqual(failures, []);
  });

  test('the polite side offers what the first offer had no room for once it has answered', async () => {
    const { ana, ben, failures } = call({ ana: 1, ben: 2 });
    await connected(ana, ben);
    for (let i = 0; i < 50 && ben.pc.made.length < 2; i++)
      await new Promise((r) => setImmediate(r));
    await connected(ana, ben);
    assert.deepEqual(ben.pc.made, ['answer', 'offer']);
    assert.equal(ben.pc.lines, 2, "Ben's second offer carries his camera");
    assert.deepEqual(failures, []);
  });

  test('an ICE restart on the polite side before anything was negotiated says it is there again', async () => {
    const { ana, ben } = call({ ana: 1, ben: 1 });
    ben.peer.restartIce(true);
    await connected(ana, ben);
    assert.ok(
      ben.sent.filter((s) => !s.description && !s.candidate).length >= 2,
      JSON.stringify(ben.sent),
    );
    assert.deepEqual(ben.pc.made, ['answer']);
  });
});
