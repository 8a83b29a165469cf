import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { bdi, isolate, said } from '../shared/bidi.js';
import { keyedList } from '../shared/keyed-list.js';
import type { Person, PresenceSnapshot } from '../../client/types.js';
import {
  ConnectionStatusController,
  PresenceController,
  pageRoom,
} from '../../controllers/index.js';
import { CrmPresenceChangeEvent } from '../../events/presence-events.js';
import { CrmPresenceCallEvent } from '../../events/huddle-events.js';
import { localeOf, messageContext, withDefaults, type MessageContext } from '../../i18n.js';
import { avatarContent, avatarStyle } from './avatar-template.js';
import { phoneIcon } from './icons.js';
import { styles } from './crm-presence.styles.js';
import { PresenceLiveRegion } from '../shared/live-region.js';
import { personText, type PersonText } from './person-text.js';
import { defaultPresenceMessages, type PresenceMessages } from './presence-messages.js';
import { rovingTarget } from './roving.js';
import { RowMotion } from './row-motion.js';
import { SnapshotFollower } from './snapshot-follower.js';
import type { OverflowPanel, Tooltip } from './popups.js';
import { realClock } from '../../util/clock.js';
import { warnOnceFor } from '../../util/warn.js';
import { cssEscape } from '../shared/css-escape.js';
import { LanguageWatch } from '../shared/language-watch.js';

export type PresencePosition = 'top-right' | 'bottom-left' | 'floating';
const POSITIONS: readonly string[] = ['top-right', 'bottom-left', 'floating'];
const DEFAULT_MAX_VISIBLE = 5;

const warnOnce = warnOnceFor('<crm-presence>');

/**
 * Avatars of the people in a room, one per person however many tabs or devices they have.
 *
 * Shows a picture when the profile has a safe URL and initials on a colour derived from the user
 * id otherwise; a status dot (online, away, offline: a full disc, a crescent, a ring); a pencil
 * when someone edits a field. Beyond `max-visible` people a "+N" button opens a list of everyone
 * with their state and tab count. Arrivals and departures animate (not under reduced motion) and
 * are announced to screen readers in batches of one message per second at most. Without a
 * `<crm-realtime-provider>` it shows a quiet "Not connected".
 *
 * Showing a room holds it, which makes the user present there for everyone else. With `watch` (a
 * widget per row of a list page) it shows the room's people without announcing the user there.
 *
 * @tagname crm-presence
 * @summary Who is here: avatars with state, activity and tab count.
 *
 * @csspart base - The wrapper of everything visible.
 * @csspart list - The row of avatars.
 * @csspart item - One entry of the row (an avatar, or the "+N" button).
 * @csspart avatar - One avatar (in the row and in the list of everyone).
 * @csspart face - The round picture or initials inside an avatar.
 * @csspart image - The picture, when the profile has one.
 * @csspart initials - The initials, when it has not.
 * @csspart status - The status dot; also `status-online`, `status-away`, `status-offline`.
 * @csspart editing - The pencil badge of someone editing.
 * @csspart overflow - The "+N" button.
 * @csspart tooltip - The tooltip of the avatar under the pointer or focus.
 * @csspart tooltip-name - Its first line, the name.
 * @csspart tooltip-detail - Its other lines: state, activity, tabs.
 * @csspart panel - The list of everyone opened by "+N".
 * @csspart panel-heading - Its heading ("12 people here").
 * @csspart panel-list - Its list.
 * @csspart row - One person in it.
 * @csspart row-name - The name in a row.
 * @csspart row-detail - State, activity and tabs in a row.
 * @csspart note - The quiet texts: alone, loading, reconnecting, offline, not connected.
 * @csspart call - "Start a call with the people here" (`callable`): a pill with a handset and the
 *   text, or the handset alone where the text does not fit (the text stays its name).
 * @csspart call-label - The text in it.
 *
 * @cssprop [--crm-presence-size=2rem] - Avatar diameter.
 * @cssprop [--crm-presence-gap=16% of the size] - Space between avatars; a negative value stacks them.
 * @cssprop [--crm-presence-ring-color=var(--crm-color-surface)] - Ring that separates avatars; set it to the background the element sits on.
 * @cssprop [--crm-presence-ring-width=2px] - Width of that ring.
 * @cssprop [--crm-presence-online-color=var(--crm-color-success)] - Online dot.
 * @cssprop [--crm-presence-away-color=var(--crm-color-warning)] - Away dot.
 * @cssprop [--crm-presence-offline-color=var(--crm-color-neutral)] - Offline ring.
 * @cssprop [--crm-presence-editing-color=var(--crm-color-accent)] - Pencil badge and ring of someone editing.
 * @cssprop [--crm-presence-surface=var(--crm-color-surface-raised)] - Background of the positioned (fixed) variants.
 * @cssprop [--crm-presence-inset=1rem] - Distance from the viewport's edges when positioned.
 * @cssprop [--crm-presence-z-index=var(--crm-z-dropdown)] - Stacking of the positioned variants.
 * @cssprop [--crm-presence-tooltip-background=var(--crm-color-text)] - Tooltip background.
 * @cssprop [--crm-presence-tooltip-color=var(--crm-color-surface)] - Tooltip text.
 * @cssprop [--crm-presence-duration=var(--crm-duration-slow)] - Length of arrival and departure animations.
 *
 * @fires {CrmPresenceCallEvent} crm-presence-call - "Start a call with the people here" was pressed (`callable`); cancelable, else the page's `<crm-huddle>` of the room joins and rings.
 * @fires {CrmPresenceChangeEvent} crm-presence-change - Someone arrived, left or changed state (not fired for the first snapshot).
 */
export class CrmPresence extends LitElement {
  /** A language or direction switched around the element renders it again in the new one. */
  private readonly languageWatch = new LanguageWatch(this);

  static override styles = styles;

  /** The room to show, e.g. `customer:42`. Empty: this page, `page:` + `location.pathname`. */
  @property({ attribute: 'room-id' }) roomId = '';

  /** Show the current user's own avatar too (first in the row); not while watching. */
  @property({ type: Boolean, attribute: 'show-current-user' }) showCurrentUser = false;

  /**
   * Show who is in the room without announcing the user there: for a row of a list, whose user
   * is not on the record. Nobody else there shows nothing rather than "Only you here". The room is
   * still a member room while another widget of the page holds it without `watch` (the record's
   * open form).
   */
  @property({ type: Boolean }) watch = false;

  /** Avatars shown before the rest collapse into "+N". A whole number from 1; default 5. */
  @property({ type: Number, attribute: 'max-visible' }) maxVisible = DEFAULT_MAX_VISIBLE;

  /**
   * Fix the element to a corner of the viewport (`top-right`, `bottom-left`) or float it at the
   * bottom end (`floating`), on a small raised surface. Unset: inline, in the flow of the page.
   * Corners follow the writing direction: `top-right` is top-left on a right-to-left page.
   */
  @property({ reflect: true }) position: PresencePosition | undefined = undefined;

  /** Texts to replace, for translation; anything left out stays English. */
  @property({ attribute: false }) messages: Partial<PresenceMessages> = {};

  /**
   * Display names of the fields people edit, by field name, as the page's form labels them:
   * `{ nextStep: 'Follow-up' }` makes "Editing Follow-up". A field not listed (or listed empty) is
   * named by the `fieldName` message: by default the CRM's form label for the room's entity type,
   * else the field's name in words. As `<crm-collaborative-form>`'s `fieldLabels`.
   */
  @property({ attribute: false }) fieldLabels: Record<string, string> = {};

  /**
   * Offer "Start a call with the people here" while others are in the room: fires the cancelable
   * `crm-presence-call`; unless cancelled, the page's `<crm-huddle>` of the same room joins and
   * rings them.
   */
  @property({ type: Boolean }) callable = false;

  private readonly presence = new PresenceController(
    this,
    () => this.room,
    () => this.watch,
  );
  private readonly connection = new ConnectionStatusController(this);

  @state() private brokenImages = new Set<string>();
  /** The avatar that takes the Tab stop of the row (roving tabindex), by user id. */
  private activeId: string | undefined;
  /** Everyone to list (the current user only with `show-current-user`), the row, the "+N". */
  private everyone: Person[] = [];
  private row: Person[] = [];
  private shownIds: string[] = [];
  private overflowCount = 0;
  /** People the row counts: those listed, plus the rest of a room too large to list. */
  private counted = 0;
  /** Index in the row of the entry that had the focus before an update, or -1. */
  private focusedIndex = -1;
  private pendingEvent: CrmPresenceChangeEvent | undefined;

  private readonly follower = new SnapshotFollower();
  private readonly motion = new RowMotion();
  private readonly live = new PresenceLiveRegion(this, {
    // The client's clock, so a test's manual clock drives the batching window too.
    clock: () => this.presence.client?.clock ?? realClock,
    format: ({ joined, left }) =>
      this.m.sentences(
        [
          ...(joined.length ? [this.m.joined(joined, this.c)] : []),
          ...(left.length ? [this.m.left(left, this.c)] : []),
        ],
        this.c,
      ),
  });

  private m: PresenceMessages = defaultPresenceMessages;
  private c: MessageContext = messageContext('en');

  /**
   * The tooltip and the list behind "+N", once their code is here: it loads on first need (a hover
   * or a focus on an avatar, someone behind "+N"), so a row nobody points at costs none of it.
   */
  private popups: { tooltip: Tooltip; panel: OverflowPanel } | undefined;
  private popupsLoad: Promise<void> | undefined;
  /** A hover or focus that came before the tooltip's code: shown once it is here. */
  private pendingTip: { anchor: HTMLElement; id: string; via: 'pointer' | 'focus' } | undefined;

  /** The room actually followed: `room-id`, or this page's room. */
  get room(): string {
    return this.roomId.trim() || pageRoom();
  }

  /** Everyone in the room now (the current user included), one entry per person. */
  get people(): readonly Person[] {
    return this.presence.people;
  }

  /**
   * The room the call button has may have changed: see `fitCall`. In the next frame, as a resize
   * in the observer's callback would be one the observer cannot deliver (a console error).
   */
  private readonly resized =
    typeof ResizeObserver === 'undefined'
      ? undefined
      : new ResizeObserver(() => requestAnimationFrame(this.fitCall));

  override connectedCallback(): void {
    super.connectedCallback();
    this.resized?.observe(this);
    addEventListener('resize', this.fitCall);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resized?.disconnect();
    removeEventListener('resize', this.fitCall);
    this.live.dispose();
    this.popups?.panel.dispose();
    this.popups?.tooltip.hide();
    this.pendingTip = undefined;
    this.motion.clear();
    this.follower.clear();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // null once the attribute is removed: inline, nothing to warn about.
    if (changed.has('position') && this.position != null) {
      if (!POSITIONS.includes(this.position)) {
        warnOnce(
          `position:${this.position}`,
          `position="${this.position}" is not one of ${POSITIONS.join(', ')}; showing it inline.`,
        );
      }
    }
    if (changed.has('maxVisible') && !this.validMax(this.maxVisible)) {
      // As written: an attribute that is no number at all ("lots") arrives here as NaN.
      const written = Number.isNaN(this.maxVisible)
        ? (this.getAttribute('max-visible') ?? this.maxVisible)
        : this.maxVisible;
      warnOnce(
        `max:${written}`,
        `max-visible="${written}" is not a whole number from 1; using ${DEFAULT_MAX_VISIBLE}.`,
      );
    }
    const labels: unknown = this.fieldLabels;
    if (changed.has('fieldLabels') && labels != null && typeof labels !== 'object') {
      warnOnce(
        'fieldLabels',
        'fieldLabels is not an object of field names to labels; naming fields by default.',
      );
    }
    this.m = withDefaults(defaultPresenceMessages, this.messages, '<crm-presence>');
    this.c = messageContext(localeOf(this));
    const active = (this.renderRoot as ShadowRoot).activeElement as HTMLElement | null;
    this.focusedIndex = active ? this.rowItems().indexOf(active) : -1;
    this.follow(this.presence.snapshot);
    this.layout();
  }

  /** Who goes in the row, who behind "+N", and which avatar holds the row's Tab stop. */
  private layout(): void {
    const snapshot = this.presence.snapshot;
    this.everyone = snapshot && this.follower.synced ? this.visiblePeople(snapshot) : [];
    const max = this.validMax(this.maxVisible) ? this.maxVisible : DEFAULT_MAX_VISIBLE;
    const shown = this.everyone.slice(0, max);
    // A large room lists only its first people: "+N" and the labels count the whole room.
    const unlisted = snapshot ? snapshot.total - snapshot.people.length : 0;
    this.counted = this.everyone.length + unlisted;
    this.overflowCount = this.counted - shown.length;
    this.shownIds = shown.map((p) => p.user.id);
    this.row = this.motion.withLeaving(shown);
    if (!this.activeId || !this.shownIds.includes(this.activeId)) {
      // The Tab stop's person left. With the focus in the row, `updated()` moves it to the
      // neighbour at the same place: the Tab stop goes there now, so that focus needs no second
      // render.
      const at = this.focusedIndex >= 0 ? Math.min(this.focusedIndex, this.shownIds.length - 1) : 0;
      this.activeId = this.shownIds[at];
    }
    if (this.overflowCount > 0) this.loadPopups();
    this.popups?.panel.sync(this.overflowCount > 0);
  }

  /** Compare the store's snapshot with the one on screen: animate, announce, fire the event. */
  private follow(snapshot: PresenceSnapshot | undefined): void {
    const change = this.follower.next(snapshot);
    if (change === 'same') return;
    if (change === 'reset') {
      // Another room (or none): start over, silently.
      this.motion.clear();
      this.live.dispose();
      return;
    }
    const selfId = this.selfId;
    for (const person of change.arrived) {
      this.motion.arrived(person.user.id);
      if (person.user.id !== selfId) this.live.joined(person.user.id, isolate(person.user.name));
    }
    for (const person of change.left) {
      this.motion.left(person, this.shownIds.indexOf(person.user.id));
      if (person.user.id !== selfId) this.live.left(person.user.id, isolate(person.user.name));
    }
    this.pendingEvent = new CrmPresenceChangeEvent({
      room: snapshot!.room,
      people: snapshot!.people,
      ...change,
    });
  }

  protected override updated(): void {
    // The focused avatar went away (or is animating out, no longer focusable): the keyboard
    // stays in the row, on its neighbour.
    if (this.focusedIndex >= 0) {
      const items = this.rowItems();
      const active = (this.renderRoot as ShadowRoot).activeElement as HTMLElement | null;
      if (!active || !items.includes(active)) {
        items[Math.min(this.focusedIndex, items.length - 1)]?.focus();
      }
    }
    this.motion.prune((id) => this.renderRoot.querySelector(`.item[data-id="${cssEscape(id)}"]`));
    this.popups?.tooltip.updated();
    this.popups?.panel.updated();
    this.fitCall();
    const event = this.pendingEvent;
    this.pendingEvent = undefined;
    if (event) this.dispatchEvent(event);
  }

  /** The server refused the room: say so instead of loading for ever. */
  private renderRefused(code: string): TemplateResult {
    if (code === 'too_many_rooms') {
      warnOnce(
        `too-many-rooms`,
        `rooms beyond the connection's limit (maxRoomsPerConnection) wait for others to be released; with a widget per row, show the rows in view only.`,
      );
    }
    return html`<div part="base" class="base">
      <span part="note" class="note refused" dir="auto">${this.m.refused(code, this.c)}</span>
    </div>`;
  }
  protected override render(): TemplateResult {
    // The page's one connection status, by the rule every widget shares (see `ConnectionView`).
    const view = this.connection.view;
    if (!this.presence.client || this.presence.providerMissing || view === 'closed') {
      return html`<div part="base" class="base">
        <span part="note" class="note not-connected"
          >${notConnectedIcon}${said(this.m.notConnected(this.c))}</span
        >
      </div>`;
    }
    if (this.presence.refused) {
      // A room the client refuses (warned once in the console): nobody to show, and no loading
      // state that would never end.
      return html`<div part="base" class="base"></div>`;
    }
    const refusal = this.presence.snapshot?.refused;
    if (refusal) return this.renderRefused(refusal.code);
    // Who is here may be stale while the connection is down: say why, in the header's words.
    const reconnecting = view === 'reconnecting' || view === 'offline';
    const why =
      view === 'offline'
        ? this.m.offline(this.c)
        : html`<span class="spinner" aria-hidden="true"></span>${this.m.reconnecting(this.c)}`;
    const snapshot = this.presence.snapshot;
    if (!snapshot || !this.follower.synced) {
      return html`<div part="base" class="base" aria-busy="true">
        <span class="list" aria-hidden="true"
          ><span class="skeleton"></span><span class="skeleton"></span><span class="skeleton"></span
        ></span>
        <span part="note" class="note ${reconnecting ? '' : 'visually-hidden'}" dir="auto"
          >${reconnecting ? why : this.m.loading(this.c)}</span
        >
        ${this.live.render()}
      </div>`;
    }
    const { everyone, row, overflowCount: hidden, counted } = this;
    // Watching a room nobody is in shows nothing and takes no room: a list's rows keep their
    // height.
    const quiet = this.watch && !reconnecting && row.length + hidden === 0;
    return html`<div
      part="base"
      class="base ${reconnecting ? 'reconnecting' : quiet ? 'quiet' : ''}"
    >
      ${
        row.length > 0 || hidden > 0
          ? html`<ul
              part="list"
              class="list"
              role="list"
              aria-label=${this.m.groupLabel(counted, this.c)}
              @keydown=${this.onRowKeydown}
            >
              ${keyedList(
                row,
                (p) => p.user.id,
                (p) => this.renderItem(p),
              )}
              ${hidden > 0 ? html`<li part="item" class="item">${this.renderOverflowButton(hidden, counted)}</li>` : nothing}
            </ul>`
          : this.watch
            ? nothing
            : html`<span part="note" class="note" dir="auto">${this.m.alone(this.c)}</span>`
      }
      ${reconnecting ? html`<span part="note" class="note" dir="auto">${why}</span>` : nothing}
      ${this.renderCallButton()}
      ${
        hidden > 0 && this.popups
          ? this.popups.panel.render(everyone, this.m.overflowHeading(counted, this.c), (p) => ({
              label: this.text(p).label,
              content: this.renderRow(p),
            }))
          : nothing
      }
      <div
        part="tooltip"
        class="tooltip below"
        popover="manual"
        aria-hidden="true"
        @pointerleave=${(e: PointerEvent) => this.leaveTip(e, 'pointer')}
      >
        ${this.popups?.tooltip.content() ?? nothing}
      </div>
      ${this.live.render()}
    </div>`;
  }

  /** "+N": opens the list of everyone (a native popover button). */
  private renderOverflowButton(hidden: number, total: number): TemplateResult {
    return html`<button
      part="overflow"
      class="overflow"
      type="button"
      popovertarget="panel"
      aria-controls="panel"
      aria-expanded=${this.popups?.panel.open ? 'true' : 'false'}
      aria-label=${this.m.overflowButton(hidden, total, this.c)}
      @click=${this.onOverflowClick}
    >
      ${this.m.overflowLabel(hidden, this.c)}
    </button>`;
  }

  /**
   * The call button is a pill where its text fits beside the handset, else a round handset, and
   * nothing in between: given what room is left, it would be an empty pill as wide as that room.
   * Measured as a pill (where the text does not fit it wraps onto a second, clipped line), before
   * the browser paints.
   */
  private fitCall = (): void => {
    const call = this.renderRoot.querySelector<HTMLElement>('.call');
    if (!call) return;
    call.classList.remove('round');
    call.classList.toggle('round', call.scrollHeight > call.clientHeight);
  };

  private renderCallButton(): TemplateResult | typeof nothing {
    const selfId = this.presence.self?.user.id;
    const others = this.people.filter((p) => p.user.id !== selfId);
    if (!this.callable || others.length === 0) return nothing;
    const start = () => {
      if (!this.dispatchEvent(new CrmPresenceCallEvent(this.room, others))) return;
      const huddle = [...document.querySelectorAll('crm-huddle')].find(
        (h) => (h.getAttribute('room-id') ?? '').trim() === this.room,
      ) as (HTMLElement & { join(): Promise<void>; invite(): Promise<void> }) | undefined;
      void huddle?.join().then(() => huddle.invite());
    };
    const label = this.m.startCall(this.c);
    // The text wraps onto a second line, out of sight, where it does not fit beside the handset
    // (see the styles and `fitCall`): a narrow row gets a round handset button named by the whole
    // text, and the title shows that text to a pointer.
    return html`<button type="button" part="call" class="call" title=${label} @click=${start}>
      <span class="call-content"
        ><span class="call-icon">${phoneIcon}</span
        ><span part="call-label" class="call-label">${label}</span></span
      >
    </button>`;
  }

  private renderItem(person: Person): TemplateResult {
    const id = person.user.id;
    const leaving = this.motion.isLeaving(id);
    const t = this.text(person);
    return html`<li
      part="item"
      class="item ${leaving ? 'leaving' : ''} ${this.motion.isEntering(id) ? 'entering' : ''}"
      data-id=${id}
      aria-hidden=${leaving ? 'true' : nothing}
      @animationend=${(e: AnimationEvent) => this.animationDone(e, id)}
      @animationcancel=${(e: AnimationEvent) => this.animationDone(e, id)}
    >
      <span
        part="avatar"
        class="avatar ${person.activity.kind === 'editing' ? 'editing' : ''}"
        role="img"
        aria-label=${t.label}
        data-status=${person.status}
        data-id=${id}
        tabindex=${leaving ? nothing : id === this.activeId ? 0 : -1}
        style=${avatarStyle(person)}
        @focus=${() => this.onAvatarFocus(id)}
        @blur=${(e: FocusEvent) => this.leaveTip(e, 'focus')}
        @pointerenter=${(e: PointerEvent) => this.enterTip(e.currentTarget as HTMLElement, id, 'pointer')}
        @pointerleave=${(e: PointerEvent) => this.leaveTip(e, 'pointer')}
        >${avatarContent(person, this.avatarOptions())}</span
      >
    </li>`;
  }

  private renderRow(person: Person): TemplateResult {
    const t = this.text(person);
    return html`<span
        part="avatar"
        class="avatar ${person.activity.kind === 'editing' ? 'editing' : ''}"
        data-status=${person.status}
        style=${avatarStyle(person)}
        aria-hidden="true"
        >${avatarContent(person, this.avatarOptions())}</span
      ><span class="row-text" aria-hidden="true"
        ><span part="row-name" class="row-name"
          >${bdi(t.name)}${t.you ? html`<span class="you">${t.you}</span>` : nothing}</span
        ><span part="row-detail" class="row-detail"
          >${t.status} ·
          ${person.activity.kind === 'editing' ? html`<span class="editing-text">${t.doing}</span>` : t.doing}${t.tabs ? ` · ${t.tabs}` : ''}</span
        ></span
      >`;
  }

  // ---- keyboard ----------------------------------------------------------------------------

  /** Focusable entries of the row: the avatars, then "+N". */
  private rowItems(): HTMLElement[] {
    return [
      ...this.renderRoot.querySelectorAll<HTMLElement>('.list .avatar[tabindex], .list .overflow'),
    ];
  }

  private onRowKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      if (this.popups?.tooltip.hide()) event.stopPropagation();
      return;
    }
    const items = this.rowItems();
    const current = items.indexOf(event.composedPath()[0] as HTMLElement);
    if (current < 0) return;
    const rtl = getComputedStyle(this).direction === 'rtl';
    const next = rovingTarget(event.key, current, items.length, rtl);
    if (next === undefined) return;
    event.preventDefault();
    const target = items[next]!;
    const id = target.dataset['id'];
    if (id) {
      this.activeId = id;
      for (const item of items) if (item.dataset['id']) item.tabIndex = item === target ? 0 : -1;
    }
    target.focus();
  };

  private onAvatarFocus(id: string): void {
    if (this.activeId !== id) {
      this.activeId = id;
      this.requestUpdate();
    }
    const avatar = this.renderRoot.querySelector<HTMLElement>(
      `.list .avatar[data-id="${cssEscape(id)}"]`,
    );
    if (avatar) this.enterTip(avatar, id, 'focus');
  }

  // ---- tooltip and list, loaded on first need -----------------------------------------------

  private enterTip(anchor: HTMLElement, id: string, via: 'pointer' | 'focus'): void {
    if (this.popups) {
      this.popups.tooltip.enter(anchor, id, via);
      return;
    }
    this.pendingTip = { anchor, id, via };
    this.loadPopups();
  }

  private leaveTip(event: Event, via: 'pointer' | 'focus'): void {
    if (this.popups) this.popups.tooltip.leave(event, via);
    else if (this.pendingTip?.via === via) this.pendingTip = undefined;
  }

  /** A click on "+N" before the list's code was here: open the list once it is. */
  private onOverflowClick = (): void => {
    if (this.popups) return;
    this.loadPopups();
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>('.panel:not(:popover-open)')?.showPopover(),
    );
  };

  private loadPopups(): void {
    this.popupsLoad ??= import('./popups.js').then(
      ({ Tooltip, OverflowPanel, addPopupStyles }) => {
        addPopupStyles(this.renderRoot);
        const prefer = () => (this.position && this.position !== 'top-right' ? 'above' : 'below');
        this.popups = {
          tooltip: new Tooltip(this, { text: (id) => this.textOf(id), prefer }),
          panel: new OverflowPanel(this, {
            prefer,
            align: () => (this.position === 'bottom-left' ? 'start' : 'end'),
          }),
        };
        const tip = this.pendingTip;
        this.pendingTip = undefined;
        if (tip?.anchor.isConnected) this.popups.tooltip.enter(tip.anchor, tip.id, tip.via);
        this.requestUpdate();
      },
      (error: unknown) => {
        // The row keeps working without them (a network error, a deployment that replaced the
        // kit's files); the next hover or "+N" tries again.
        this.popupsLoad = undefined;
        warnOnce('popups', 'could not load the tooltip and the list of everyone:', error);
      },
    );
  }

  /** An update is complete once the tooltip or list it asked for is here and shown. */
  protected override async getUpdateComplete(): Promise<boolean> {
    const done = await super.getUpdateComplete();
    if (this.popups || !this.popupsLoad) return done;
    await this.popupsLoad;
    return super.getUpdateComplete();
  }

  // ---- helpers -----------------------------------------------------------------------------

  private visiblePeople(snapshot: PresenceSnapshot): Person[] {
    const selfId = this.selfId;
    const others = snapshot.people.filter((p) => p.user.id !== selfId);
    return this.showCurrentUser && !this.watch && snapshot.self
      ? [snapshot.self, ...others]
      : others;
  }

  private animationDone(event: AnimationEvent, id: string): void {
    if (event.target === event.currentTarget && this.motion.done(id)) this.requestUpdate();
  }

  private get selfId(): string | undefined {
    return this.presence.snapshot?.self?.user.id ?? this.presence.client?.user?.id;
  }

  private text(person: Person): PersonText {
    return personText(person, person.user.id === this.selfId, this.m, this.c, this.fieldName);
  }

  /**
   * What a field is called to the people here: the page's `fieldLabels` (own entries only: a
   * field may be called `constructor`), else the `fieldName` message for the room's entity type.
   */
  private readonly fieldName = (field: string): string => {
    const labels = this.fieldLabels;
    const given =
      typeof labels === 'object' && labels !== null && Object.hasOwn(labels, field)
        ? labels[field]
        : undefined;
    if (typeof given === 'string' && given.trim()) return given;
    const room = this.room;
    const colon = room.indexOf(':');
    return this.m.fieldName(field, this.c, colon > 0 ? room.slice(0, colon) : undefined);
  };

  private textOf(id: string): PersonText | undefined {
    const person = this.presence.people.find((p) => p.user.id === id);
    return person && this.text(person);
  }

  private avatarOptions() {
    return {
      locale: this.c.locale,
      broken: this.brokenImages,
      onImageError: (url: string) => {
        this.brokenImages = new Set(this.brokenImages).add(url);
      },
    };
  }

  private validMax(value: number): boolean {
    return Number.isInteger(value) && value >= 1;
  }
}

const notConnectedIcon = html`<svg viewBox="0 0 16 16" aria-hidden="true" focusable="false">
  <circle
    cx="8"
    cy="8"
    r="6.25"
    fill="none"
    stroke="currentColor"
    stroke-width="1.5"
    stroke-dasharray="2.5 2.2"
  />
</svg>`;
