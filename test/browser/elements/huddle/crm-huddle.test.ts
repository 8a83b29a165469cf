/**
 * `<crm-huddle>` alone in a page, on the fake server: its states (idle, refused, in a call), the
 * pressed state of its toggles, its shortcuts, the call's toolbar (one Tab stop, arrow keys) and
 * axe. Media comes from stubbed devices (a canvas
 * and an oscillator), so a refusal can be played too. Several people and real media flowing between
 * them are the e2e tests' part (test/e2e/huddle.test.ts).
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { connectFake } from '../../../../src/testing/index.js';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import '../../../../src/elements/huddle/define.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import { avatarColor } from '../../../../src/elements/shared/avatar.js';
import type { CrmHuddleRingEvent } from '../../../../src/events/huddle-events.js';
import {
  closeFakeConnections,
  fakeConnection,
  recordWarnings,
} from '../../helpers/fake-connection.js';
import type { RealtimeClientOptions } from '../../../../src/client/types.js';
import { noUpdateAfterUpdate } from '../../helpers/lit-warnings.js';
import { expectAccessible } from '../../helpers/settled.js';

const ROOM = 'customer:42';

/** `text` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE, as a name set into text. */
const iso = (text: string) => `\u2068${text}\u2069`;

/** Any directional isolate or closer (U+2066 … U+2069). */
const ISOLATES = /[\u2066-\u2069]/u;

interface Heard {
  /** `assertive` (an alert) or `polite`. */
  how: string;
  text: string;
}

/**
 * What the element's live regions are given to say from now on, in order: every new text of a
 * `role="alert"`, `role="status"` or `aria-live` region in its shadow root (emptying one says
 * nothing; the same words made new by a trailing no-break space are said again). Read as the
 * regions change: a test waits for the state it expects, then looks.
 */
function listen(el: HTMLElement): Heard[] {
  const root = el.shadowRoot!;
  const regions = () => root.querySelectorAll('[role="alert"], [role="status"], [aria-live]');
  const heard: Heard[] = [];
  const last = new Map<Element, string>([...regions()].map((r) => [r, r.textContent!]));
  new MutationObserver(() => {
    for (const region of regions()) {
      const text = region.textContent!;
      if (text === last.get(region)) continue;
      last.set(region, text);
      const how = region.getAttribute('role') === 'alert' ? 'assertive' : 'polite';
      if (text.trim()) heard.push({ how, text: text.trim() });
    }
  }).observe(root, { subtree: true, childList: true, characterData: true });
  return heard;
}

/** A live audio track (an oscillator) and, for video, a canvas that keeps drawing. */
function fakeStream(constraints: MediaStreamConstraints): MediaStream {
  const stream = new MediaStream();
  if (constraints.audio) {
    const audio = new AudioContext();
    const destination = audio.createMediaStreamDestination();
    const oscillator = audio.createOscillator();
    oscillator.connect(destination);
    oscillator.start();
    for (const track of destination.stream.getAudioTracks()) stream.addTrack(track);
  }
  if (constraints.video) {
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 240;
    canvas.getContext('2d')!.fillRect(0, 0, 320, 240);
    for (const track of canvas.captureStream(5).getVideoTracks()) stream.addTrack(track);
  }
  return stream;
}

noUpdateAfterUpdate('crm-huddle');

describe('<crm-huddle>', () => {
  const devices = navigator.mediaDevices;
  const realGum = devices.getUserMedia;
  const realGdm = devices.getDisplayMedia;
  let refuse = false;
  const handed: MediaStreamTrack[] = [];

  beforeEach(() => {
    refuse = false;
    devices.getUserMedia = async (c?: MediaStreamConstraints) => {
      if (refuse) throw new DOMException('refused', 'NotAllowedError');
      const stream = fakeStream(c ?? {});
      handed.push(...stream.getTracks());
      return stream;
    };
    devices.getDisplayMedia = async () => {
      const stream = fakeStream({ video: true });
      handed.push(...stream.getTracks());
      return stream;
    };
  });

  afterEach(() => {
    devices.getUserMedia = realGum;
    devices.getDisplayMedia = realGdm;
    closeFakeConnections();
  });

  async function mount(room = ROOM, options: Partial<RealtimeClientOptions> = {}) {
    const connection = await fakeConnection(options);
    const provider = await fixture<CrmRealtimeProvider>(
      html`<crm-realtime-provider .client=${connection.client}>
        <crm-huddle room-id=${room}></crm-huddle>
      </crm-realtime-provider>`,
    );
    const el = provider.querySelector('crm-huddle')!;
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        await connection.clock.flush();
        await el.updateComplete;
      }
    };
    await settle();
    const part = (name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
    const join = async () => {
      const changed = oneEvent(el, 'crm-huddle-change');
      part('join')!.click();
      await changed;
      await settle();
    };
    return { ...connection, el, settle, part, join };
  }

  it('starts idle with a labelled Join button, and is accessible', async () => {
    const { el, part } = await mount();
    expect(el.state).to.equal('idle');
    expect(part('join')!.textContent!.trim()).to.equal('Join call');
    await expectAccessible(el);
  });

  it('a room-id the client refuses warns once and offers no Join', async () => {
    const warnings = recordWarnings();
    try {
      const { el, part, settle, client } = await mount('not a room!');
      el.requestUpdate();
      await settle();
      expect(part('join')!.hasAttribute('disabled')).to.equal(true);
      await el.join();
      expect(el.state).to.equal('idle');
      expect(client.heldRooms().size).to.equal(0);
      const said = warnings.messages.filter((w) => w.includes('not a room!'));
      expect(said).to.have.length(1);
      expect(said[0]).to.contain('<crm-huddle> cannot follow room');
    } finally {
      warnings.restore();
    }
  });

  it('a room the server refuses says so and offers no Join, and asks for no microphone', async () => {
    const connection = await fakeConnection({
      server: { authorize: (_user, room) => room !== 'customer:7' },
    });
    const provider = await fixture<CrmRealtimeProvider>(
      html`<crm-realtime-provider .client=${connection.client}>
        <crm-huddle room-id="customer:7"></crm-huddle>
      </crm-realtime-provider>`,
    );
    const el = provider.querySelector('crm-huddle')!;
    for (let i = 0; i < 3; i++) {
      await connection.clock.flush();
      await el.updateComplete;
    }
    const part = (name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
    expect(part('join')!.hasAttribute('disabled')).to.equal(true);
    expect(part('message')!.textContent!.trim()).to.equal('You may not join this call.');
    const asked = handed.length;
    await el.join();
    expect(el.state).to.equal('idle');
    expect(handed.length, 'no microphone opened').to.equal(asked);
    await expectAccessible(el);
  });

  describe('a page the browser gives no media devices', () => {
    let secure = true;
    beforeEach(() => {
      Object.defineProperty(navigator, 'mediaDevices', { value: undefined, configurable: true });
      Object.defineProperty(window, 'isSecureContext', { get: () => secure, configurable: true });
    });
    afterEach(() => {
      delete (navigator as { mediaDevices?: MediaDevices }).mediaDevices;
      delete (window as { isSecureContext?: boolean }).isSecureContext;
      secure = true;
    });

    it('over http: says calls need HTTPS up front, Join unavailable, for a ring too', async () => {
      secure = false;
      const { el, part, server, settle } = await mount();
      expect(el.state).to.equal('idle');
      expect(part('message')!.textContent!.trim()).to.equal(
        'Calls are available only when this page is opened over HTTPS.',
      );
      expect(part('join')!.hasAttribute('disabled')).to.equal(true);
      await el.join();
      expect(el.state, 'no "no microphone" after a join').to.equal('idle');
      await expectAccessible(el);
      server.addPerson(ROOM, { id: 'ana', name: 'Ana Souza' });
      await settle();
      const rang = oneEvent(el, 'crm-huddle-ring');
      server.broadcast(ROOM, 'call.ring', {}, 'ana');
      await rang;
      await settle();
      expect(part('ring')!.querySelector('[part~="join"]')!.hasAttribute('disabled')).to.equal(
        true,
      );
      expect(part('message')!.textContent).to.contain('HTTPS');
    });

    it('in a browser without them on a secure page: says calls are not available', async () => {
      const { part } = await mount();
      expect(part('message')!.textContent!.trim()).to.equal(
        'Calls are not available in this browser.',
      );
      expect(part('join')!.hasAttribute('disabled')).to.equal(true);
    });
  });

  it('a refused microphone says so and offers a retry that asks again', async () => {
    const { el, part, join } = await mount();
    refuse = true;
    await join();
    expect(el.state).to.equal('denied');
    expect(part('message')!.getAttribute('role')).to.equal('alert');
    expect(part('message')!.textContent).to.contain('refused');
    expect(part('join')!.textContent!.trim()).to.equal('Try again');
    await expectAccessible(el);
    refuse = false;
    await join();
    expect(el.state).to.equal('in-call');
  });

  it('in a call: toggles carry aria-pressed, the user is in a call in presence', async () => {
    const { el, part, join, client, settle } = await mount();
    await join();
    expect(el.state).to.equal('in-call');
    for (const name of ['mute', 'camera', 'share']) {
      expect(part(name)!.getAttribute('aria-pressed'), name).to.equal('false');
    }
    const presence = client.presence(ROOM);
    await settle();
    expect(presence.snapshot().self?.inCall).to.equal(true);
    presence.release();
    await expectAccessible(el);
  });

  it('an unplugged microphone is replaced by the default one, or the loss is said', async () => {
    const { el, part, join } = await mount();
    await join();
    /** Ends the live microphone as unplugging does: the track ends by itself, not by stop(). */
    const unplug = () => {
      const mic = handed.find((t) => t.kind === 'audio' && t.readyState === 'live')!;
      mic.stop(); // readyState "ended"; stop() alone fires nothing, the device going does
      mic.dispatchEvent(new Event('ended'));
      return mic;
    };
    const first = unplug();
    await waitUntil(
      () => handed.some((t) => t !== first && t.kind === 'audio' && t.readyState === 'live'),
      'no replacement microphone was asked for',
    );
    await el.updateComplete;
    expect(el.state).to.equal('in-call');
    expect(part('message')?.dataset['tone']).to.not.equal('error');

    // No other microphone: the call goes on and says the microphone is gone.
    refuse = true;
    unplug();
    await waitUntil(
      () => part('message')?.dataset['tone'] === 'error',
      'the loss of the microphone was not shown',
    );
    expect(el.state).to.equal('in-call');
    expect(part('message')!.getAttribute('role')).to.equal('alert');
    expect(part('message')!.textContent).to.contain('microphone was disconnected');
    await expectAccessible(el);
  });

  describe('keyboard shortcuts (focus inside the element)', () => {
    it('M mutes and unmutes the microphone', async () => {
      const { el, part, join } = await mount();
      await join();
      part('mute')!.focus();
      part('mute')!.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'm', bubbles: true, composed: true }),
      );
      await el.updateComplete;
      expect(part('mute')!.getAttribute('aria-pressed')).to.equal('true');
      expect(el.muted).to.equal(true);
      expect(el.localStreams[0]!.getAudioTracks()[0]!.enabled).to.equal(false);
      part('mute')!.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'M', bubbles: true, composed: true }),
      );
      await el.updateComplete;
      expect(el.muted).to.equal(false);
    });

    it('V turns the camera on, S shares the screen with a visible "you are sharing"', async () => {
      const { el, part, join, settle } = await mount();
      await join();
      part('camera')!.focus();
      part('camera')!.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'v', bubbles: true, composed: true }),
      );
      await settle();
      expect(part('camera')!.getAttribute('aria-pressed')).to.equal('true');
      part('share')!.dispatchEvent(
        new KeyboardEvent('keydown', { key: 's', bubbles: true, composed: true }),
      );
      await settle();
      expect(part('share')!.getAttribute('aria-pressed')).to.equal('true');
      expect(part('sharing')!.textContent).to.contain('You are sharing your screen');
      await expectAccessible(el);
    });

    it('shortcuts do nothing outside a call', async () => {
      const { el, part } = await mount();
      part('join')!.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'm', bubbles: true, composed: true }),
      );
      await el.updateComplete;
      expect(el.state).to.equal('idle');
      expect(el.muted).to.equal(false);
    });
  });

  describe('a browser that cannot share a screen (phones and tablets have no getDisplayMedia)', () => {
    it('offers no Share button; S and the toolbar still work, and no refusal is shown', async () => {
      (devices as { getDisplayMedia?: unknown }).getDisplayMedia = undefined;
      const { el, part, join, settle } = await mount();
      await join();
      expect(el.state).to.equal('in-call');
      expect(part('share') === null, 'no Share button').to.equal(true);
      const buttons = [...el.shadowRoot!.querySelectorAll('[part~="controls"] button')];
      expect(buttons.map((b) => b.getAttribute('part'))).to.deep.equal([
        'mute',
        'camera',
        'invite',
        'leave',
      ]);
      part('mute')!.focus();
      part('mute')!.dispatchEvent(
        new KeyboardEvent('keydown', { key: 's', bubbles: true, composed: true }),
      );
      await settle();
      expect(part('sharing') === null, 'not sharing').to.equal(true);
      const error = el.shadowRoot!.querySelector('[data-tone="error"]');
      expect(error?.textContent ?? '', 'no error shown').to.equal('');
      await expectAccessible(el);
    });
  });

  describe("the call's toolbar: one Tab stop, the arrow keys move within it", () => {
    const ORDER = ['mute', 'camera', 'share', 'invite', 'leave'];

    /** In a call, with a button before and after the element to Tab from and to. */
    async function inCall(dir: 'ltr' | 'rtl' = 'ltr') {
      const mounted = await mount();
      await mounted.join();
      const provider = mounted.el.parentElement!;
      provider.setAttribute('dir', dir);
      const before = Object.assign(document.createElement('button'), { id: 'before' });
      const after = Object.assign(document.createElement('button'), { id: 'after' });
      provider.before(before);
      provider.after(after);
      return { ...mounted, before, after };
    }

    /** The part name of the button focused inside the element, or undefined. */
    function focused(el: HTMLElement): string | undefined {
      return el.shadowRoot!.activeElement?.getAttribute('part') ?? undefined;
    }

    /** The part names of the element's buttons that Tab can reach. */
    function tabStops(el: HTMLElement): string[] {
      const buttons = el.shadowRoot!.querySelectorAll<HTMLButtonElement>('button');
      return [...buttons]
        .filter((b) => b.tabIndex >= 0 && !b.disabled)
        .map((b) => b.getAttribute('part') ?? b.textContent!.trim());
    }

    /** Press `keys` one after the other, as the keyboard does; `Shift+Tab` holds Shift. */
    async function press(...keys: string[]) {
      for (const key of keys) {
        const [modifier, main] = key.includes('+') ? key.split('+') : [undefined, key];
        if (modifier) await sendKeys({ down: modifier });
        await sendKeys({ press: main! });
        if (modifier) await sendKeys({ up: modifier });
      }
    }

    it('is a labelled toolbar with one Tab stop, the first button', async () => {
      const { el, part } = await inCall();
      expect(part('controls')!.getAttribute('role')).to.equal('toolbar');
      expect(part('controls')!.getAttribute('aria-label')).to.equal('Call');
      expect(tabStops(el)).to.deep.equal(['mute']);
      await expectAccessible(el);
    });

    describe('Tab', () => {
      it('enters on one button and leaves the toolbar with the next press', async () => {
        const { el, before } = await inCall();
        before.focus();
        await press('Tab');
        expect(focused(el)).to.equal('mute');
        await press('Tab');
        expect(document.activeElement?.id).to.equal('after');
      });

      it('comes back (Shift+Tab) to the button focused last', async () => {
        const { el } = await inCall();
        el.shadowRoot!.querySelector<HTMLElement>('[part="mute"]')!.focus();
        await press('ArrowRight', 'ArrowRight');
        expect(focused(el)).to.equal('share');
        await press('Tab');
        expect(document.activeElement?.id).to.equal('after');
        await press('Shift+Tab');
        expect(focused(el)).to.equal('share');
        expect(tabStops(el)).to.deep.equal(['share']);
      });
    });

    describe('ArrowRight', () => {
      it('moves to the next button, and from the last round to the first', async () => {
        const { el, part } = await inCall();
        part('mute')!.focus();
        for (const name of [...ORDER.slice(1), 'mute']) {
          await press('ArrowRight');
          expect(focused(el)).to.equal(name);
          expect(tabStops(el)).to.deep.equal([name]);
        }
      });
    });

    describe('ArrowLeft', () => {
      it('moves to the previous button, and from the first round to the last', async () => {
        const { el, part } = await inCall();
        part('mute')!.focus();
        for (const name of [...ORDER].reverse()) {
          await press('ArrowLeft');
          expect(focused(el)).to.equal(name);
          expect(tabStops(el)).to.deep.equal([name]);
        }
      });
    });

    describe('Home and End', () => {
      it('go to the first and the last button', async () => {
        const { el, part } = await inCall();
        part('camera')!.focus();
        await press('End');
        expect(focused(el)).to.equal('leave');
        await press('Home');
        expect(focused(el)).to.equal('mute');
        expect(tabStops(el)).to.deep.equal(['mute']);
      });
    });

    describe('ArrowUp and ArrowDown', () => {
      it('leave a horizontal toolbar alone', async () => {
        const { el, part } = await inCall();
        part('camera')!.focus();
        await press('ArrowDown', 'ArrowUp');
        expect(focused(el)).to.equal('camera');
      });
    });

    describe('right to left (dir="rtl")', () => {
      it('ArrowLeft moves to the next button, ArrowRight to the previous one', async () => {
        const { el, part } = await inCall('rtl');
        part('mute')!.focus();
        await press('ArrowLeft');
        expect(focused(el)).to.equal('camera');
        await press('ArrowRight', 'ArrowRight');
        expect(focused(el)).to.equal('leave');
      });
    });

    describe('Enter', () => {
      it('on "Ring everyone here": the button says so, stays focused, arrows still reach it', async () => {
        const { el, part, settle } = await inCall();
        part('invite')!.focus();
        await press('Enter');
        await waitUntil(() => part('invite')!.textContent!.includes('Ringing'), 'did not ring');
        await settle();
        const invite = part('invite') as HTMLButtonElement;
        expect(invite.getAttribute('aria-disabled')).to.equal('true');
        expect(focused(el)).to.equal('invite');
        expect(tabStops(el)).to.deep.equal(['invite']);
        await press('ArrowLeft', 'ArrowRight');
        expect(focused(el)).to.equal('invite');
        await expectAccessible(el);
      });

      it('joining and leaving keep the focus, on one Tab stop, as the buttons change', async () => {
        const { el, part, settle } = await mount();
        part('join')!.focus();
        let changed = oneEvent(el, 'crm-huddle-change');
        await press('Enter');
        await changed;
        await settle();
        expect(el.state).to.equal('in-call');
        await waitUntil(() => focused(el) === 'mute', 'the focus did not go to the toolbar');
        expect(tabStops(el)).to.deep.equal(['mute']);

        await press('End');
        expect(focused(el)).to.equal('leave');
        changed = oneEvent(el, 'crm-huddle-change');
        await press('Enter');
        await changed;
        await settle();
        expect(el.state).to.equal('idle');
        await waitUntil(() => focused(el) === 'join', 'the focus did not go to Join');
        expect(tabStops(el)).to.deep.equal(['join']);

        // Leave, which had the stop, is gone: the new toolbar's first button takes it.
        changed = oneEvent(el, 'crm-huddle-change');
        await press('Enter');
        await changed;
        await settle();
        await waitUntil(() => focused(el) === 'mute', 'the focus did not go to the toolbar');
        expect(tabStops(el)).to.deep.equal(['mute']);
      });
    });
  });

  describe('unusable buttons look it', () => {
    const forcedColors = (active: boolean) => executeServerCommand('forced-colors', { active });

    afterEach(() => forcedColors(false));

    /**
     * Join enabled (a room the client follows) and disabled (a room id it refuses: the huddle
     * warns once and offers no Join). Disabled, it also is while joining, with no connection and
     * in a full call.
     */
    async function bothJoins() {
      const enabled = (await mount()).part('join') as HTMLButtonElement;
      const warnings = recordWarnings();
      try {
        const disabled = (await mount('not a room!')).part('join') as HTMLButtonElement;
        expect(enabled.disabled, 'the room the client follows').to.equal(false);
        expect(disabled.disabled, 'the room the client refuses').to.equal(true);
        return { enabled, disabled };
      } finally {
        warnings.restore();
      }
    }

    /** A colour as the page resolves it now (a system colour's value follows forced colours). */
    function resolved(color: string): string {
      const probe = document.createElement('span');
      probe.style.color = color;
      document.body.append(probe);
      try {
        return getComputedStyle(probe).color;
      } finally {
        probe.remove();
      }
    }

    it("Join, disabled, drops the accent fill and has the arrow cursor, as the kit's other disabled buttons", async () => {
      const { enabled, disabled } = await bothJoins();
      const on = getComputedStyle(enabled);
      const off = getComputedStyle(disabled);
      expect(off.backgroundColor, 'fill').not.to.equal(on.backgroundColor);
      expect(off.borderTopColor, 'edge').not.to.equal(on.borderTopColor);
      expect(off.color, 'text').not.to.equal(on.color);
      // As the notification panel's disabled buttons and the rung Invite.
      expect(off.cursor).to.equal('default');
      expect(on.cursor).to.equal('pointer');
    });

    it('in forced colours, disabled Join and rung Invite are GrayText, the others are not', async () => {
      // Chromium draws a natively disabled button in GrayText by itself; the rung Invite is only
      // aria-disabled, which the browser knows nothing of: that one is the huddle's own rule.
      const { enabled, disabled } = await bothJoins();
      const { part, join } = await mount();
      await join();
      const invite = part('invite')!;
      invite.click();
      await waitUntil(() => invite.getAttribute('aria-disabled') === 'true', 'did not ring');
      await forcedColors(true);
      expect(matchMedia('(forced-colors: active)').matches).to.equal(true);
      const grayText = resolved('GrayText');
      expect(grayText).not.to.equal(resolved('ButtonText'));
      const looks = (button: HTMLElement) => {
        const style = getComputedStyle(button);
        return { text: style.color === grayText, edge: style.borderTopColor === grayText };
      };
      expect(looks(disabled), 'disabled Join').to.deep.equal({ text: true, edge: true });
      expect(looks(invite), 'rung Invite').to.deep.equal({ text: true, edge: true });
      expect(looks(enabled), 'Join').to.deep.equal({ text: false, edge: false });
      expect(looks(part('leave')!), 'Leave').to.deep.equal({ text: false, edge: false });
    });
  });

  describe('a ring: who rang is who the server says sent it', () => {
    const mallory = { id: 'mallory', name: 'Mallory Reyes' };

    /** `from` rings the room, its payload saying whatever it likes. */
    async function ring(
      { server, el, settle }: Awaited<ReturnType<typeof mount>>,
      from: string,
      payload: unknown = {},
    ) {
      const rang = oneEvent(el, 'crm-huddle-ring');
      server.broadcast(ROOM, 'call.ring', payload, from);
      const event = (await rang) as unknown as CrmHuddleRingEvent;
      await settle();
      return event;
    }

    it("names the caller from presence, never from the ring's payload", async () => {
      const mounted = await mount();
      mounted.server.addPerson(ROOM, mallory);
      await mounted.settle();
      const event = await ring(mounted, mallory.id, { name: 'Ana Ortiz (CEO) — urgent, join now' });
      expect(event.from).to.equal(mallory.id);
      expect(event.name).to.equal(mallory.name);
      const text = mounted.part('ring')!.textContent!;
      expect(text).to.contain(`${mallory.name}\u2069 is calling`);
      expect(text).not.to.contain('CEO');
      await expectAccessible(mounted.el);
    });

    it("a ring that comes before its sender's presence shows their id, then their name", async () => {
      const mounted = await mount();
      await ring(mounted, 'dana', { name: 'Ana Ortiz (CEO)' });
      expect(mounted.part('ring')!.textContent).to.contain('\u2068dana\u2069 is calling');
      mounted.server.addPerson(ROOM, { id: 'dana', name: 'Dana Lee' });
      await mounted.settle();
      expect(mounted.part('ring')!.textContent).to.contain('\u2068Dana Lee\u2069 is calling');
    });

    it('Join and Dismiss stay side by side: beside the name when there is room, under it when not', async () => {
      const mounted = await mount();
      mounted.server.addPerson(ROOM, { id: 'ana', name: 'Ana Souza' });
      await mounted.settle();
      await ring(mounted, 'ana');
      const [join, dismiss] = [...mounted.part('ring')!.querySelectorAll('button')];
      const name = mounted.part('ring')!.querySelector('span')!;
      const top = (el: Element) => Math.round(el.getBoundingClientRect().top);
      for (const width of ['40rem', '20rem']) {
        mounted.el.style.inlineSize = width;
        expect(top(join!), width).to.equal(top(dismiss!));
      }
      mounted.el.style.inlineSize = '40rem';
      expect(top(name)).to.be.at.least(top(join!) - 20);
      mounted.el.style.inlineSize = '20rem';
      expect(top(join!)).to.be.above(name.getBoundingClientRect().bottom - 1);
    });

    it('a long name is shortened and wraps; its own direction cannot reorder the sentence', async () => {
      const mounted = await mount();
      // The longest name presence carries, one word, opening with RIGHT-TO-LEFT OVERRIDE.
      const name = `\u202e${'W'.repeat(127)}`;
      mounted.server.addPerson(ROOM, { id: 'mallory', name });
      mounted.el.style.inlineSize = '20rem';
      await mounted.settle();
      await ring(mounted, 'mallory');
      const line = mounted.part('ring')!.querySelector('span')!;
      // The name sits between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE, as in `<bdi>`:
      // its override ends there, before "is calling".
      const shown = /^\u2068([^\u2069]*)\u2069 is calling$/u.exec(line.textContent!);
      expect(shown, line.textContent!).to.not.equal(null);
      expect(Array.from(shown![1]!).length).to.be.at.most(48);
      expect(shown![1]!.endsWith('…')).to.equal(true);
      // It wraps within the element instead of widening it (or the page).
      const ringPart = mounted.part('ring')!;
      expect(ringPart.scrollWidth).to.be.at.most(ringPart.clientWidth);
      expect(line.getBoundingClientRect().width).to.be.at.most(
        mounted.el.getBoundingClientRect().width,
      );
    });
  });

  /** Where `text` is drawn: the box of its first occurrence in a text node under `root`. */
  function drawn(root: Node, text: string): DOMRect {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent!.indexOf(text);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + text.length);
      return range.getBoundingClientRect();
    }
    throw new Error(`"${text}" is not drawn`);
  }

  describe('a ring and Join: one Join button, the focus kept as the ring comes and goes', () => {
    const ana = { id: 'ana', name: 'Ana Souza' };

    /** The buttons whose name is "Join call" (wherever they are in the element). */
    function joins(el: HTMLElement): HTMLButtonElement[] {
      const buttons = el.shadowRoot!.querySelectorAll<HTMLButtonElement>('button');
      return [...buttons].filter((b) => b.textContent!.trim() === 'Join call');
    }

    async function ringing() {
      const mounted = await mount();
      mounted.server.addPerson(ROOM, ana);
      await mounted.settle();
      const before = Object.assign(document.createElement('button'), { id: 'before' });
      mounted.el.parentElement!.before(before);
      return { ...mounted, before };
    }

    async function ring({ server, el, settle }: Awaited<ReturnType<typeof mount>>) {
      const rang = oneEvent(el, 'crm-huddle-ring');
      server.broadcast(ROOM, 'call.ring', {}, ana.id);
      await rang;
      await settle();
    }

    /** The focused button inside the element, or undefined. */
    const focused = (el: HTMLElement) =>
      (el.shadowRoot!.activeElement as HTMLButtonElement | null) ?? undefined;

    it("while it rings, the ring's Join is the only Join, and the element's Tab stop", async () => {
      const mounted = await ringing();
      const { el, part, before } = mounted;
      expect(joins(el)).to.have.length(1);
      await ring(mounted);
      const only = joins(el);
      expect(only, 'Join buttons while ringing').to.have.length(1);
      expect(only[0]!.closest('[part~="ring"]'), 'the Join is in the ring').to.not.equal(null);
      expect(part('controls'), 'an empty row under the ring').to.equal(null);
      before.focus();
      await sendKeys({ press: 'Tab' });
      expect(focused(el)).to.equal(only[0]);
      await expectAccessible(el);
    });

    it('the focus on Join moves to the ring when it rings, and back when it is dismissed', async () => {
      const mounted = await ringing();
      const { el, part, settle } = mounted;
      part('join')!.focus();
      await ring(mounted);
      await waitUntil(
        () =>
          focused(el)?.closest('[part~="ring"]') &&
          focused(el)?.textContent!.trim() === 'Join call',
        "the focus did not go to the ring's Join",
      );
      // Tab on to Dismiss, and dismiss by keyboard: the row's Join comes back with the focus.
      await sendKeys({ press: 'Tab' });
      expect(focused(el)?.textContent!.trim()).to.equal('Dismiss');
      await sendKeys({ press: 'Enter' });
      await settle();
      expect(part('ring')).to.equal(null);
      await waitUntil(() => focused(el) === part('join'), 'the focus did not come back to Join');
      expect(part('join')!.closest('[part~="controls"]')).to.not.equal(null);
      expect(joins(el)).to.have.length(1);
      expect(part('join')!.tabIndex).to.equal(0);
    });

    it("Enter on the ring's Join joins, and the toolbar takes the focus", async () => {
      const mounted = await ringing();
      const { el, part, settle, before } = mounted;
      await ring(mounted);
      before.focus();
      await sendKeys({ press: 'Tab' });
      const changed = oneEvent(el, 'crm-huddle-change');
      await sendKeys({ press: 'Enter' });
      await changed;
      await settle();
      expect(el.state).to.equal('in-call');
      expect(part('ring')).to.equal(null);
      await waitUntil(() => focused(el) === part('mute'), 'the focus did not go to the toolbar');
    });
  });

  describe('what a screen reader hears of the call', () => {
    const ana = { id: 'ana', name: 'Ana Souza' };
    const ben = { id: 'ben', name: 'Ben Carter' };

    /** A text field outside the element, with the focus, as a user busy in a form. */
    function busyInAField(): HTMLInputElement {
      const field = Object.assign(document.createElement('input'), { id: 'notes' });
      document.body.append(field);
      field.focus();
      return field;
    }

    it('a ring is announced at once, assertively, naming the button and the region to go to', async () => {
      const mounted = await mount();
      const { el, server, settle } = mounted;
      server.addPerson(ROOM, ana);
      await settle();
      // As the demo's customer page: the call is hidden until someone rings.
      el.hidden = true;
      el.addEventListener('crm-huddle-ring', () => (el.hidden = false));
      const field = busyInAField();
      try {
        const heard = listen(el);
        server.broadcast(ROOM, 'call.ring', {}, ana.id);
        await settle();
        expect(el.hidden).to.equal(false);
        expect(heard).to.deep.equal([
          {
            how: 'assertive',
            text: 'Ana Souza is calling. To join, press Join call in the Call region.',
          },
        ]);
        // The region and the button it names are the ones there: "Call", "Join call".
        expect(el.shadowRoot!.querySelector('[part~="base"]')!.getAttribute('aria-label')).to.equal(
          'Call',
        );
        expect(mounted.part('ring')!.querySelector('[part~="join"]')!.textContent!.trim()).to.equal(
          'Join call',
        );
        // Said where the user is; the focus stays in their field.
        expect(document.activeElement).to.equal(field);
        await expectAccessible(el);
      } finally {
        field.remove();
      }
    });

    it('a ring is said once, however often the element renders; a new ring is said again', async () => {
      const { el, server, settle, clock, part } = await mount();
      server.addPerson(ROOM, ana);
      await settle();
      const heard = listen(el);
      server.broadcast(ROOM, 'call.ring', {}, ana.id);
      await settle();
      expect(heard).to.have.length(1);
      // Presence changes and renders while it rings say nothing more.
      server.addPerson(ROOM, ben);
      server.setPersonStatus(ROOM, ana.id, 'away');
      await settle();
      el.requestUpdate();
      await settle();
      expect(heard).to.have.length(1);
      // Ana rings again before Ben answered: a new ring, the same words, said again.
      await clock.advance(5000);
      server.broadcast(ROOM, 'call.ring', {}, ana.id);
      await settle();
      expect(heard).to.have.length(2);
      expect(heard[1]).to.deep.equal(heard[0]);
      // Dismissed: the alert is emptied, which says nothing, and nothing stale is left to read.
      const dismiss = [...part('ring')!.querySelectorAll('button')].find(
        (b) => b.textContent!.trim() === 'Dismiss',
      )!;
      dismiss.click();
      await settle();
      expect(heard).to.have.length(2);
      expect(el.shadowRoot!.querySelector('[role="alert"]')!.textContent!.trim()).to.equal('');
    });

    it('the joiner hears their own joining, with who is in the call, not that those people joined', async () => {
      const { el, server, settle, clock, part } = await mount();
      server.addPerson(ROOM, ana, { inCall: true });
      await settle();
      // The permission prompt stays open until the test grants it.
      let grant!: () => void;
      const granted = new Promise<void>((resolve) => (grant = resolve));
      const prompt = navigator.mediaDevices.getUserMedia;
      navigator.mediaDevices.getUserMedia = async (c) => {
        await granted;
        return prompt.call(navigator.mediaDevices, c);
      };
      const heard = listen(el);
      const changed = oneEvent(el, 'crm-huddle-change');
      part('join')!.click();
      await waitUntil(() => heard.length > 0, 'nothing was said on joining');
      expect(heard).to.deep.equal([{ how: 'polite', text: 'Asking for your microphone…' }]);
      grant();
      await changed;
      await settle();
      // Past the window in which joins and leaves are gathered into one message.
      await clock.advance(2000);
      await settle();
      expect(el.state).to.equal('in-call');
      expect(heard).to.deep.equal([
        { how: 'polite', text: 'Asking for your microphone…' },
        { how: 'polite', text: 'You joined the call. Ana Souza is in it.' },
      ]);
      // Someone who joins after the user is announced as joining (the name without isolates).
      server.addPerson(ROOM, ben, { inCall: true });
      await settle();
      await clock.advance(1000);
      await settle();
      expect(heard.slice(2)).to.deep.equal([
        { how: 'polite', text: 'Ben Carter joined the call.' },
      ]);
      await expectAccessible(el);
      server.updatePerson(ROOM, ben.id, { inCall: false });
      await settle();
      await clock.advance(1000);
      await settle();
      expect(heard.slice(3)).to.deep.equal([{ how: 'polite', text: 'Ben Carter left the call.' }]);
    });

    it('the first in the call hears that they wait for others', async () => {
      const { el, join } = await mount();
      const heard = listen(el);
      await join();
      expect(heard.at(-1)).to.deep.equal({
        how: 'polite',
        text: 'You joined the call. Waiting for others to join.',
      });
    });

    it('accessible names carry no isolate characters, which braille displays show', async () => {
      const { el, server, settle, join, part } = await mount(ROOM, {
        devUser: { id: 'u-you', name: 'Ana Souza' },
      });
      server.addPerson(ROOM, ben);
      await settle();
      server.broadcast(ROOM, 'call.ring', {}, ben.id);
      await settle();
      expect(part('ring')!.getAttribute('aria-label')).to.equal('Ben Carter is calling');
      await join();
      server.updatePerson(ROOM, ben.id, { inCall: true });
      await settle();
      const tile = () =>
        el.shadowRoot!.querySelector<HTMLElement>('[part~="tile"][data-user="ben"]');
      await waitUntil(tile, "Ben's tile did not come");
      expect(tile()!.getAttribute('aria-label')).to.equal('Ben Carter');
      const named = [...el.shadowRoot!.querySelectorAll('[aria-label]')].map((e) =>
        e.getAttribute('aria-label'),
      );
      expect(named.filter((name) => ISOLATES.test(name!))).to.deep.equal([]);
    });

    it("a shared screen's tile is named in plain text, the name isolated where drawn", async () => {
      // Ana on this page, Ben in the same room on a second client of the same server, both in
      // the call over a real peer connection; Ben shares his screen.
      const mounted = await mount(ROOM, { devUser: { id: 'ana', name: 'Ana Souza' } });
      const benClient = connectFake(mounted.server, {
        ...mounted.options,
        devUser: ben,
        clientId: 'ben-device',
      });
      try {
        const benSide = await fixture<CrmRealtimeProvider>(
          html`<crm-realtime-provider .client=${benClient}>
            <crm-huddle room-id=${ROOM}></crm-huddle>
          </crm-realtime-provider>`,
        );
        const benHuddle = benSide.querySelector('crm-huddle')!;
        await mounted.join();
        await benHuddle.join();
        const benShare = () => benHuddle.shadowRoot!.querySelector<HTMLElement>('[part~="share"]');
        await waitUntil(benShare, 'Ben is not in the call');
        // Once Ben's connection to Ana is up, his screen goes to her.
        await waitUntil(
          () => benHuddle.peerConnections.some((pc) => pc.connectionState === 'connected'),
          'Ben and Ana did not connect',
          { timeout: 10_000 },
        );
        benShare()!.click();
        const screen = () =>
          mounted.el.shadowRoot!.querySelector<HTMLElement>(
            '[part~="tile"][data-screen][data-user="ben"]',
          );
        await waitUntil(screen, "Ben's screen did not reach Ana", { timeout: 10_000 });
        expect(screen()!.getAttribute('aria-label')).to.equal('Ben Carter’s screen');
        const name = screen()!.querySelector('[part~="name"]')!;
        expect(name.getAttribute('aria-hidden')).to.equal('true');
        expect(name.textContent!.trim()).to.equal(`${iso('Ben Carter')}’s screen`);
      } finally {
        benClient.close();
      }
    });
  });

  describe('tiles: one person, one look on the page', () => {
    const ben = { id: 'ben', name: 'Ben Carter' };

    /** A colour as computed styles give it. */
    function rgb(color: string): string {
      const probe = document.createElement('span');
      probe.style.backgroundColor = color;
      document.body.append(probe);
      try {
        return getComputedStyle(probe).backgroundColor;
      } finally {
        probe.remove();
      }
    }

    const tileOf = (el: HTMLElement, id: string) =>
      el.shadowRoot!.querySelector<HTMLElement>(
        `[part~="tile"][data-user="${id}"]:not([data-screen])`,
      );

    it("initials are on the person's colour, as in presence and the feed, not the accent", async () => {
      const { el, join, server, settle } = await mount();
      await join();
      server.addPerson(ROOM, ben, { inCall: true });
      await settle();
      await waitUntil(() => tileOf(el, ben.id), "Ben's tile did not come");
      const initials = tileOf(el, ben.id)!.querySelector<HTMLElement>('[part~="initials"]')!;
      expect(initials.textContent!.trim()).to.equal('BC');
      expect(getComputedStyle(initials).backgroundColor).to.equal(rgb(avatarColor(ben.id)));
      await expectAccessible(el);
    });

    it("a person's picture shows, as in presence; one that fails to load gives initials", async () => {
      const { el, join, client } = await mount(ROOM, {
        devUser: { id: 'u-pic', name: 'Pia Ito', avatarUrl: 'data:image/png;base64,AAAA' },
      });
      await join();
      const self = () => tileOf(el, client.user!.id)!;
      // The picture is tried first (a broken one here, so it gives way to the initials).
      await waitUntil(
        () => self().querySelector('[part~="initials"]'),
        'a picture that failed to load did not give way to initials',
      );
      expect(self().querySelector('[part~="initials"]')!.textContent).to.equal('PI');
      expect(
        getComputedStyle(self().querySelector('[part~="initials"]')!).backgroundColor,
      ).to.equal(rgb(avatarColor('u-pic')));
    });

    it('the picture of the profile is drawn when it loads', async () => {
      const { el, join, client } = await mount();
      await join();
      const img = tileOf(el, client.user!.id)!.querySelector<HTMLImageElement>('[part~="picture"]');
      expect(img, 'a picture').to.not.equal(null);
      expect(img!.src).to.equal(client.user!.avatarUrl);
      expect(img!.alt).to.equal('');
    });
  });

  describe('names cannot reorder the text around them (U+202E RIGHT-TO-LEFT OVERRIDE)', () => {
    // "Ada" sorts before "Ben", so the overriding name comes first in the sentence.
    const ada = { id: 'ada', name: '\u202eAda Reyes' };
    const ben = { id: 'ben', name: 'Ben Carter' };

    it('"In the call: …" keeps the names in order, each isolated', async () => {
      const { part, server, settle } = await mount();
      server.addPerson(ROOM, ada, { inCall: true });
      server.addPerson(ROOM, ben, { inCall: true });
      await settle();
      const line = part('message')!;
      const text = line.textContent!;
      // Ada comes first in the sentence: her override must not turn Ben's name round to the left
      // of hers (it did: "In the call: retraC neB dna seyeR adA").
      expect(text.indexOf('Ada')).to.be.below(text.indexOf('Ben'));
      expect(drawn(line, 'Ben Carter').left).to.be.above(drawn(line, 'Ada Reyes').right - 1);
      expect(drawn(line, 'Ben Carter').left).to.be.above(drawn(line, 'In the call:').right - 1);
      expect(text).to.contain(`\u2068${ada.name}\u2069`);
      expect(text).to.contain(`\u2068${ben.name}\u2069`);
    });

    it('a tile draws "(You)" after the name, isolated there; its label is plain text', async () => {
      const { el, join, client } = await mount(ROOM, {
        devUser: { id: 'u-you', name: '\u202eAna Souza' },
      });
      await join();
      const tile = el.shadowRoot!.querySelector<HTMLElement>(
        `[part~="tile"][data-user="${client.user!.id}"]`,
      )!;
      const name = tile.querySelector('[part~="name"]')!;
      expect(drawn(name, '(You)').left).to.be.above(drawn(name, 'Ana Souza').right - 1);
      expect(name.textContent!.trim()).to.equal(`${iso('\u202eAna Souza')} (You)`);
      // Spoken in logical order: no isolates, which braille displays would show.
      expect(tile.getAttribute('aria-label')).to.equal('\u202eAna Souza (You)');
      expect(tile.querySelector('[part~="initials"]')!.textContent).to.equal('AS');
    });

    it('"(You)" is a message: a translation places the note as its language does', async () => {
      const { el, join, client } = await mount(ROOM, {
        devUser: { id: 'u-you', name: 'Ana Souza' },
      });
      el.messages = { you: () => 'あなた', withNote: (name, note) => `${name}（${note}）` };
      await join();
      const tile = el.shadowRoot!.querySelector<HTMLElement>(
        `[part~="tile"][data-user="${client.user!.id}"]`,
      )!;
      expect(tile.getAttribute('aria-label')).to.equal('Ana Souza（あなた）');
      expect(tile.querySelector('[part~="name"]')!.textContent!.trim()).to.equal(
        `${iso('Ana Souza')}（あなた）`,
      );
    });

    it("a ring's name with a stray POP DIRECTIONAL ISOLATE cannot end its isolate early", async () => {
      const mounted = await mount();
      mounted.server.addPerson(ROOM, { id: 'eve', name: 'Eve\u2069\u202e' });
      await mounted.settle();
      const rang = oneEvent(mounted.el, 'crm-huddle-ring');
      mounted.server.broadcast(ROOM, 'call.ring', {}, 'eve');
      await rang;
      await mounted.settle();
      const line = mounted.part('ring')!.querySelector('span')!;
      // Read left to right: "is" before "calling" (the override reversed them: "gnillac si").
      expect(drawn(line, 'calling').left).to.be.above(drawn(line, 'is').right - 1);
      expect(line.textContent).to.equal('\u2068Eve\u202e\u2069 is calling');
    });
  });

  describe('right to left (dir="rtl") with the English texts', () => {
    it('"Waiting for others to join…" keeps its "…" at the end of the words', async () => {
      const { el, part, join } = await mount();
      el.parentElement!.setAttribute('dir', 'rtl');
      await join();
      const line = part('message')!;
      expect(line.textContent!.trim()).to.equal('Waiting for others to join…');
      // The line is laid out right to left (it sits on the right), the English in its own order.
      expect(getComputedStyle(line).direction).to.equal('rtl');
      expect(drawn(line, '…').left).to.be.above(drawn(line, 'join').right - 1);
      expect(drawn(line, 'Waiting').left).to.be.below(drawn(line, 'join').left);
      // "Ringing…" too, once rung.
      part('invite')!.click();
      await waitUntil(() => part('invite')!.getAttribute('aria-disabled') === 'true', 'not rung');
      const invite = part('invite')!;
      expect(drawn(invite, '…').left).to.be.above(drawn(invite, 'Ringing').right - 1);
    });
  });

  it('leaving stops every track it opened and leaves presence', async () => {
    const { el, part, join, client, settle } = await mount();
    await join();
    part('camera')!.click();
    await settle();
    part('leave')!.click();
    await settle();
    expect(el.state).to.equal('idle');
    expect(handed.filter((t) => t.readyState === 'live')).to.deep.equal([]);
    const presence = client.presence(ROOM);
    await settle();
    expect(presence.snapshot().self?.inCall).to.equal(undefined);
    presence.release();
  });
});
