/**
 * An `RTCPeerConnection` for node tests of the negotiation logic: signaling states, implicit
 * offers and answers, implicit and explicit rollback, `negotiationneeded` as Chromium fires it
 * (only in "stable", and again on returning to "stable" while something is still unnegotiated),
 * and one ICE candidate per gathering, delivered a task later.
 *
 * It also keeps Chromium's defect that a call must survive: when the offer that created the
 * connection's transport is taken back while its candidates are still being gathered, the
 * transport never yields a candidate, so neither end ever connects (`brokenTransport`).
 *
 * Operations are chained like the browser's: each runs a task after the previous one settled, so
 * signals of two connections interleave as they would over a network.
 */

type Listener<E> = ((event: E) => void) | null;

interface Description {
  type: RTCSdpType;
  sdp: string;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function later(tasks: number): Promise<void> {
  for (let i = 0; i < tasks; i++) await tick();
}

/** Tasks from an offer or answer to its candidate: more than a signal takes to arrive. */
const GATHER_TASKS = 20;

let ufrags = 0;

export class FakePeerConnection {
  static readonly all: FakePeerConnection[] = [];

  onnegotiationneeded: Listener<Event> = null;
  onicecandidate: Listener<{ candidate: { toJSON(): RTCIceCandidateInit } | null }> = null;
  ontrack: Listener<unknown> = null;
  oniceconnectionstatechange: Listener<Event> = null;
  onconnectionstatechange: Listener<Event> = null;

  signalingState: RTCSignalingState = 'stable';
  localDescription: (Description & { toJSON(): Description }) | null = null;
  currentRemoteDescription: Description | null = null;
  pendingRemoteDescription: Description | null = null;
  /** Descriptions this connection created, in order ("offer" or "answer"). */
  readonly made: RTCSdpType[] = [];
  /** The offer that created the transport was taken back while gathering: it is dead. */
  brokenTransport = false;
  candidatesReceived = 0;

  private readonly senders: Array<{ track: unknown }> = [];
  /** Senders the last completed negotiation covered. */
  private negotiatedSenders = 0;
  private restartWanted = false;
  private ufrag = `u${++ufrags}`;
  /** A transport exists and was negotiated (a first offer/answer completed). */
  private transportNegotiated = false;
  /** Candidates of the current gathering are still to come. */
  private gathering = false;
  private needed = false;
  private operations: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(readonly config?: RTCConfiguration) {
    FakePeerConnection.all.push(this);
  }

  get remoteDescription(): Description | null {
    return this.pendingRemoteDescription ?? this.currentRemoteDescription;
  }

  get iceConnectionState(): RTCIceConnectionState {
    if (this.closed) return 'closed';
    return this.transportNegotiated && !this.brokenTransport && this.candidatesReceived > 0
      ? 'connected'
      : 'new';
  }

  get connectionState(): RTCPeerConnectionState {
    return this.iceConnectionState === 'connected' ? 'connected' : this.closed ? 'closed' : 'new';
  }

  /** Media lines of the last description this side set (one per sender it covered). */
  get lines(): number {
    return Number(/m=(\d+)/.exec(this.localDescription?.sdp ?? '')?.[1] ?? 0);
  }

  addTrack(track: unknown): { track: unknown } {
    const sender = { track };
    this.senders.push(sender);
    this.updateNegotiationNeeded();
    return sender;
  }

  getSenders(): Array<{ track: unknown }> {
    return this.senders;
  }

  getTransceivers(): unknown[] {
    return [];
  }

  getReceivers(): unknown[] {
    return [];
  }

  restartIce(): void {
    this.restartWanted = true;
    this.updateNegotiationNeeded();
  }

  setLocalDescription(description?: { type: RTCSdpType }): Promise<void> {
    return this.chain(() => {
      if (description?.type === 'rollback') {
        this.rollback();
        return;
      }
      if (this.signalingState === 'have-remote-offer') {
        // An answer covers what the offer had room for.
        const offered = Number(/m=(\d+)/.exec(this.pendingRemoteDescription?.sdp ?? '')?.[1] ?? 0);
        this.describe('answer', Math.min(offered, this.senders.length));
        this.currentRemoteDescription = this.pendingRemoteDescription;
        this.pendingRemoteDescription = null;
        this.completed();
      } else {
        if (this.restartWanted) this.ufrag = `u${++ufrags}`;
        this.restartWanted = false;
        this.describe('offer', this.senders.length);
        this.signalingState = 'have-local-offer';
      }
    });
  }

  setRemoteDescription(description: Description): Promise<void> {
    return this.chain(() => {
      if (description.type === 'offer') {
        if (this.signalingState === 'have-local-offer') this.rollback();
        this.pendingRemoteDescription = description;
        this.signalingState = 'have-remote-offer';
      } else {
        if (this.signalingState !== 'have-local-offer') {
          throw new Error(`answer in state ${this.signalingState}`);
        }
        this.currentRemoteDescription = description;
        this.completed();
      }
    });
  }

  addIceCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    return this.chain(() => {
      if (!this.remoteDescription) throw new Error('no remote description');
      if (candidate.usernameFragment !== /ufrag=(\w+)/.exec(this.remoteDescription.sdp)?.[1]) {
        throw new Error('candidate of another ICE generation');
      }
      this.candidatesReceived++;
      this.oniceconnectionstatechange?.(new Event('iceconnectionstatechange'));
    });
  }

  close(): void {
    this.closed = true;
    this.signalingState = 'closed';
  }

  private chain(operation: () => void): Promise<void> {
    const run = this.operations.then(async () => {
      await tick();
      if (this.closed) throw new Error('closed');
      operation();
    });
    this.operations = run.catch(() => undefined);
    return run;
  }

  private describe(type: RTCSdpType, lines: number): void {
    const sdp = `ufrag=${this.ufrag} m=${lines}`;
    this.localDescription = { type, sdp, toJSON: () => ({ type, sdp }) };
    this.made.push(type);
    this.gather();
  }

  /**
   * One host candidate, unless the gathering was taken back first. It comes some tasks later
   * (`GATHER_TASKS`): gathering takes longer than a signal's trip, as in a browser, where host
   * candidates come tens of milliseconds to a second after the offer.
   */
  private gather(): void {
    if (this.brokenTransport) return;
    this.gathering = true;
    const ufrag = this.ufrag;
    void later(GATHER_TASKS).then(() => {
      if (!this.gathering || this.closed || this.brokenTransport) return;
      this.gathering = false;
      const init = {
        candidate: `candidate:1 1 udp 1 192.0.2.1 9 typ host`,
        usernameFragment: ufrag,
      };
      this.onicecandidate?.({ candidate: { toJSON: () => init } });
    });
  }

  private rollback(): void {
    if (this.signalingState !== 'have-local-offer') throw new Error('nothing to roll back');
    // Chromium's defect: the transport this offer created, still gathering, is left dead.
    if (!this.transportNegotiated && this.gathering) this.brokenTransport = true;
    this.gathering = false;
    this.signalingState = 'stable';
    this.localDescription = null;
    this.needed = false;
    this.updateNegotiationNeeded();
  }

  /** An offer/answer exchange completed: back in "stable". */
  private completed(): void {
    this.signalingState = 'stable';
    this.transportNegotiated = true;
    this.negotiatedSenders = this.lines;
    // Still needed (a sender the exchange did not cover): Chromium fires the event again.
    this.needed = false;
    this.updateNegotiationNeeded();
  }

  private updateNegotiationNeeded(): void {
    setImmediate(() => {
      if (this.closed || this.signalingState !== 'stable' || this.needed) return;
      if (!this.restartWanted && this.senders.length <= this.negotiatedSenders) return;
      this.needed = true;
      this.onnegotiationneeded?.(new Event('negotiationneeded'));
    });
  }
}
