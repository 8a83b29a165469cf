import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html, nothing, type TemplateResult } from 'lit';
import { fakeBackend, storyScope, track } from '../.storybook/fake-backend.js';
import type { CrmHuddle } from '../src/elements/huddle/crm-huddle.js';
import '../src/elements/huddle/define.js';
import '../src/elements/realtime-provider/define.js';

const ROOM = 'customer:42';
const CALLER = { id: 'u-ana', name: 'Ana Souza' };

/**
 * Fake devices, so every state shows without a camera or a permission prompt: the microphone is
 * a quiet oscillator, the camera and the screen a canvas that keeps drawing. `refuse` plays a
 * refused permission.
 */
function fakeDevices(refuse: boolean): () => void {
  const devices = navigator.mediaDevices;
  const real = { gum: devices.getUserMedia, gdm: devices.getDisplayMedia };
  const stream = (c: MediaStreamConstraints): MediaStream => {
    const out = new MediaStream();
    if (c.audio) {
      const audio = new AudioContext();
      const gain = audio.createGain();
      gain.gain.value = 0.05;
      const destination = audio.createMediaStreamDestination();
      const oscillator = audio.createOscillator();
      oscillator.connect(gain).connect(destination);
      oscillator.start();
      destination.stream.getAudioTracks().forEach((t) => out.addTrack(t));
    }
    if (c.video) {
      const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 240 });
      const g = canvas.getContext('2d')!;
      let hue = 0;
      const draw = () => {
        g.fillStyle = `hsl(${(hue += 2) % 360} 60% 55%)`;
        g.fillRect(0, 0, 320, 240);
        if (out.getVideoTracks().some((t) => t.readyState === 'live')) requestAnimationFrame(draw);
      };
      canvas
        .captureStream(15)
        .getVideoTracks()
        .forEach((t) => out.addTrack(t));
      draw();
    }
    return out;
  };
  devices.getUserMedia = async (c) => {
    if (refuse) throw new DOMException('refused', 'NotAllowedError');
    return stream(c ?? {});
  };
  devices.getDisplayMedia = async () => stream({ video: true });
  return () => {
    devices.getUserMedia = real.gum;
    devices.getDisplayMedia = real.gdm;
  };
}

interface Args {
  join: boolean;
  refuse: boolean;
  /** Ana is in the room and rings it: "Ana Souza is calling", announced to screen readers. */
  ring: boolean;
  /** `page`: follow the toolbar's theme (`data-crm-theme` on `<html>`); else force one here. */
  theme: 'page' | 'light' | 'dark';
  dir: 'ltr' | 'rtl';
}

function render(args: Args, name: string): TemplateResult {
  storyScope(name);
  track({ stop: fakeDevices(args.refuse) });
  const backend = fakeBackend('open');
  if (args.ring) backend.server.addPerson(ROOM, CALLER);
  const joined = (el: Element | undefined) => {
    if (el && args.join) void (el as CrmHuddle).join();
    // Once the element is in the room (a ring before that would reach nobody).
    if (el && args.ring) {
      const handle = setTimeout(
        () => backend.server.broadcast(ROOM, 'call.ring', {}, CALLER.id),
        500,
      );
      track({ stop: () => clearTimeout(handle) });
    }
  };
  return html`<div
    data-crm-theme=${args.theme === 'page' ? nothing : args.theme}
    dir=${args.dir}
    style="max-inline-size: 40rem"
  >
    <crm-realtime-provider .client=${backend.client}>
      <crm-huddle room-id=${ROOM} ${refAfter(joined)}></crm-huddle>
    </crm-realtime-provider>
  </div>`;
}

/** Calls `fn` with the element once it is in the document (a tiny `ref` without the directive). */
function refAfter(fn: (el: Element | undefined) => void) {
  queueMicrotask(() => setTimeout(() => fn(document.querySelector('crm-huddle') ?? undefined)));
  return '';
}

const meta: Meta<Args> = {
  title: 'Calls/Huddle',
  component: 'crm-huddle',
  tags: ['autodocs'],
  args: { join: false, refuse: false, ring: false, theme: 'page', dir: 'ltr' },
  argTypes: {
    theme: { control: 'inline-radio', options: ['page', 'light', 'dark'] },
    dir: { control: 'inline-radio', options: ['ltr', 'rtl'] },
  },
};
export default meta;

type Story = StoryObj<Args>;

export const Idle: Story = { render: (args) => render(args, 'idle') };
/**
 * Ana rings: "Ana Souza is calling" with Join and Dismiss. Screen readers hear it at once, wherever
 * the focus is: "Ana Souza is calling. To join, press Join call in the Call region."
 */
export const Ringing: Story = { args: { ring: true }, render: (args) => render(args, 'ringing') };
export const InACall: Story = { args: { join: true }, render: (args) => render(args, 'in-call') };
export const MicrophoneRefused: Story = {
  args: { join: true, refuse: true },
  render: (args) => render(args, 'refused'),
};
export const Dark: Story = {
  args: { join: true, theme: 'dark' },
  render: (args) => render(args, 'dark'),
};
export const RightToLeft: Story = {
  args: { join: true, dir: 'rtl' },
  render: (args) => render(args, 'rtl'),
};
