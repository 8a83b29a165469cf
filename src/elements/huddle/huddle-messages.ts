/**
 * Every piece of text `<crm-huddle>` shows or announces. A page translates the element by setting
 * `element.messages = { ... }` with the entries it wants to replace; anything left out stays
 * English. Lists and counts follow the element's language (the nearest `lang` attribute).
 */
import type { MessageContext } from '../../i18n.js';

export interface HuddleMessages {
  /** Accessible name of the whole call region. */
  label(c: MessageContext): string;
  join(c: MessageContext): string;
  leave(c: MessageContext): string;
  /** Asks the others in the room to join. */
  invite(c: MessageContext): string;
  /** Shown after an invitation went out. */
  invited(c: MessageContext): string;
  /**
   * Someone rang the room, e.g. "Ana Souza is calling". `name` is their name from presence,
   * shortened; where the sentence is drawn or announced it comes isolated (U+2068 … U+2069), so it
   * cannot reorder the words around it, and plain in the ring's accessible name.
   */
  ringing(name: string, c: MessageContext): string;
  /**
   * Announced once per ring, assertively, wherever the user's focus is: `ringing` is the sentence
   * above, `join` and `region` the names of the Join button and of the element's region, so the
   * user can find the button: "Ana Souza is calling. To join, press Join call in the Call region."
   */
  ringAnnouncement(
    ringing: string,
    where: { join: string; region: string },
    c: MessageContext,
  ): string;
  dismiss(c: MessageContext): string;
  mute(c: MessageContext): string;
  camera(c: MessageContext): string;
  share(c: MessageContext): string;
  /** The visible state while the user shares their screen. */
  sharing(c: MessageContext): string;
  /** Shown, and announced, while asking for the microphone. */
  joining(c: MessageContext): string;
  /**
   * Announced to the user once they are in the call, with the people already in it (each name
   * isolated, U+2068 … U+2069), none when they are the first: "You joined the call. Ana Souza is
   * in it." Those people are not announced as joining.
   */
  selfJoined(names: readonly string[], c: MessageContext): string;
  /** The microphone permission was refused. */
  denied(c: MessageContext): string;
  retry(c: MessageContext): string;
  noDevice(c: MessageContext): string;
  /**
   * The browser offers no microphone to the page: `secure` is false on a page not served over
   * HTTPS (nor from `localhost`), where browsers give pages no media devices.
   */
  noMedia(secure: boolean, c: MessageContext): string;
  /** The microphone went away (unplugged) and no other could be opened. */
  microphoneLost(c: MessageContext): string;
  cameraDenied(c: MessageContext): string;
  screenDenied(c: MessageContext): string;
  /** The call is full for a mesh; a media server is needed for more people. */
  full(max: number, c: MessageContext): string;
  /**
   * The server refused the call's room: `code` is `forbidden` (the user may not see it) or
   * `too_many_rooms` (the page follows more rooms than its connection may hold; the call can be
   * joined as soon as another room is released). Join is unavailable meanwhile.
   */
  refused(code: string, c: MessageContext): string;
  /** Nobody else in the call yet. */
  waiting(c: MessageContext): string;
  /**
   * People in the call elsewhere in the room, shown before joining. Each name is already isolated
   * (U+2068 … U+2069), so one cannot reorder the others or the words around them.
   */
  inCall(names: readonly string[], c: MessageContext): string;
  /** Marks the user's own tile. */
  you(c: MessageContext): string;
  /**
   * A name on a tile with its note: "Ana Souza (You)", "Ben Carter (reconnecting…)". `name` is
   * isolated (U+2068 … U+2069) where it is drawn and plain in the tile's accessible name.
   */
  withNote(name: string, note: string, c: MessageContext): string;
  speaking(c: MessageContext): string;
  mutedBadge(c: MessageContext): string;
  /**
   * "Ana's screen"; `name` is isolated (U+2068 … U+2069) where it is drawn and plain in the
   * tile's accessible name.
   */
  screenOf(name: string, c: MessageContext): string;
  /** Connection to one person being restored. */
  reconnecting(c: MessageContext): string;
  notConnected(c: MessageContext): string;
  /** Live region: who joined and who left the call, each name isolated (U+2068 … U+2069). */
  joined(names: readonly string[], c: MessageContext): string;
  left(names: readonly string[], c: MessageContext): string;
}

export const defaultHuddleMessages: HuddleMessages = Object.freeze<HuddleMessages>({
  label: () => 'Call',
  join: () => 'Join call',
  leave: () => 'Leave call',
  invite: () => 'Ring everyone here',
  invited: () => 'Ringing…',
  ringing: (name) => `${name} is calling`,
  ringAnnouncement: (ringing, { join, region }) =>
    `${ringing}. To join, press ${join} in the ${region} region.`,
  dismiss: () => 'Dismiss',
  mute: () => 'Mute',
  camera: () => 'Camera',
  share: () => 'Share screen',
  sharing: () => 'You are sharing your screen',
  joining: () => 'Asking for your microphone…',
  selfJoined: (names, c) =>
    names.length === 0
      ? 'You joined the call. Waiting for others to join.'
      : `You joined the call. ${c.list(names)} ${names.length === 1 ? 'is' : 'are'} in it.`,
  denied: () =>
    'Microphone access was refused. Allow it in the browser (the icon in the address bar), then try again.',
  retry: () => 'Try again',
  noDevice: () => 'No microphone was found.',
  noMedia: (secure) =>
    secure
      ? 'Calls are not available in this browser.'
      : 'Calls are available only when this page is opened over HTTPS.',
  microphoneLost: () => 'Your microphone was disconnected.',
  cameraDenied: () => 'The camera could not be opened.',
  screenDenied: () => 'Screen sharing was cancelled or refused.',
  full: (max) =>
    `This call already has ${max} people. Larger calls need a media server (see the crm-huddle docs).`,
  refused: (code) =>
    code === 'forbidden'
      ? 'You may not join this call.'
      : 'This call cannot be joined now: the page follows too many rooms.',
  waiting: () => 'Waiting for others to join…',
  inCall: (names, c) => `In the call: ${c.list(names)}`,
  you: () => 'You',
  withNote: (name, note) => `${name} (${note})`,
  speaking: () => 'speaking',
  mutedBadge: () => 'muted',
  screenOf: (name) => `${name}’s screen`,
  reconnecting: () => 'reconnecting…',
  notConnected: () => 'Not connected',
  joined: (names, c) => `${c.list(names)} joined the call.`,
  left: (names, c) => `${c.list(names)} left the call.`,
});
