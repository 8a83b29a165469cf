/**
 * HuddleController in a tiny Lit host on the fake server: whom it connects to, and when, as
 * presence lags behind the call's signals. The server forwards a signal at once but announces
 * presence once per turn, and the page reads presence once per animation frame, so someone's offer
 * can arrive before the presence that shows them in the call; and a room member outside the call
 * can signal too (the fake server forwards what a server that does not check would). Animation
 * frames are held here and painted by the test, so that order is played exactly. The other side is
 * a real `RTCPeerConnection` in this page, scripted as Ana through the fake server.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { LitElement } from 'lit';
import { HOLD_MS, HuddleController } from '../../../src/controllers/huddle-controller.js';
import type { CrmRealtimeProvider } from '../../../src/elements/realtime-provider/crm-realtime-provider.js';
import '../../../src/elements/realtime-provider/define.js';
import { DEMO_USER } from '../../../src/testing/index.js';
import {
  closeFakeConnections,
  fakeConnection,
  uniqueTag,
  type FakeConnection,
} from '../helpers/fake-connection.js';

const ROOM = 'customer:42';
const ana = { id: 'ana', name: 'Ana' };
const chloe = { id: 'chloe', name: 'Chloe' };
const mallory = { id: 'mallory', name: 'Mallory' };

class CallHost extends LitElement {
  readonly call = new HuddleController(
    this,
    () => ROOM,
    () => {},
  );
}
const tag = uniqueTag('call-host');
customElements.define(tag, CallHost);

/** A microphone: an oscillator's track. */
function microphone(): MediaStream {
  const audio = new AudioContext();
  const destination = audio.createMediaStreamDestination();
  audio.createOscillator().connect(destination);
  return destination.stream;
}

describe('HuddleController', () => {
  const devices = navigator.mediaDevices;
  const realGum = devices.getUserMedia;
  const others: RTCPeerConnection[] = [];

  beforeEach(() => {
    devices.getUserMedia = async () => microphone();
  });

  afterEach(() => {
    devices.getUserMedia = realGum;
    for (const pc of others.splice(0)) pc.close();
    closeFakeConnections();
  });

  async function mount() {
    // Animation frames wait for `paint()`: presence read by the page lags what arrived.
    const frames: Array<() => void> = [];
    const fake: FakeConnection = await fakeConnection({
      scheduleFrame: (callback) => void frames.push(callback),
    });
    const provider = await fixture<CrmRealtimeProvider>(
      html`<crm-realtime-provider .client=${fake.client}></crm-realtime-provider>`,
    );
    const host = document.createElement(tag) as CallHost;
    provider.append(host);
    await host.updateComplete;
    const paint = async () => {
      await fake.clock.flush();
      for (const callback of frames.splice(0)) callback();
      await host.updateComplete;
    };
    await paint();
    return { ...fake, host, call: host.call, paint };
  }

  /** Ana's browser: an offer with her microphone, sent to the user through the server. */
  async function offerFromAna(fake: FakeConnection): Promise<void> {
    const pc = new RTCPeerConnection();
    others.push(pc);
    pc.addTransceiver('audio');
    await pc.setLocalDescription();
    fake.server.signal(ROOM, ana.id, DEMO_USER.id, 'call.signal', {
      session: 'ana-session',
      description: pc.localDescription!.toJSON(),
    });
    await fake.clock.flush();
  }

  /** Call signals the user's page sent to `to` (offers, answers, candidates, "I am here"). */
  function signalsTo(fake: FakeConnection, to: string) {
    return fake.server.received('emit').filter((f) => f.to === to);
  }

  it('an offer that comes before the presence showing its sender in the call waits for it, then is answered', async () => {
    const { server, call, paint, ...fake } = await mount();
    server.addPerson(ROOM, ana);
    await paint();
    await call.join();
    await paint();
    expect(call.phase).to.equal('in-call');
    expect(call.peers.size).to.equal(0);

    // Chloe arrives: the page has that presence but reads it on the next frame. Ana's offer
    // comes first, before anything says she is in the call: it waits, unanswered.
    server.addPerson(ROOM, chloe);
    await fake.clock.flush();
    await offerFromAna({ server, ...fake });
    expect(call.peers.size, 'no connection before presence').to.equal(0);
    // The frame shows presence from before the offer (Ana not in the call): still waiting.
    await paint();
    expect(call.peers.size, 'no connection before presence').to.equal(0);
    expect(signalsTo({ server, ...fake }, ana.id)).to.deep.equal([]);

    // Presence catches up: the offer held meanwhile is answered on the connection it makes.
    server.updatePerson(ROOM, ana.id, { inCall: true });
    await paint();
    const peer = call.peers.get(ana.id);
    expect(peer !== undefined, 'a connection once presence shows her').to.equal(true);
    await waitUntil(() => peer!.pc.localDescription?.type === 'answer', 'no answer to the offer');
    expect(peer!.remoteSession).to.equal('ana-session');

    // Ana leaves the call: her connection closes.
    server.updatePerson(ROOM, ana.id, { inCall: false });
    await paint();
    expect(call.peers.size).to.equal(0);
    expect(peer!.pc.signalingState).to.equal('closed');
  });

  it('a room member outside the call who signals gets no connection and nothing of the microphone', async () => {
    const { server, call, paint, ...fake } = await mount();
    const connection = { server, ...fake };
    server.addPerson(ROOM, mallory);
    await paint();
    await call.join();
    await paint();

    // The auditor's bare signal: a session, nothing else. It once made the user's page open a
    // connection to her and offer its microphone.
    const bare = () =>
      server.signal(ROOM, mallory.id, DEMO_USER.id, 'call.signal', { session: 'x' });
    bare();
    await paint();
    expect(call.peers.size).to.equal(0);
    // Presence about someone else, then her next signal: still nothing.
    server.addPerson(ROOM, chloe);
    await paint();
    bare();
    await paint();
    expect(call.peers.size).to.equal(0);
    expect(signalsTo(connection, mallory.id), 'nothing sent to her').to.deep.equal([]);

    // Her presence never followed: what she sent is dropped. Were she to join the call later,
    // her connection starts from presence, with nothing of those old signals.
    await fake.clock.advance(HOLD_MS);
    server.updatePerson(ROOM, mallory.id, { inCall: true });
    await paint();
    const peer = call.peers.get(mallory.id);
    expect(peer !== undefined, 'a connection once she is in the call').to.equal(true);
    expect(peer!.remoteSession).to.equal(undefined);
  });

  it('presence that shows the other person gone from the room ends the connection', async () => {
    const { server, call, paint, ...fake } = await mount();
    server.addPerson(ROOM, ana, { inCall: true });
    await paint();
    await call.join();
    await paint();
    await offerFromAna({ server, ...fake });
    const peer = call.peers.get(ana.id)!;
    await waitUntil(() => peer.pc.localDescription?.type === 'answer', 'no answer to the offer');

    server.removePerson(ROOM, ana.id);
    await paint();
    expect(call.peers.size).to.equal(0);
    expect(peer.pc.signalingState).to.equal('closed');
  });
});
