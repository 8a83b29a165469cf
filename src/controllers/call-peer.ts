/**
 * One WebRTC connection of a mesh call, to one other person, negotiated by the "perfect
 * negotiation" pattern: either side may (re)negotiate at any time (a camera or a screen added, an
 * ICE restart), and when both offer at once the polite side yields. Politeness is fixed per pair
 * (the larger user id is polite), so both ends agree without a message.
 *
 * The impolite side makes the first offer of a connection; the polite side only says it is there
 * (a signal with its session and nothing else) and answers. If both opened, the polite side would
 * take its first offer back, and Chromium, when the offer that created a connection's transport is
 * taken back while its candidates are still being gathered, keeps a transport that never yields a
 * candidate: ICE stays "new" at both ends and no media ever flows (about one glare in five, more
 * under load). Later offers (a camera, a screen, an ICE restart) run on the negotiated transport,
 * where taking one back is harmless, so either side makes those.
 *
 * Signals carry the sender's call session and the session it believes the other side has: a
 * person who left and joined again within one presence batch has a new session, and what was meant
 * for the old one is dropped instead of corrupting the new connection.
 */

/**
 * What goes over the wire between two peers (the payload of a `call.signal` room event). With
 * neither a description nor a candidate, it says the sender is in the call with this session and
 * waits for the other side's first offer.
 */
export interface CallSignal {
  /** The sender's session. */
  session: string;
  /** The receiver's session as the sender knows it; absent before the first answer. */
  toSession?: string | undefined;
  description?: RTCSessionDescriptionInit | undefined;
  candidate?: RTCIceCandidateInit | undefined;
  /** Stream id of the sender's screen share, so the receiver can tell it from the camera. */
  screen?: string | undefined;
}

export interface CallPeerOptions {
  selfId: string;
  peerId: string;
  session: string;
  iceServers: RTCIceServer[];
  /** Sends a signal to this peer; false when it could not be sent (the socket is down). */
  send(signal: CallSignal): Promise<boolean>;
  /** Local tracks to send, with the stream each belongs to. */
  tracks(): ReadonlyArray<{ track: MediaStreamTrack; stream: MediaStream }>;
  /** The screen share stream id, if sharing. */
  screenId(): string | undefined;
  changed(): void;
}

/** Time in `disconnected` before an ICE restart is tried (it often heals by itself first). */
const DISCONNECTED_RESTART_MS = 2000;

export class CallPeer {
  readonly pc: RTCPeerConnection;
  /** The remote camera/microphone stream, and the remote screen share if any. */
  media: MediaStream | undefined;
  screen: MediaStream | undefined;
  /** 0..1 audio level of this peer, from `getStats`. */
  level = 0;
  /** 0..1 level of the user's own microphone as sent on this connection. */
  localLevel = 0;
  remoteSession: string | undefined;
  private remoteScreenId: string | undefined;
  private makingOffer = false;
  private ignoreOffer = false;
  private readonly polite: boolean;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /**
   * Signals are applied one at a time, in the order they arrived: a candidate applied while the
   * description before it is still being set fails ("no remote description") and is lost, and
   * two descriptions applied at once interleave their state changes.
   */
  private inbox: Promise<void> = Promise.resolve();
  /** A signal could not be sent: negotiate again (ICE restart) once signaling is back. */
  needsRestart = false;
  /** Audio energy totals at the previous sample, received and sent. */
  private heard: AudioTotals | undefined;
  private said: AudioTotals | undefined;

  constructor(private readonly options: CallPeerOptions) {
    this.polite = options.selfId > options.peerId;
    this.pc = new RTCPeerConnection({ iceServers: options.iceServers });
    const pc = this.pc;
    pc.onnegotiationneeded = () => void this.offer();
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) void this.send({ candidate: candidate.toJSON() });
    };
    pc.ontrack = ({ track, streams }) => this.addRemote(track, streams[0]);
    pc.oniceconnectionstatechange = () => this.iceState();
    pc.onconnectionstatechange = () => options.changed();
    for (const { track, stream } of options.tracks()) pc.addTrack(track, stream);
  }

  get peerId(): string {
    return this.options.peerId;
  }

  get state(): RTCPeerConnectionState {
    return this.pc.connectionState;
  }

  /** Send a local track (a camera or a screen turned on); renegotiates. */
  addTrack(track: MediaStreamTrack, stream: MediaStream): void {
    if (this.closed) return;
    this.pc.addTrack(track, stream);
  }

  /** Stop sending a track (camera or screen turned off); renegotiates. */
  removeTrack(track: MediaStreamTrack): void {
    if (this.closed) return;
    const sender = this.pc.getSenders().find((s) => s.track === track);
    if (sender) this.pc.removeTrack(sender);
  }

  /**
   * What the microphone sender sends, without renegotiating: `null` while muted (nothing leaves
   * the machine), or a new microphone after a device fallback.
   */
  async setAudio(track: MediaStreamTrack | null): Promise<void> {
    if (this.closed) return;
    const transceiver = this.pc
      .getTransceivers()
      .find((t) => t.receiver.track.kind === 'audio' && t.direction !== 'stopped');
    if (transceiver) await transceiver.sender.replaceTrack(track);
  }

  /**
   * A new ICE negotiation: a dropped path, or signals lost while the socket was down
   * (`signalsLost`). An offer sent while signaling was down may never be answered, and a
   * connection waiting for an answer never negotiates again, so after lost signals an unanswered
   * offer is taken back first. Otherwise an offer in flight is left to be answered: taking it back
   * would make its answer arrive out of turn.
   */
  restartIce(signalsLost = false): void {
    if (this.closed) return;
    this.needsRestart = false;
    // Nothing negotiated yet on the polite side: the other side opens, once it knows this one is
    // there (the announcement may be what was lost).
    if (this.waitsForFirstOffer) {
      void this.send({});
      return;
    }
    if (signalsLost && this.pc.signalingState === 'have-local-offer' && !this.makingOffer) {
      this.pc
        .setLocalDescription({ type: 'rollback' })
        .then(() => this.pc.restartIce())
        .catch(() => this.pc.restartIce());
      return;
    }
    this.pc.restartIce();
  }

  /** Applies a signal from the other side after every signal received before it. */
  receive(signal: CallSignal): Promise<void> {
    const applied = this.inbox.then(() => this.apply(signal));
    this.inbox = applied.catch(() => undefined);
    return applied;
  }

  private async apply(signal: CallSignal): Promise<void> {
    if (this.closed) return;
    if (signal.toSession !== undefined && signal.toSession !== this.options.session) return;
    this.remoteSession = signal.session;
    if (signal.screen !== undefined || signal.description) this.setScreenId(signal.screen);
    const { pc } = this;
    if (signal.description) {
      const description = signal.description;
      const collision =
        description.type === 'offer' && (this.makingOffer || pc.signalingState !== 'stable');
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      await pc.setRemoteDescription(description);
      if (description.type === 'offer') {
        await pc.setLocalDescription();
        // Not awaited: the next signals need not wait for the server to acknowledge this one.
        void this.send({ description: pc.localDescription!.toJSON() });
      }
    } else if (signal.candidate) {
      try {
        await pc.addIceCandidate(signal.candidate);
      } catch (error) {
        // Candidates of an offer this side ignored (glare) fail harmlessly.
        if (!this.ignoreOffer) throw error;
      }
    }
  }

  /**
   * Audio levels since the last sample, this peer's and the user's own as sent to it: the root
   * mean square of the audio energy over the interval (`totalAudioEnergy` over
   * `totalSamplesDuration`), so a word spoken between two samples counts. A single `audioLevel`
   * reading is a point in time and misses short sounds. Where the totals are missing, that
   * reading is used.
   */
  async sample(): Promise<void> {
    if (this.closed) return;
    const stats = await this.pc.getStats();
    const inbound = new AudioMeter();
    const outbound = new AudioMeter();
    stats.forEach((report: AudioReport) => {
      if (report.kind !== 'audio') return;
      if (report.type === 'inbound-rtp') inbound.add(report);
      else if (report.type === 'media-source') outbound.add(report);
    });
    this.level = inbound.level(this.heard);
    this.localLevel = outbound.level(this.said);
    this.heard = inbound.totals();
    this.said = outbound.totals();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.restartTimer);
    const pc = this.pc;
    pc.onnegotiationneeded = pc.onicecandidate = pc.ontrack = null;
    pc.oniceconnectionstatechange = pc.onconnectionstatechange = null;
    for (const receiver of pc.getReceivers()) receiver.track.stop();
    pc.close();
    this.media = this.screen = undefined;
  }

  /** The polite side before its first answer: it never opens a connection (see the header). */
  private get waitsForFirstOffer(): boolean {
    return this.polite && this.pc.currentRemoteDescription === null;
  }

  private async offer(): Promise<void> {
    if (this.closed) return;
    if (this.waitsForFirstOffer) {
      // Said instead of offered; once the first answer is set, the browser asks again for what
      // that negotiation did not cover (a camera the other side's offer had no place for).
      await this.send({});
      return;
    }
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      await this.send({ description: this.pc.localDescription!.toJSON() });
    } finally {
      this.makingOffer = false;
    }
  }

  private async send(partial: Omit<CallSignal, 'session' | 'toSession' | 'screen'>): Promise<void> {
    const signal: CallSignal = { ...partial, session: this.options.session };
    if (this.remoteSession !== undefined) signal.toSession = this.remoteSession;
    const screen = this.options.screenId();
    if (partial.description && screen !== undefined) signal.screen = screen;
    if (!(await this.options.send(signal))) this.needsRestart = true;
  }

  private addRemote(track: MediaStreamTrack, stream: MediaStream | undefined): void {
    const target = stream ?? new MediaStream([track]);
    if (target.id === this.remoteScreenId) this.screen = target;
    else this.media = target;
    // A removed track (camera or screen off) ends only on the sender's side; here it is muted
    // and removed from the stream, which is what the view follows.
    target.onremovetrack = () => {
      if (target === this.screen && target.getTracks().length === 0) this.screen = undefined;
      this.options.changed();
    };
    track.onended = () => this.options.changed();
    this.options.changed();
  }

  private setScreenId(id: string | undefined): void {
    if (id === this.remoteScreenId) return;
    this.remoteScreenId = id;
    if (id === undefined) {
      this.screen = undefined;
    } else if (this.media?.id === id) {
      this.screen = this.media;
      this.media = undefined;
    }
    this.options.changed();
  }

  private iceState(): void {
    const state = this.pc.iceConnectionState;
    clearTimeout(this.restartTimer);
    if (state === 'failed') this.restartIce();
    else if (state === 'disconnected') {
      this.restartTimer = setTimeout(() => this.restartIce(), DISCONNECTED_RESTART_MS);
    }
    this.options.changed();
  }
}

interface AudioReport {
  type: string;
  kind?: string;
  audioLevel?: number;
  totalAudioEnergy?: number;
  totalSamplesDuration?: number;
}

interface AudioTotals {
  energy: number;
  duration: number;
}

/** Sums the audio statistics of one direction (a connection may carry several audio streams). */
export class AudioMeter {
  private energy = 0;
  private duration = 0;
  private point = 0;
  private complete = true;

  add(report: AudioReport): void {
    this.point = Math.max(this.point, report.audioLevel ?? 0);
    if (report.totalAudioEnergy === undefined || report.totalSamplesDuration === undefined) {
      this.complete = false;
      return;
    }
    this.energy += report.totalAudioEnergy;
    this.duration += report.totalSamplesDuration;
  }

  totals(): AudioTotals | undefined {
    return this.complete ? { energy: this.energy, duration: this.duration } : undefined;
  }

  /** The level since `before` (RMS over the interval), or the point reading without totals. */
  level(before: AudioTotals | undefined): number {
    const now = this.totals();
    if (!now || !before) return this.point;
    const seconds = now.duration - before.duration;
    const energy = now.energy - before.energy;
    if (seconds <= 0 || energy < 0) return this.point;
    return Math.min(1, Math.sqrt(energy / seconds));
  }
}
