import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Clock } from '../../client/types.js';
import { ConnectionStatusController } from '../../controllers/connection-status-controller.js';
import { NotificationsController } from '../../controllers/notifications-controller.js';
import {
  CrmNotificationActionEvent,
  CrmNotificationOpenEvent,
  CrmNotificationReadEvent,
  type NotificationReadReason,
  type NotificationSource,
} from '../../events/notification-events.js';
import { localeOf, messageContext, withDefaults, type MessageContext } from '../../i18n.js';
import type { Notification, NotificationAction } from '../../protocol/notifications.js';
import { ArrivalAnnouncer } from './arrival-announcer.js';
import { announced, itemCard, toastCard, type CardHost } from './cards.js';
import { styles } from './crm-notification-center.styles.js';
import { bellIcon, notConnectedIcon } from './icons.js';
import { entityHrefFromTemplate, safeHref, type EntityHref } from '../shared/links.js';
import {
  defaultNotificationCenterMessages,
  type NotificationCenterMessages,
} from './notification-center-messages.js';
import { NotificationPanel } from './notification-panel.js';
import { panelBody, type PanelView } from './panel-template.js';
import {
  DEFAULT_DURATION,
  DEFAULT_MAX,
  Ticker,
  checkSettings,
  validDuration,
  validMax,
  warnOnce,
  type MarkReadMode,
  type ToastPosition,
} from './settings.js';
import { ToastStack } from './toast-stack.js';
import { TOAST_SHORTCUT } from './toast-focus.js';
import { realClock } from '../../util/clock.js';
import { LanguageWatch } from '../shared/language-watch.js';

export type { MarkReadMode, ToastPosition } from './settings.js';

/** Relative times are refreshed this often while something shows them. */
const TICK_MS = 30_000;

/**
 * The current user's notifications: a bell with an unread badge that opens a panel with the
 * history (newest first, grouped by day, older pages loaded as you scroll), and toasts for those
 * that arrive live.
 *
 * Each notification shows its type (icon, colour and, for screen readers, a word), its priority
 * when high or urgent (a labelled chip, not colour alone), title, message, time, sender, an entity
 * link and its actions; every string is rendered as text, and only `http(s)` URLs become links.
 * Toasts hide after `auto-hide-duration` ms of being seen (paused while hovered, focused or while
 * the page is hidden, and from a touch on them until a touch elsewhere); urgent ones stay until dismissed. What arrives is announced once per burst
 * ("… And 9 more new notifications"), politely, urgent ones assertively. Alt+Shift+N brings the
 * focus to the newest toast and back; Escape dismisses the focused one. The toasts move to the
 * other edge of the viewport when they would cover the focused element, and stand aside while a
 * modal dialog is open. While the panel is open no toast is shown: toasts on screen go when it
 * opens, and what arrives appears in the panel and is announced, without a toast then or after it
 * closes. Without a `<crm-realtime-provider>` the bell shows "not connected".
 *
 * @tagname crm-notification-center
 * @summary Bell, badge, history panel and toasts for the current user's notifications.
 *
 * @csspart bell - The bell button.
 * @csspart badge - The unread count on the bell.
 * @csspart not-connected - The mark on the bell when there is no connection.
 * @csspart panel - The dropdown panel (a non-modal dialog in the top layer).
 * @csspart panel-header - Its header: title, unread count, "mark all read".
 * @csspart panel-title - The title.
 * @csspart mark-all - The "mark all read" button.
 * @csspart notice - The line shown while reconnecting or offline.
 * @csspart list - The scrolling list of day groups.
 * @csspart day - A day's heading ("Today", "Yesterday", a date).
 * @csspart item - One notification in the panel; also `item-unread` while unread.
 * @csspart item-icon - Its type icon (also `toast-icon` on toasts, and so on for the parts below).
 * @csspart item-priority - Its priority chip (high and urgent); also `priority-high`, `priority-urgent`.
 * @csspart item-title - Its title.
 * @csspart item-message - Its message.
 * @csspart item-meta - Its time and sender.
 * @csspart item-actions - The row of its entity link and actions.
 * @csspart item-entity - Its entity link.
 * @csspart item-action - One action (a link or a button).
 * @csspart mark-read - An item's "mark read" button (`mark-read="item"`).
 * @csspart state - The empty, loading, error and not-connected states of the panel.
 * @csspart toasts - The toast stack.
 * @csspart toast - One toast; the parts of its content are named `toast-*` like those of an item.
 * @csspart dismiss - A toast's close button.
 * @csspart countdown - The line that runs down a toast's remaining time.
 *
 * @cssprop [--crm-notification-center-bell-size=2.25rem] - Size of the bell button.
 * @cssprop [--crm-notification-center-bell-color=var(--crm-color-text-muted)] - Bell icon colour.
 * @cssprop [--crm-notification-center-badge-background=var(--crm-color-danger)] - Badge background.
 * @cssprop [--crm-notification-center-badge-color=var(--crm-color-accent-contrast)] - Badge text.
 * @cssprop [--crm-notification-center-ring-color=var(--crm-color-surface)] - Ring around the badge; set it to the background behind the bell.
 * @cssprop [--crm-notification-center-surface=var(--crm-color-surface-raised)] - Panel and toast background.
 * @cssprop [--crm-notification-center-panel-width=24rem] - Inline size of the panel (never wider than the viewport).
 * @cssprop [--crm-notification-center-panel-max-height=34rem] - Largest block size of the panel; the list scrolls.
 * @cssprop [--crm-notification-center-radius=var(--crm-radius-xl)] - Corner radius of the panel and toasts.
 * @cssprop [--crm-notification-center-unread-color=var(--crm-color-accent)] - Unread dot.
 * @cssprop [--crm-notification-center-unread-background=a light accent tint] - Background of unread items.
 * @cssprop [--crm-notification-center-info-color=var(--crm-color-info)] - Info type: its icon (on a tint of it) and the toast's countdown line.
 * @cssprop [--crm-notification-center-success-color=var(--crm-color-success)] - Success type: its icon (on a tint of it) and the toast's countdown line.
 * @cssprop [--crm-notification-center-warning-color=var(--crm-color-warning)] - Warning type: its icon (on a tint of it) and the toast's countdown line.
 * @cssprop [--crm-notification-center-error-color=var(--crm-color-danger)] - Error type: its icon (on a tint of it) and the toast's countdown line.
 * @cssprop [--crm-notification-center-urgent-color=var(--crm-color-danger)] - Urgent chip, stripe and toast outline.
 * @cssprop [--crm-notification-center-toast-width=22rem] - Inline size of a toast.
 * @cssprop [--crm-notification-center-toast-inset=var(--crm-space-l)] - Distance of the toasts from the viewport's edges.
 * @cssprop [--crm-notification-center-duration=var(--crm-duration-medium)] - Panel and toast animations (none under reduced motion).
 *
 * @fires {CrmNotificationOpenEvent} crm-notification-open - An item, its entity link or a toast was opened; cancelable (a single-page app routes itself).
 * @fires {CrmNotificationActionEvent} crm-notification-action - An action that names an event was chosen.
 * @fires {CrmNotificationReadEvent} crm-notification-read - The element marked notifications read.
 */
export class CrmNotificationCenter extends LitElement {
  /** A language or direction switched around the element renders it again in the new one. */
  private readonly languageWatch = new LanguageWatch(this);

  static override styles = styles;

  /** Notifications kept in memory; older ones load on scroll. */
  @property({ type: Number, attribute: 'max-notifications' }) maxNotifications = DEFAULT_MAX;

  /**
   * How long a toast stays, in ms; 0 keeps toasts until dismissed.
   * Urgent toasts always stay until dismissed.
   */
  @property({ type: Number, attribute: 'auto-hide-duration' }) autoHideDuration = DEFAULT_DURATION;

  /**
   * The corner of the viewport the toasts stack in; `start`/`end` follow the writing direction.
   * Reflected once set; the default writes no attribute, so the element leaves a server-rendered
   * tag as the server rendered it (React's hydration reports any attribute added before it runs).
   */
  @property({ attribute: 'toast-position', reflect: true, useDefault: true })
  toastPosition: ToastPosition = 'bottom-end';

  /**
   * `open` (default): the notifications the panel shows are marked read when it shows them (they
   * keep their "new" tint until it closes). `item`: each stays unread until opened, acted on or
   * marked with its own button.
   */
  @property({ attribute: 'mark-read' }) markRead: MarkReadMode = 'open';

  /**
   * Where an entity link goes, e.g. `/customers/{type}/{id}` (`{type}` and `{id}` are replaced,
   * percent-encoded). Empty (default): no entity links, since the kit cannot know a CRM's URLs.
   */
  @property({ attribute: 'entity-link-template' }) entityLinkTemplate = '';

  /** Builds entity links in code (wins over `entity-link-template`); `undefined` for none. */
  @property({ attribute: false }) entityHref: EntityHref | undefined = undefined;

  /**
   * Rooms or entity rooms whose notifications to show too, space-separated (`customer:42`):
   * notifications sent to a room reach the people in it. The user's own are always shown.
   */
  @property() watch = '';

  /** Show no toasts (say, for a second notification center on the same page). */
  @property({ type: Boolean, attribute: 'no-toasts' }) noToasts = false;

  /** Replacements for the built-in English texts (see `NotificationCenterMessages`). */
  @property({ attribute: false }) messages: Partial<NotificationCenterMessages> | undefined =
    undefined;

  /** Unread notifications that were unread when the panel showed them: tinted until it closes. */
  @state() private fresh = new Set<string>();
  @state() private ringing = false;

  private readonly connection = new ConnectionStatusController(this);
  private readonly notifications = new NotificationsController(this, {
    maxNotifications: () => this.max,
    onNew: (n) => this.arrived(n),
    watch: () => this.watch.split(/\s+/),
  });
  private readonly panel = new NotificationPanel(this, {
    // The panel lists every notification: no toast is drawn over it or cut by it while it shows.
    toggling: (open) => this.toasts.quiet(open),
    opened: () => this.requestUpdate(),
    closed: () => {
      this.fresh = new Set();
      // What the panel paged in is not shown any more: memory goes back to the newest few.
      this.notifications.unpage();
    },
    reachedEnd: () => this.loadMore(),
  });
  private readonly toasts = new ToastStack(this, {
    clock: () => this.clock,
    duration: () => this.duration,
    position: () => this.toastPosition,
    bell: () => this.renderRoot.querySelector<HTMLElement>('.bell'),
    shown: () => !this.noToasts,
  });
  private readonly announcer = new ArrivalAnnouncer(this, {
    clock: () => this.clock,
    format: (batch) => this.announcement(batch),
  });
  private m: NotificationCenterMessages = defaultNotificationCenterMessages;
  private c: MessageContext = messageContext('en');
  /** The items the toasts were last refreshed from. */
  private toastItems: readonly Notification[] = [];
  /** Short ids for the DOM, per notification listed or toasted (pruned, see `pruneKeys`). */
  private readonly keys = new Map<string, string>();
  private lastKey = 0;
  private readonly ticker = new Ticker(TICK_MS, () => this.requestUpdate());
  private readonly cards: CardHost = {
    m: this.m,
    c: this.c,
    now: () => this.clock.now(),
    key: (id) => this.keyOf(id),
    href: (n) => this.hrefOf(n),
    open: (e, n, href, source, fromLink) => this.openNotification(e, n, href, source, fromLink),
    act: (e, n, action, source) => this.act(e, n, action, source),
  };

  /** Whether the panel is open. */
  get open(): boolean {
    return this.panel.open;
  }

  /** Unread notifications of the user (loaded or not); 0 without a connection. */
  get unread(): number {
    return this.available ? (this.notifications.snapshot?.unread ?? 0) : 0;
  }

  /** The notifications loaded, newest first. */
  get items(): readonly Notification[] {
    return this.notifications.snapshot?.items ?? [];
  }

  /** The toasts on screen, oldest first. */
  get toastsShown(): readonly Notification[] {
    return this.toasts.visible;
  }

  /** Open the panel; the focus goes to its first item. */
  show(): void {
    this.panel.show();
  }

  /** Close the panel. */
  hide(): void {
    this.panel.hide();
  }

  /** Mark every notification of the user read (as the panel's button does). */
  markAllRead(): void {
    if (!this.available || this.unread === 0) return;
    void this.notifications.markAllRead().catch(() => {});
    this.fire(new CrmNotificationReadEvent('all', 'all'));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.toasts.connect();
    this.panel.connected();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.toasts.disconnect();
    this.announcer.dispose();
    this.panel.dispose();
    this.ticker.stop();
    this.fresh = new Set();
  }

  // ---- derived settings -------------------------------------------------------------------

  private get max(): number {
    return validMax(this.maxNotifications);
  }

  private get duration(): number {
    return validDuration(this.autoHideDuration);
  }

  private get clock(): Clock {
    // The client keeps its clock as an ordinary property; reading it keeps one time source.
    return this.notifications.client?.clock ?? realClock;
  }

  /** A client, a provider, and a connection that is not closed for good. */
  private get available(): boolean {
    return (
      this.notifications.client !== undefined &&
      !this.notifications.providerMissing &&
      this.connection.state !== 'closed'
    );
  }

  private get entityLink(): EntityHref {
    return this.entityHref ?? entityHrefFromTemplate(this.entityLinkTemplate);
  }

  // ---- lifecycle --------------------------------------------------------------------------

  protected override willUpdate(changed: PropertyValues<this>): void {
    checkSettings(this, changed);
    this.m = withDefaults(
      defaultNotificationCenterMessages,
      this.messages,
      '<crm-notification-center>',
    );
    this.c = messageContext(localeOf(this));
    Object.assign(this.cards, { m: this.m, c: this.c });
    this.panel.sync(this.items.map((n) => n.id));
    // A toast shows its notification as the store has it now (read again under new field rules).
    if (this.toasts.drawn.length > 0) this.refreshToasts();
    // Read state decided before rendering, so the render shows it without a second update.
    if (this.panel.open && this.markRead !== 'item') this.markShownRead();
    if (!this.panel.open) this.dropReadToasts();
  }

  protected override updated(): void {
    this.pruneKeys();
    this.panel.updated();
    this.toasts.show(this.renderRoot);
    this.toasts.updated(this.renderRoot);
    if (this.panel.open) this.fillPanel();
    if (this.panel.open || this.toasts.drawn.length > 0) this.ticker.start(this.clock);
    else this.ticker.stop();
  }

  // ---- rendering --------------------------------------------------------------------------

  protected override render(): TemplateResult {
    const { m, c } = this;
    const available = this.available;
    const unread = this.unread;
    return html`<button
        part="bell"
        class="bell ${this.ringing ? 'ringing' : ''}"
        type="button"
        popovertarget="panel"
        aria-controls="panel"
        aria-haspopup="dialog"
        aria-expanded=${this.panel.open ? 'true' : 'false'}
        aria-label=${available ? m.bellLabel(unread, c) : m.bellNotConnected(c)}
        aria-keyshortcuts=${this.noToasts ? nothing : TOAST_SHORTCUT}
        @keydown=${this.panel.onBellKeydown}
        @pointerdown=${this.panel.onBellPointerDown}
        @animationend=${() => (this.ringing = false)}
      >
        ${bellIcon}
        <span part="badge" class="badge" aria-hidden="true" ?hidden=${unread === 0}
          >${m.badge(unread, c)}</span
        >
        ${
          available
            ? nothing
            : html`<span part="not-connected" class="off" aria-hidden="true"
                >${notConnectedIcon}</span
              >`
        }
      </button>
      <div
        part="panel"
        class="panel"
        id="panel"
        popover="auto"
        role="dialog"
        aria-labelledby="panel-title"
        tabindex="-1"
        @beforetoggle=${this.panel.onBeforeToggle}
        @toggle=${this.panel.onToggle}
        @keydown=${this.panel.onKeydown}
        @focusout=${this.panel.onFocusOut}
      >
        ${panelBody(this.panelView(), m, c)}
      </div>
      ${
        this.noToasts
          ? nothing
          : html`${this.toasts.render(m.toastsLabel(c), (t) =>
              toastCard(t, this.cards, this.duration, (e) => this.dismiss(e, t.notification.id)),
            )}${this.announcer.render()}`
      }`;
  }

  private panelView(): PanelView {
    const snapshot = this.notifications.snapshot;
    // The page's one connection status, by the rule every widget shares (see `ConnectionView`).
    const view = this.connection.view;
    return {
      open: this.panel.open,
      available: this.available,
      interrupted: view === 'reconnecting' || view === 'offline' ? view : undefined,
      unread: this.unread,
      snapshot,
      now: this.clock.now(),
      item: (n, first) =>
        itemCard(n, this.cards, {
          tabIndex: this.panel.tabIndexOf(n.id, first),
          tinted: !n.read || this.fresh.has(n.id),
          markButton: !n.read && this.markRead === 'item',
          onFocus: () => this.panel.onItemFocus(n.id),
          onMarkRead: () => this.readItems([n.id], 'item'),
        }),
      onMarkAll: () => this.markAllRead(),
      onRetry: () => void this.notifications.refresh().catch(() => {}),
      onRetryMore: () => this.loadMore(),
      onScroll: this.panel.onScroll,
    };
  }

  // ---- behaviour --------------------------------------------------------------------------

  private arrived(n: Notification): void {
    if (!this.noToasts) {
      this.toasts.add(n);
      this.announcer.add(n);
    }
    this.ringing = true;
  }

  /** One message for what arrived within the announcer's window: the first, and how many more. */
  private announcement(batch: readonly Notification[]): string {
    const { m, c } = this;
    const first = m.announcement(announced(batch[0]!, this.cards), c);
    return batch.length > 1 ? m.announcementMore(first, batch.length - 1, c) : first;
  }

  /**
   * Open a notification: ask the page (cancelable), mark it read, and unless the page said no,
   * follow its entity link (a link click is followed by the browser itself). A toast without a
   * link opens the panel on its item.
   */
  private openNotification(
    e: Event,
    n: Notification,
    href: string | undefined,
    source: NotificationSource,
    fromLink: boolean,
  ): void {
    const proceed = this.fire(new CrmNotificationOpenEvent(n, href, source));
    this.readItems([n.id], 'item');
    if (source === 'toast') this.toasts.remove(n.id);
    if (fromLink) {
      if (!proceed) e.preventDefault();
      return;
    }
    if (!proceed) return;
    if (href) {
      globalThis.location.assign(href);
    } else if (source === 'toast') {
      this.panel.show({ id: n.id });
    }
  }

  private act(
    e: Event,
    n: Notification,
    action: NotificationAction,
    source: NotificationSource,
  ): void {
    this.readItems([n.id], 'item');
    if ('event' in action) {
      e.preventDefault();
      this.fire(new CrmNotificationActionEvent(n, action, source));
    }
    if (source === 'toast') this.toasts.remove(n.id);
  }

  private dismiss(e: Event, id: string): void {
    // The click is not the card's own (which opens it); the stack hands the focus on.
    e.stopPropagation();
    this.toasts.remove(id);
  }

  /** Mark the unread among `ids` read, and say so. */
  private readItems(ids: readonly string[], reason: NotificationReadReason): void {
    const unread = new Set(this.items.filter((n) => !n.read).map((n) => n.id));
    const wanted = ids.filter((id) => unread.has(id));
    if (wanted.length === 0 || !this.available) return;
    void this.notifications.markRead(wanted).catch(() => {});
    this.fire(new CrmNotificationReadEvent(wanted, reason));
  }

  /** `mark-read="open"`: what the open panel shows is read, and stays tinted until it closes. */
  private markShownRead(): void {
    const snapshot = this.notifications.snapshot;
    if (!snapshot?.loaded) return;
    const shown = snapshot.items.filter((n) => !n.read && !this.fresh.has(n.id)).map((n) => n.id);
    if (shown.length === 0) return;
    this.fresh = new Set([...this.fresh, ...shown]);
    this.readItems(shown, 'open-panel');
  }

  private loadMore(): void {
    const snapshot = this.notifications.snapshot;
    if (!this.available || !snapshot?.loaded || !snapshot.hasMore || snapshot.loading) return;
    void this.notifications.loadMore().catch(() => {});
  }

  /** A panel that does not fill up (a short first page) loads the next page at once. */
  private fillPanel(): void {
    const list = this.renderRoot.querySelector<HTMLElement>('.list');
    if (list && list.scrollHeight <= list.clientHeight) this.loadMore();
  }

  /**
   * Toasts show their notifications as the store has them now. One the store held and let go of
   * while newer than the oldest it holds (so not dropped for room) is about an entity the user
   * may no longer read, and goes too, quietly. (A toast can come before the snapshot that holds
   * its notification: only one the last snapshot held counts as let go.)
   */
  private refreshToasts(): void {
    const items = this.items;
    const byId = new Map(items.map((n) => [n.id, n]));
    this.toasts.refresh(byId);
    const before = this.toastItems;
    this.toastItems = items;
    const snapshot = this.notifications.snapshot;
    if (before === items || !snapshot?.loaded) return;
    const oldest = items[items.length - 1];
    const floor = oldest ? oldest.createdAt : snapshot.hasMore ? Infinity : -Infinity;
    for (const n of this.toasts.visible) {
      const gone = !byId.has(n.id) && n.createdAt >= floor;
      if (gone && before.some((held) => held.id === n.id)) this.toasts.remove(n.id);
    }
  }

  /** A toast of a notification read elsewhere (another tab, the panel) has done its job. */
  private dropReadToasts(): void {
    const read = new Set(this.items.filter((n) => n.read).map((n) => n.id));
    for (const n of this.toasts.visible) if (read.has(n.id)) this.toasts.remove(n.id);
  }

  /** Dispatch one of the element's events (declared with `@fires` in the header). */
  private fire(event: Event): boolean {
    return this.dispatchEvent(event);
  }

  private hrefOf(n: Notification): string | undefined {
    if (!n.entity) return undefined;
    try {
      return safeHref(this.entityLink(n.entity));
    } catch (error) {
      warnOnce('entityHref', `entityHref threw; showing no entity link. ${String(error)}`);
      return undefined;
    }
  }

  private keyOf(id: string): string {
    let key = this.keys.get(id);
    if (key === undefined) {
      key = String(++this.lastKey);
      this.keys.set(id, key);
    }
    return key;
  }

  /**
   * Forget the keys of notifications neither listed nor toasted any more: a tab open all day
   * sees thousands come and go.
   */
  private pruneKeys(): void {
    const shown = this.items.length + this.toasts.drawn.length;
    if (this.keys.size <= 2 * shown + 50) return;
    const keep = new Set(this.items.map((n) => n.id));
    for (const toast of this.toasts.drawn) keep.add(toast.notification.id);
    for (const id of [...this.keys.keys()]) if (!keep.has(id)) this.keys.delete(id);
  }
}
