/**
 * A call among the people of one room (`<crm-huddle>`): local media, one `CallPeer` per other
 * person (a mesh), signaling through the page's one connection, and who is in the call through
 * presence.
 *
 * - Who is in the call is presence (`inCall`), so the others' `<crm-presence>` shows it and a late
 *   joiner finds the call without a message history. Each person connects to every other person
 *   in the call; the impolite end opens each connection, then both ends may offer and perfect
 *   negotiation settles who wins (see `call-peer.ts`).
 * - Only presence lets someone into the call: a connection is made, and a signal applied, only for
 *   a person the room's presence shows in the call, so a room member outside it cannot make the
 *   user's microphone flow to them by signalling. A joiner's first signals often arrive before the
 *   presence that shows them in the call (a signal is forwarded at once, presence is announced
 *   once per turn and read once per animation frame): those are held, in order, and applied when
 *   that presence arrives, or dropped after `HOLD_MS`. Presence that shows a connected person out
 *   of the call closes their connection.
 * - A ring names who rang from presence (the user the server says sent it), never from its
 *   payload, which the sender writes.
 * - Signals (descriptions, candidates) are room events addressed to one person (`emit` with `to`);
 *   the server delivers them to that person only. ICE servers come from the server (`call.config`).
 * - A dropped socket does not end the call: the peer-to-peer media keeps flowing, presence keeps
 *   the person for its grace period, and once the room is joined again every connection renegotiates
 *   with an ICE restart (signals may have been lost meanwhile). A connection whose path fails is
 *   restarted at once.
 * - Leaving (a button, the element leaving the page, `pagehide`) closes every connection and
 *   stops every local track.
 */
import { CALLS } from '../client/calls/calls-capability.js';
import type { RealtimeClient } from '../client/realtime-client.js';
import type { Person, PresenceStoreApi, Unsubscribe } from '../client/types.js';
import type { IceServer, ServerFrame } from '../protocol/index.js';
import type { HuddleState } from '../events/huddle-events.js';
import { CallPeer, type CallSignal } from './call-peer.js';
import { ClientController, type ControllerHost } from './client-controller.js';
import { warn } from '../util/warn.js';

/** People a mesh carries: each sends its media to every other, so upstream grows with the count. */
export const MAX_MESH_SIZE = 4;

export type HuddlePhase = HuddleState;

/** Someone rang the room: shown until joined, dismissed or stale. */
export interface HuddleRing {
  from: string;
  name: string;
  at: number;
}

const SIGNAL_EVENT = 'call.signal';
const RING_EVENT = 'call.ring';
/** A ring older than this (replayed after a reconnect, for example) no longer rings. */
const RING_FRESH_MS = 30_000;
/**
 * How long signals from someone presence does not show in the call wait for that presence: far
 * more than a presence announcement takes, short enough that a stranger's signals do not linger.
 */
export const HOLD_MS = 10_000;
/** Signals held per person: a first offer and its candidates fit many times over. */
const HOLD_MAX = 64;
/** Audio level above which someone counts as speaking (RMS over the last sample, 0..1). */
const SPEAKING_LEVEL = 0.02;
const SAMPLE_MS = 250;

let sessions = 0;

export class HuddleController extends ClientController {
  phase: HuddlePhase = 'idle';
  muted = false;
  camera: MediaStream | undefined;
  screen: MediaStream | undefined;
  microphone: MediaStream | undefined;
  /** The microphone ended (unplugged) and no other could be opened. */
  microphoneLost = false;
  ring: HuddleRing | undefined;
  /** The latest error of a device request (camera or screen refused), for the element to show. */
  deviceError: 'camera-denied' | 'screen-denied' | undefined;
  /** Own audio level, 0..1. */
  level = 0;
  readonly peers = new Map<string, CallPeer>();
  people: readonly Person[] = [];
  /** Why the server refused the call's room (`forbidden`, `too_many_rooms`), while it does. */
  roomRefused: string | undefined;

  private store: PresenceStoreApi | undefined;
  private boundRoom: string | undefined;
  private session = '';
  private iceServers: RTCIceServer[] = [];
  private sampler: ReturnType<typeof setInterval> | undefined;
  /** The socket dropped since the room was last joined. */
  private dropped = false;
  /** Per person presence does not show in the call (yet): their signals, in order, and the timer. */
  private readonly held = new Map<string, { signals: CallSignal[]; timer: unknown }>();
  private readonly onPageHide = (): void => this.leave();
  private readonly onDeviceChange = (): void => void this.checkMicrophone();

  constructor(
    host: ControllerHost,
    private readonly room: () => string | undefined,
    /** Called with the names of people who joined or left the call, for the live region. */
    private readonly announce: (change: 'joined' | 'left', id: string, name: string) => void,
  ) {
    super(host);
  }

  get selfId(): string | undefined {
    return this.client?.user?.id;
  }

  /** People in the call other than the user (from presence). */
  get others(): readonly Person[] {
    const self = this.selfId;
    return this.people.filter((p) => p.inCall === true && p.user.id !== self);
  }

  /** The user id of everyone speaking now (the user included). */
  get speaking(): ReadonlySet<string> {
    const ids = new Set<string>();
    if (this.phase === 'in-call' && !this.muted && this.level > SPEAKING_LEVEL && this.selfId) {
      ids.add(this.selfId);
    }
    for (const [id, peer] of this.peers) if (peer.level > SPEAKING_LEVEL) ids.add(id);
    return ids;
  }

  hostUpdate(): void {
    const room = this.room()?.trim() || undefined;
    if (this.client && room !== this.boundRoom) this.rebind();
  }

  protected override bind(client: RealtimeClient): Unsubscribe | void {
    const room = this.room()?.trim() || undefined;
    this.boundRoom = room;
    if (!room) return;
    client.use(CALLS); // the call frames parse from now on
    const store = this.tryOpen(room, () => client.presence(room), `room "${room}"`);
    if (!store) return; // `refused`: the element's Join button is disabled
    this.store = store;
    this.people = store.snapshot().people;
    this.roomRefused = store.snapshot().refused?.code;
    const offs = [
      store.subscribe((snapshot) => {
        this.people = snapshot.people;
        this.roomRefused = snapshot.refused?.code;
        this.followPresence();
        this.host.requestUpdate();
      }),
      client.onFrame((frame) => this.frame(frame)),
      client.on(RING_EVENT, (message) => {
        if (message.room !== room || message.from === undefined || message.from === this.selfId)
          return;
        if (this.phase === 'in-call' || client.clock.now() - message.at > RING_FRESH_MS) return;
        // `from` is who the server says sent it; the payload's `name` (older kits send one) is
        // the sender's own words, so anyone could ring as "the CEO": it is ignored.
        this.ring = { from: message.from, name: this.nameOf(message.from), at: message.at };
        this.host.requestUpdate();
      }),
      client.onStatus((status) => {
        if (status.state !== 'open') this.dropped = true;
      }),
      // Back in the room after a drop (not merely connected: a signal emitted before the room is
      // joined again is refused): signals may have been lost meanwhile, so every connection
      // negotiates anew, as does any whose signal could not be sent.
      client.onResume((info) => {
        if (info.room !== room) return;
        const dropped = this.dropped;
        this.dropped = false;
        for (const peer of this.peers.values()) {
          if (dropped || peer.needsRestart) peer.restartIce(true);
        }
      }),
    ];
    return () => {
      this.leave();
      offs.forEach((off) => off());
      store.release();
      this.store = undefined;
      this.people = [];
      this.roomRefused = undefined;
      this.ring = undefined;
      this.boundRoom = undefined;
    };
  }

  /** Join the call: asks for the microphone now (the moment it is needed). */
  async join(): Promise<void> {
    const client = this.client;
    const room = this.boundRoom;
    // No store: no room, or one the client refused (warned); there is nobody to call.
    if (!client || !room || !this.store || this.phase === 'joining' || this.phase === 'in-call')
      return;
    // Outside the room: nobody could hear the user, and the call's frames would be refused. A
    // page without media devices (not served over HTTPS) has no microphone to ask for: the
    // element says why instead of "no microphone was found".
    if (this.roomRefused !== undefined || !globalThis.navigator?.mediaDevices) return;
    if (this.others.length >= MAX_MESH_SIZE) {
      this.setPhase('full');
      return;
    }
    this.setPhase('joining');
    this.deviceError = undefined;
    try {
      this.microphone = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      this.setPhase((error as Error).name === 'NotAllowedError' ? 'denied' : 'no-device');
      return;
    }
    try {
      const answer = await client.request({ type: 'call.config' });
      if (answer.type === 'call.config') this.iceServers = answer.iceServers.map(toRtc);
    } catch {
      this.iceServers = []; // an older server or a blip: host candidates still work on a LAN
    }
    // Left (or moved to another room) while the permission prompt was open.
    if ((this.phase as HuddlePhase) !== 'joining' || this.boundRoom !== room) {
      this.stopLocal();
      return;
    }
    this.session = `${Date.now().toString(36)}-${++sessions}-${Math.random().toString(36).slice(2)}`;
    this.muted = false;
    this.microphoneLost = false;
    this.watchMicrophone();
    this.ring = undefined;
    this.setPhase('in-call');
    client.setInCall(room, true);
    globalThis.addEventListener('pagehide', this.onPageHide);
    navigator.mediaDevices.addEventListener('devicechange', this.onDeviceChange);
    this.sampler = setInterval(() => void this.sample(), SAMPLE_MS);
    this.followPresence();
  }

  /** Leave the call: every connection closed, every local track stopped. */
  leave(): void {
    const wasIn = this.phase === 'in-call' || this.phase === 'joining';
    for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
    for (const id of [...this.held.keys()]) this.dropHeld(id);
    this.stopLocal();
    clearInterval(this.sampler);
    this.sampler = undefined;
    globalThis.removeEventListener('pagehide', this.onPageHide);
    globalThis.navigator?.mediaDevices?.removeEventListener('devicechange', this.onDeviceChange);
    if (this.boundRoom) this.client?.setInCall(this.boundRoom, false);
    this.level = 0;
    if (wasIn || this.phase !== 'idle') this.setPhase('idle');
  }

  /**
   * Ask the others in the room to join (a ring shown in their huddle). The payload's `name` is
   * for kits that still read it; this one names the ringer from presence.
   */
  async invite(): Promise<void> {
    const client = this.client;
    if (!client || !this.boundRoom) return;
    await client.emit(this.boundRoom, RING_EVENT, { name: client.user?.name ?? '' });
  }

  dismissRing(): void {
    this.ring = undefined;
    this.host.requestUpdate();
  }

  /** Mute: the microphone sender sends nothing at all, and the track is disabled. */
  async toggleMute(): Promise<void> {
    if (this.phase !== 'in-call' || !this.microphone) return;
    this.muted = !this.muted;
    const track = this.microphone.getAudioTracks()[0] ?? null;
    if (track) track.enabled = !this.muted;
    this.host.requestUpdate();
    await Promise.all(
      [...this.peers.values()].map((peer) => peer.setAudio(this.muted ? null : track)),
    );
  }

  async toggleCamera(): Promise<void> {
    if (this.phase !== 'in-call') return;
    if (this.camera) {
      const camera = this.camera;
      this.camera = undefined;
      this.removeStream(camera);
      return;
    }
    try {
      this.camera = await navigator.mediaDevices.getUserMedia({ video: true });
      this.deviceError = undefined;
    } catch {
      this.deviceError = 'camera-denied';
      this.host.requestUpdate();
      return;
    }
    this.addStream(this.camera, () => {
      if (this.camera) void this.toggleCamera();
    });
  }

  /**
   * Whether this browser can share a screen at all: mobile browsers (Chrome on Android, Safari on
   * iOS) have no `getDisplayMedia`, and an insecure page has no `mediaDevices`. Asking there would
   * fail as if the user had refused.
   */
  get canShare(): boolean {
    return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
  }

  async toggleShare(): Promise<void> {
    if (this.phase !== 'in-call') return;
    if (this.screen) {
      const screen = this.screen;
      this.screen = undefined;
      this.removeStream(screen);
      return;
    }
    if (!this.canShare) return;
    try {
      this.screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      this.deviceError = undefined;
    } catch {
      this.deviceError = 'screen-denied';
      this.host.requestUpdate();
      return;
    }
    // The browser's own "Stop sharing" ends the track: the share ends here too.
    this.addStream(this.screen, () => {
      if (this.screen) void this.toggleShare();
    });
  }

  /**
   * Connect to everyone in the call and apply what they signalled before presence showed them in
   * it; close the connection of anyone presence no longer shows in it.
   */
  private followPresence(): void {
    if (this.ring && this.ring.name === this.ring.from) this.renameRing();
    if (this.phase !== 'in-call') return;
    const others = this.others.slice(0, MAX_MESH_SIZE - 1);
    const present = new Set(others.map((p) => p.user.id));
    for (const person of others) {
      if (!this.peers.has(person.user.id)) {
        this.connect(person.user.id);
        this.announce('joined', person.user.id, person.user.name);
      }
    }
    for (const [id, peer] of this.peers) {
      if (present.has(id)) continue;
      peer.close();
      this.peers.delete(id);
      this.announce('left', id, this.nameOf(id));
    }
    // Those still missing from presence keep waiting, until `HOLD_MS`.
    for (const id of [...this.held.keys()]) if (present.has(id)) this.releaseHeld(id);
  }

  /** Whether the room's presence shows this person in the call (and a place in the mesh for them). */
  private inCall(userId: string): boolean {
    return this.others.slice(0, MAX_MESH_SIZE - 1).some((person) => person.user.id === userId);
  }

  /** A person's name as presence has it; their user id while presence does not show them. */
  private nameOf(userId: string): string {
    return this.people.find((p) => p.user.id === userId)?.user.name ?? userId;
  }

  /** A ring that came before its sender's presence gets their name once presence shows them. */
  private renameRing(): void {
    const ring = this.ring!;
    const name = this.nameOf(ring.from);
    if (name !== ring.name) this.ring = { ...ring, name };
  }

  /** Keeps a signal until presence shows its sender in the call, or `HOLD_MS` passed. */
  private hold(from: string, signal: CallSignal): void {
    const clock = this.client!.clock;
    let entry = this.held.get(from);
    if (!entry) {
      entry = { signals: [], timer: clock.setTimeout(() => this.dropHeld(from), HOLD_MS) };
      this.held.set(from, entry);
    }
    if (entry.signals.length < HOLD_MAX) entry.signals.push(signal);
  }

  private dropHeld(from: string): void {
    const entry = this.held.get(from);
    if (!entry) return;
    this.client?.clock.clearTimeout(entry.timer);
    this.held.delete(from);
  }

  private connect(peerId: string): CallPeer {
    const client = this.client!;
    const room = this.boundRoom!;
    const peer = new CallPeer({
      selfId: this.selfId ?? '',
      peerId,
      session: this.session,
      iceServers: this.iceServers,
      send: async (signal) => {
        try {
          await client.request({
            type: 'emit',
            room,
            event: SIGNAL_EVENT,
            payload: signal as never,
            to: peerId,
          });
          return true;
        } catch {
          return false;
        }
      },
      tracks: () => this.localTracks(),
      screenId: () => this.screen?.id,
      changed: () => this.host.requestUpdate(),
    });
    if (this.muted) void peer.setAudio(null);
    this.peers.set(peerId, peer);
    return peer;
  }

  private frame(frame: ServerFrame): void {
    if (frame.type !== 'signal' || frame.room !== this.boundRoom || frame.event !== SIGNAL_EVENT)
      return;
    if (this.phase !== 'in-call' || frame.to !== this.selfId) return;
    const signal = frame.payload as unknown as CallSignal;
    if (typeof signal !== 'object' || signal === null || typeof signal.session !== 'string') return;
    // Not in the call as far as presence shows (yet): a joiner's presence may be a frame behind,
    // a stranger's never comes. Nothing is answered, no connection made, until it does.
    if (!this.inCall(frame.from)) {
      this.hold(frame.from, signal);
      return;
    }
    this.releaseHeld(frame.from);
    this.deliver(frame.from, signal);
  }

  /** Applies, in order, what someone signalled before presence showed them in the call. */
  private releaseHeld(from: string): void {
    const entry = this.held.get(from);
    if (!entry) return;
    this.dropHeld(from);
    for (const signal of entry.signals) this.deliver(from, signal);
  }

  /** Applies a signal of someone presence shows in the call, connecting to them if needed. */
  private deliver(from: string, signal: CallSignal): void {
    let peer = this.peers.get(from);
    // Someone who joined again has a new session: their old connection is gone for good.
    if (peer && peer.remoteSession !== undefined && peer.remoteSession !== signal.session) {
      peer.close();
      this.peers.delete(from);
      peer = undefined;
    }
    if (!peer) {
      if (this.peers.size >= MAX_MESH_SIZE - 1) return;
      peer = this.connect(from);
    }
    peer.receive(signal).catch((error: unknown) => {
      warn('<crm-huddle> could not apply a signal:', error);
    });
  }

  private localTracks(): Array<{ track: MediaStreamTrack; stream: MediaStream }> {
    const tracks: Array<{ track: MediaStreamTrack; stream: MediaStream }> = [];
    for (const stream of [this.microphone, this.camera, this.screen]) {
      if (!stream) continue;
      for (const track of stream.getTracks()) tracks.push({ track, stream });
    }
    return tracks;
  }

  private addStream(stream: MediaStream, ended: () => void): void {
    for (const track of stream.getTracks()) {
      track.addEventListener('ended', ended, { once: true });
      for (const peer of this.peers.values()) peer.addTrack(track, stream);
    }
    this.host.requestUpdate();
  }

  private removeStream(stream: MediaStream): void {
    for (const track of stream.getTracks()) {
      for (const peer of this.peers.values()) peer.removeTrack(track);
      track.stop();
    }
    this.host.requestUpdate();
  }

  /** The microphone ended (unplugged): open the default one instead, or say it is lost. */
  private watchMicrophone(): void {
    const track = this.microphone?.getAudioTracks()[0];
    track?.addEventListener('ended', this.onDeviceChange, { once: true });
  }

  private async checkMicrophone(): Promise<void> {
    const old = this.microphone?.getAudioTracks()[0];
    if (this.phase !== 'in-call' || (old && old.readyState === 'live')) return;
    try {
      const replacement = await navigator.mediaDevices.getUserMedia({ audio: true });
      if (this.phase !== 'in-call') {
        replacement.getTracks().forEach((t) => t.stop());
        return;
      }
      this.microphone = replacement;
      this.microphoneLost = false;
      const track = replacement.getAudioTracks()[0] ?? null;
      if (track) track.enabled = !this.muted;
      this.watchMicrophone();
      await Promise.all(
        [...this.peers.values()].map((peer) => peer.setAudio(this.muted ? null : track)),
      );
    } catch {
      this.microphoneLost = true;
    }
    this.host.requestUpdate();
  }

  private async sample(): Promise<void> {
    let level = 0;
    await Promise.all(
      [...this.peers.values()].map(async (peer) => {
        await peer.sample();
        level = Math.max(level, peer.localLevel);
      }),
    );
    this.level = level;
    this.host.requestUpdate();
  }

  private stopLocal(): void {
    for (const stream of [this.microphone, this.camera, this.screen]) {
      stream?.getTracks().forEach((track) => track.stop());
    }
    this.microphone = this.camera = this.screen = undefined;
    this.muted = false;
  }

  private setPhase(phase: HuddlePhase): void {
    this.phase = phase;
    this.host.requestUpdate();
  }
}

function toRtc(server: IceServer): RTCIceServer {
  const rtc: RTCIceServer = { urls: server.urls };
  if (server.username !== undefined) rtc.username = server.username;
  if (server.credential !== undefined) rtc.credential = server.credential;
  return rtc;
}
