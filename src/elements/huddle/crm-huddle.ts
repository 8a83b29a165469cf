import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Person } from '../../client/types.js';
import { HuddleController, MAX_MESH_SIZE } from '../../controllers/index.js';
import {
  CrmHuddleChangeEvent,
  CrmHuddleRingEvent,
  type HuddleState,
} from '../../events/huddle-events.js';
import { localeOf, messageContext, withDefaults, type MessageContext } from '../../i18n.js';
import { realClock } from '../../util/clock.js';
import { avatarColor, initials, safeAvatarUrl } from '../shared/avatar.js';
import { shorten } from '../shared/shorten.js';
import { avatarImage } from '../shared/avatar-image.js';
import { isolate, said } from '../shared/bidi.js';
import { PresenceLiveRegion } from '../shared/live-region.js';
import { RovingTabindexController } from '../shared/roving-tabindex.js';
import { CallAnnouncer } from './call-announcer.js';
import { styles } from './crm-huddle.styles.js';
import { defaultHuddleMessages, type HuddleMessages } from './huddle-messages.js';
import { styleProps } from '../shared/style-props.js';
import { LanguageWatch } from '../shared/language-watch.js';

/**
 * Characters of a caller's name shown in "… is calling": names come from presence (at most 128
 * characters on the wire), and a line that rings should stay one short sentence.
 */
const RING_NAME_MAX = 48;

/** Shortcut keys, active while the focus is inside the element. */
const SHORTCUTS: Readonly<Record<string, 'mute' | 'camera' | 'share'>> = {
  m: 'mute',
  v: 'camera',
  s: 'share',
};

/**
 * The buttons that share the element's one Tab stop: the call's toolbar, or Join outside the call,
 * which is the ring's Join while a ring is shown (the only Join then), so the focus goes from one
 * to the other as the ring comes and goes.
 */
/**
 * Whether the page gets no media devices: a page not served over HTTPS (a CRM on an intranet's
 * `http:`), or a browser without them. Joining would fail there, as if no microphone existed.
 */
const noMedia = (): boolean => !globalThis.navigator?.mediaDevices;

const TAB_STOP = '[part~="controls"] button, [part~="ring"] button[part~="join"]';

/** Who a tile shows: the name, the picture or initials of presence. */
interface TileUser {
  readonly id: string;
  readonly name: string;
  readonly avatarUrl?: string | undefined;
}

/**
 * A call among the people on a record or page: join and leave, ring the others, mute, camera,
 * screen sharing, who is speaking. Audio only until the camera is turned on. Peer to peer (a mesh)
 * for up to 4 people; a fifth is told that a media server is needed.
 *
 * Who is in the call is shown in presence (`<crm-presence>` marks them "in a call"). Signaling goes
 * through the page's one connection; ICE servers come from the server (`CRM_ICE_SERVERS`). The
 * microphone is asked for when joining, the camera and the screen when turned on; a refusal shows
 * a message and a retry. A dropped connection re-negotiates instead of ending the call; leaving
 * the page leaves the call.
 *
 * A ring is announced at once, wherever the focus is ("Ana Souza is calling. To join, press Join
 * call in the Call region."), once per ring; joining is confirmed to the user with who is already
 * in the call, and those people are not announced as joining.
 *
 * Screen sharing is offered only where the browser can share a screen (`getDisplayMedia`): phones
 * and tablets get no Share button, rather than one that fails as if they had refused.
 *
 * Keyboard, while the focus is inside the element: M mute, V camera, S share the screen. The call's
 * controls are a toolbar, one Tab stop: Left and Right move between them (round at the ends,
 * mirrored right to left), Home and End go to the first and the last. No key answers a ring from
 * elsewhere on the page (it would take a key from the page's own fields): the ring's Join is the
 * element's Tab stop, in the element's region, which the announcement names.
 *
 * @tagname crm-huddle
 * @summary A call on a record: audio, camera, screen sharing, who is speaking.
 * @csspart base - The call's surface.
 * @csspart message - A status line (joining, refused, full, waiting).
 * @csspart ring - "Ana is calling" with Join and Dismiss.
 * @csspart sharing - The "You are sharing your screen" badge.
 * @csspart tiles - The list of people in the call.
 * @csspart tile - One person (or one screen share).
 * @csspart name - The name on a tile.
 * @csspart initials - The initials on a tile without video or picture, on the user's colour.
 * @csspart picture - The profile picture on a tile without video.
 * @csspart controls - The row of buttons.
 * @csspart join - The Join button.
 * @csspart leave - The Leave button.
 * @csspart invite - The "Ring everyone here" button.
 * @csspart mute - The mute toggle.
 * @csspart camera - The camera toggle.
 * @csspart share - The screen share toggle.
 * @cssprop [--crm-huddle-gap=var(--crm-space-s)] - Space between parts.
 * @cssprop [--crm-huddle-surface=var(--crm-color-surface-raised)] - Background of the call.
 * @cssprop [--crm-huddle-tile-background=var(--crm-color-surface-sunken)] - Background of a tile.
 * @cssprop [--crm-huddle-tile-size=9rem] - Smallest tile width.
 * @cssprop [--crm-huddle-speaking-color=var(--crm-color-success)] - Ring around whoever speaks.
 * @cssprop [--crm-huddle-sharing-color=var(--crm-color-danger)] - Dot of the sharing badge.
 * @cssprop [--crm-huddle-radius=var(--crm-radius-l)] - Corner radius.
 *
 * @fires {CrmHuddleRingEvent} crm-huddle-ring - Someone in the room rang (asked the others to join).
 * @fires {CrmHuddleChangeEvent} crm-huddle-change - The user joined, left, or could not join (refused, no microphone, full).
 */
export class CrmHuddle extends LitElement {
  /** A language or direction switched around the element renders it again in the new one. */
  private readonly languageWatch = new LanguageWatch(this);

  static override styles = styles;

  /** The room of the call, e.g. `customer:42`. */
  @property({ attribute: 'room-id' }) roomId = '';

  /** Texts to replace, for translation; anything left out stays English. */
  @property({ attribute: false }) messages: Partial<HuddleMessages> = {};

  @state() private invited = false;

  private readonly call = new HuddleController(
    this,
    () => this.roomId,
    (change, id, name) => {
      // The people the call connects to as the user joins were there first: "You joined the
      // call. Ana Souza is in it." names them, and "Ana Souza joined the call" would be untrue.
      if (!this.announcer.inCall) return;
      if (change === 'joined') this.live.joined(id, isolate(name));
      else this.live.left(id, isolate(name));
    },
  );
  private readonly live = new PresenceLiveRegion(this, {
    clock: () => this.call.client?.clock ?? realClock,
    format: ({ joined, left }) =>
      [
        ...(joined.length ? [this.m.joined(joined, this.c)] : []),
        ...(left.length ? [this.m.left(left, this.c)] : []),
      ].join(' '),
  });
  private readonly announcer = new CallAnnouncer();
  /** One Tab stop for the row of buttons (the call's toolbar, or Join outside the call). */
  private readonly controls = new RovingTabindexController(this, {
    group: () => this.renderRoot.querySelector<HTMLElement>('[part~="base"]'),
    selector: TAB_STOP,
  });
  /** Pictures that failed to load: their tiles show initials, as `<crm-presence>` does. */
  @state() private brokenPictures: ReadonlySet<string> = new Set();
  private m: HuddleMessages = defaultHuddleMessages;
  private c: MessageContext = messageContext('en');
  private lastState: HuddleState = 'idle';
  /** The call's phase as the last `willUpdate` saw it. */
  private phaseSeen: HuddleState = 'idle';
  private lastRing: unknown;

  /** Where the user stands in the call. */
  get state(): HuddleState {
    return this.call.phase;
  }

  /** Is the microphone muted? */
  get muted(): boolean {
    return this.call.muted;
  }

  /**
   * @internal Every open peer connection, for tests and debugging (count them to find leaks).
   */
  get peerConnections(): readonly RTCPeerConnection[] {
    return [...this.call.peers.values()].map((peer) => peer.pc);
  }

  /** @internal The local streams (microphone, camera, screen), for tests and debugging. */
  get localStreams(): readonly MediaStream[] {
    const { microphone, camera, screen } = this.call;
    return [microphone, camera, screen].filter((s): s is MediaStream => s !== undefined);
  }

  /** Join the call (asks for the microphone). */
  join(): Promise<void> {
    return this.call.join();
  }

  /** Leave the call: every connection closed, every track stopped. */
  leave(): void {
    this.call.leave();
  }

  /** Ring the others in the room. */
  async invite(): Promise<void> {
    await this.call.invite();
    this.invited = true;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.onKeyDown);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onKeyDown);
    this.live.dispose();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.m = withDefaults(defaultHuddleMessages, this.messages, '<crm-huddle>');
    this.c = messageContext(localeOf(this));
    if (changed.has('roomId')) this.invited = false;
    // "Invited" lasts while the call does: reset in the update that shows the call ending, not by
    // scheduling another from `updated`.
    const phase = this.call.phase;
    if (phase !== this.phaseSeen) {
      this.phaseSeen = phase;
      if (phase !== 'in-call') this.invited = false;
    }
    this.announce();
  }

  /** A ring that came, and the user's own joining, for the announcer to say once each. */
  private announce(): void {
    const { m, c, call } = this;
    this.announcer.follow(
      { ring: this.ringShown ? call.ring : undefined, phase: call.phase },
      {
        ring: (caller) =>
          m.ringAnnouncement(
            m.ringing(isolate(shorten(caller, RING_NAME_MAX)), c),
            { join: m.join(c), region: m.label(c) },
            c,
          ),
        joining: () => m.joining(c),
        joined: () =>
          m.selfJoined(
            call.others.filter((p) => call.peers.has(p.user.id)).map((p) => isolate(p.user.name)),
            c,
          ),
      },
    );
  }

  protected override updated(): void {
    const ring = this.call.ring;
    if (ring && ring !== this.lastRing) {
      this.dispatchEvent(new CrmHuddleRingEvent(this.roomId, ring.from, ring.name));
    }
    this.lastRing = ring;
    const now = this.call.phase;
    if (now !== this.lastState) {
      this.lastState = now;
      if (now !== 'joining') this.dispatchEvent(new CrmHuddleChangeEvent(this.roomId, now));
    }
  }

  override render(): TemplateResult {
    const m = this.m;
    const c = this.c;
    if (this.call.providerMissing) {
      return html`<p part="message">${said(m.notConnected(c))}</p>`;
    }
    return html`<section part="base" aria-label=${m.label(c)}>
      ${this.renderRing()}
      ${this.call.phase === 'in-call' ? this.renderCall() : this.renderOutside()}
      ${this.live.render()} ${this.announcer.render()}
    </section>`;
  }

  /** Is "… is calling" shown? Not in the call, where a ring does not ring. */
  private get ringShown(): boolean {
    return this.call.ring !== undefined && this.call.phase !== 'in-call';
  }

  /**
   * Join cannot be used: joining, no connection, a room the client or the server refuses, a full
   * call, a browser that gives the page no microphone.
   */
  private get joinDisabled(): boolean {
    const phase = this.call.phase;
    return (
      phase === 'joining' ||
      noMedia() ||
      !this.call.client ||
      this.call.refused ||
      this.call.roomRefused !== undefined ||
      phase === 'full'
    );
  }

  /**
   * The ring's Join is the only Join while the ring shows (two same-named buttons one above the
   * other say two different things to sighted and screen-reader users alike); it holds the
   * element's Tab stop meanwhile, and gives it back to the row's Join when the ring ends. The
   * name is isolated in the sentence drawn, and plain in the group's label: isolates in an
   * accessible name show on braille displays, and a name is spoken in logical order anyway.
   */
  private renderRing(): TemplateResult | typeof nothing {
    const ring = this.call.ring;
    if (!ring || !this.ringShown) return nothing;
    const { m, c } = this;
    const name = shorten(ring.name, RING_NAME_MAX);
    return html`<div part="ring" role="group" aria-label=${m.ringing(name, c)}>
      <span>${said(m.ringing(isolate(name), c))}</span>
      <span class="ring-actions">
        <button
          type="button"
          part="join"
          ?disabled=${this.joinDisabled}
          @click=${() => void this.join()}
        >
          ${said(m.join(c))}
        </button>
        <button type="button" @click=${() => this.call.dismissRing()}>${said(m.dismiss(c))}</button>
      </span>
    </div>`;
  }

  private renderOutside(): TemplateResult {
    const { m, c } = this;
    const phase = this.call.phase;
    const others = this.call.others;
    let message: TemplateResult | typeof nothing = nothing;
    const roomRefused = this.call.roomRefused;
    if (roomRefused !== undefined) message = this.message(m.refused(roomRefused, c));
    else if (noMedia()) message = this.message(m.noMedia(globalThis.isSecureContext, c));
    else if (phase === 'joining') message = this.message(m.joining(c));
    else if (phase === 'denied') message = this.error(m.denied(c));
    else if (phase === 'no-device') message = this.error(m.noDevice(c));
    else if (phase === 'full') message = this.error(m.full(MAX_MESH_SIZE, c));
    else if (others.length > 0) {
      message = this.message(
        m.inCall(
          others.map((p) => isolate(p.user.name)),
          c,
        ),
      );
    }
    if (this.ringShown) return html`${message}`;
    const retry = phase === 'denied' || phase === 'no-device';
    return html`${message}
      <div part="controls">
        <button
          type="button"
          part="join"
          ?disabled=${this.joinDisabled}
          @click=${() => void this.join()}
        >
          ${said(retry ? m.retry(c) : m.join(c))}
        </button>
      </div>`;
  }

  /**
   * Invite, once rung, is `aria-disabled` rather than `disabled`: the only unusable control of the
   * toolbar stays focusable (the APG toolbar example's choice), so "Ringing…" can still be found by
   * arrowing, and the focus does not drop to the page when the button it is on is pressed.
   */
  private renderCall(): TemplateResult {
    const { m, c } = this;
    const call = this.call;
    const speaking = call.speaking;
    const self = call.client?.user;
    const others = call.others.filter((p) => call.peers.has(p.user.id));
    return html`
      ${call.screen ? html`<p part="sharing" role="status">${said(m.sharing(c))}</p>` : nothing}
      ${call.microphoneLost ? this.error(m.microphoneLost(c)) : nothing}
      ${call.deviceError === 'camera-denied' ? this.error(m.cameraDenied(c)) : nothing}
      ${call.deviceError === 'screen-denied' ? this.error(m.screenDenied(c)) : nothing}
      ${others.length === 0 ? this.message(m.waiting(c)) : nothing}
      <ul part="tiles">
        ${
          self
            ? this.tile(self, m.you(c), call.camera, true, speaking.has(self.id), call.muted)
            : nothing
        }
        ${repeat(
          others,
          (p) => p.user.id,
          (p) => this.peerTiles(p, speaking.has(p.user.id)),
        )}
      </ul>
      <div part="controls" role="toolbar" aria-label=${m.label(c)}>
        <button
          type="button"
          part="mute"
          aria-pressed=${call.muted ? 'true' : 'false'}
          aria-keyshortcuts="M"
          @click=${() => void call.toggleMute()}
        >
          ${said(m.mute(c))}
        </button>
        <button
          type="button"
          part="camera"
          aria-pressed=${call.camera ? 'true' : 'false'}
          aria-keyshortcuts="V"
          @click=${() => void call.toggleCamera()}
        >
          ${said(m.camera(c))}
        </button>
        ${
          call.canShare
            ? html`<button
                type="button"
                part="share"
                aria-pressed=${call.screen ? 'true' : 'false'}
                aria-keyshortcuts="S"
                @click=${() => void call.toggleShare()}
              >
                ${said(m.share(c))}
              </button>`
            : nothing
        }
        <button
          type="button"
          part="invite"
          aria-disabled=${this.invited ? 'true' : 'false'}
          @click=${() => {
            if (!this.invited) void this.invite();
          }}
        >
          ${said(this.invited ? m.invited(c) : m.invite(c))}
        </button>
        <button type="button" part="leave" @click=${() => this.leave()}>${said(m.leave(c))}</button>
      </div>
    `;
  }

  private peerTiles(person: Person, speaking: boolean): TemplateResult {
    const peer = this.call.peers.get(person.user.id);
    const { m, c } = this;
    const state = peer?.state;
    const reconnecting = state === 'disconnected' || state === 'failed';
    return html`${this.tile(
      person.user,
      reconnecting ? m.reconnecting(c) : undefined,
      peer?.media,
      false,
      speaking,
      false,
    )}
    ${peer?.media ? html`<audio autoplay .srcObject=${peer.media}></audio>` : nothing}
    ${
      peer?.screen
        ? html`<li
            part="tile"
            data-screen
            data-user=${person.user.id}
            aria-label=${m.screenOf(person.user.name, c)}
          >
            <video autoplay playsinline muted .srcObject=${peer.screen}></video>
            <span part="name" aria-hidden="true"
              >${said(m.screenOf(isolate(person.user.name), c))}</span
            >
          </li>`
        : nothing
    }`;
  }

  /**
   * A person's tile. The name drawn is isolated (U+2068 … U+2069), so a right-to-left name, or one
   * carrying an override character, cannot reorder "(You)" or the badges after it; the tile's
   * label, spoken in logical order, is plain text (isolates in an accessible name show on braille
   * displays). Without video: the picture of presence, or initials on the user's colour, so one
   * person looks the same in the huddle, `<crm-presence>` and the feed.
   */
  private tile(
    user: TileUser,
    note: string | undefined,
    stream: MediaStream | undefined,
    self: boolean,
    speaking: boolean,
    muted: boolean,
  ): TemplateResult {
    const { m, c } = this;
    const video = stream?.getVideoTracks().some((t) => t.readyState === 'live');
    const named = (name: string) => (note ? m.withNote(name, note, c) : name);
    const label = [named(user.name), speaking ? m.speaking(c) : '', muted ? m.mutedBadge(c) : '']
      .filter(Boolean)
      .join(', ');
    return html`<li
      part="tile"
      data-user=${user.id}
      ?data-self=${self}
      ?data-speaking=${speaking}
      aria-label=${label}
    >
      ${video ? html`<video autoplay playsinline muted .srcObject=${stream}></video>` : this.face(user)}
      <span part="name" aria-hidden="true"
        >${said(`${named(isolate(user.name))}${muted ? ` · ${m.mutedBadge(c)}` : ''}`)}</span
      >
    </li>`;
  }

  private face(user: TileUser): TemplateResult {
    const url = safeAvatarUrl(user.avatarUrl);
    if (url !== undefined && !this.brokenPictures.has(url)) {
      return avatarImage(url, 'picture', (src) => {
        this.brokenPictures = new Set(this.brokenPictures).add(src);
      });
    }
    return html`<span
      part="initials"
      aria-hidden="true"
      style=${styleProps({ '--_avatar-bg': avatarColor(user.id) })}
      >${initials(user.name, this.c.locale)}</span
    >`;
  }

  private message(text: string): TemplateResult {
    return html`<p part="message">${said(text)}</p>`;
  }

  private error(text: string): TemplateResult {
    return html`<p part="message" data-tone="error" role="alert">${said(text)}</p>`;
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.repeat) return;
    const action = SHORTCUTS[event.key.toLowerCase()];
    if (!action || this.call.phase !== 'in-call') return;
    const target = event.composedPath()[0];
    if (target instanceof HTMLElement && (target.isContentEditable || 'value' in target)) {
      if (!(target instanceof HTMLButtonElement)) return; // typing in a field
    }
    event.preventDefault();
    if (action === 'mute') void this.call.toggleMute();
    else if (action === 'camera') void this.call.toggleCamera();
    else void this.call.toggleShare();
  };
}
