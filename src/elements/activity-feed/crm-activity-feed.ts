import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ActivitySnapshot } from '../../client/activity/activity-store.js';
import type { Clock } from '../../client/types.js';
import { ActivityController } from '../../controllers/activity-controller.js';
import { ConnectionStatusController } from '../../controllers/connection-status-controller.js';
import {
  CrmActivityFilterChangeEvent,
  CrmActivityOpenEvent,
} from '../../events/activity-events.js';
import { localeOf, messageContext, withDefaults, type MessageContext } from '../../i18n.js';
import type {
  ActivityFilter,
  ActivityItem,
  EntityRef,
  FeedRef,
  UserProfile,
} from '../../protocol/index.js';
import { defaultActivityFeedMessages, type ActivityFeedMessages } from './activity-messages.js';
import { styles } from './crm-activity-feed.styles.js';
import { FeedFocus } from './feed-focus.js';
import { feedListTemplate } from './feed-list.js';
import { FeedWindow } from './feed-window.js';
import { FilterOptions, filterBarTemplate } from './filter-bar.js';
import { arrowUp, notConnectedIcon } from './icons.js';
import { entityHrefFromTemplate, safeHref } from '../shared/links.js';
import type { ItemHandlers } from './item-template.js';
import { ScrollEdges } from './scroll-edges.js';
import { TimeTicker } from './time-ticker.js';
import { BurstGate } from './burst-gate.js';
import { ItemViews } from './item-view.js';
import { emptyTemplate, errorTemplate, skeletonTemplate } from './state-templates.js';
import { realClock } from '../../util/clock.js';
import { liveText, nextLiveText } from '../shared/live-text.js';
import { warnOnceFor } from '../../util/warn.js';
import { said } from '../shared/bidi.js';
import { LanguageWatch } from '../shared/language-watch.js';

export type FeedType = 'global' | 'user' | 'customer';
const FEED_TYPES: readonly string[] = ['global', 'user', 'customer'];
const DEFAULT_MAX_ITEMS = 50;
/** The protocol's largest history page. */
const MAX_PAGE = 200;
/** Relative times are refreshed this often. */
const TICK_MS = 30_000;
/** During a burst, new items at the top are shown at most this often (about 8 times a second). */
const BURST_INTERVAL_MS = 120;

const warnOnce = warnOnceFor('<crm-activity-feed>');

const prefersReducedMotion = () =>
  globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

/** The same key for filters that filter alike (as the store normalizes them: sorted, no repeats). */
const filterKey = (filter: ActivityFilter | undefined) =>
  JSON.stringify([filter?.kinds, filter?.actors].map((list) => [...new Set(list ?? [])].sort()));

/**
 * A live feed of what happened: entity changes (who changed which field from what to what),
 * calls, meetings, notes and anything a backend publishes, newest first, for everyone
 * (`global`), one person (`user`) or one customer with its calls and meetings (`customer`).
 *
 * New items appear at the top; a reader who scrolled down, or whose focus is in the feed, keeps
 * what they look at exactly in place and sees an "N new" pill instead. Older items load as the reader scrolls. A filter bar
 * narrows the feed to kinds of activity and to one person, refetching through the store. Only the
 * items near the viewport are rendered, so ten thousand items keep the DOM small, and a burst of
 * events renders at most once per animation frame.
 *
 * It follows the WAI-ARIA feed pattern: `role="feed"` with `aria-busy` while loading, an
 * `<article>` per item with `aria-posinset`/`aria-setsize` (-1 while older items remain),
 * labelled by its headline and described by its details. Page Down/Page Up (and the arrow keys)
 * move between articles, Home/End go to the first/last loaded, Ctrl+Home/Ctrl+End leave the feed.
 * Everything from the data renders as text. Without a `<crm-realtime-provider>` it shows a quiet
 * "Not connected".
 *
 * @tagname crm-activity-feed
 * @summary Live activity feed with filters, paged history and windowed rendering.
 * @attr {string} lang - The language of its texts, times and values (else the nearest `lang` of the
 *   page); changing it re-renders at once.
 *
 * @csspart filters - The filter bar.
 * @csspart kinds - The group of kind chips.
 * @csspart chip - One kind chip; also `chip-pressed` when on.
 * @csspart person - The person select's wrapper.
 * @csspart person-select - The native person `<select>`.
 * @csspart scroller - The scrolling area.
 * @csspart feed - The `role="feed"` list.
 * @csspart item - One `<article>`.
 * @csspart avatar - Who did it: picture or initials.
 * @csspart avatar-image - The picture.
 * @csspart avatar-initials - The initials.
 * @csspart kind-icon - The badge of the kind of activity on the avatar.
 * @csspart headline - "Ana Ortiz changed Stage on Difference Ltd".
 * @csspart actor - The person's name in it.
 * @csspart fields - The changed fields in it.
 * @csspart entity - The entity in it (a link when `entityHref` gives one).
 * @csspart time - The relative time (`<time datetime>`).
 * @csspart summary - The item's summary text.
 * @csspart changes - The list of field changes.
 * @csspart change - One field change.
 * @csspart field - Its field name.
 * @csspart value - A value; also `value-from` and `value-to`.
 * @csspart more - "Show 4 more changes".
 * @csspart pill - The "N new" button.
 * @csspart state - The empty, error and not-connected states.
 * @csspart clear - The "Clear filters" button of a feed filtered to nothing.
 * @csspart retry - The "Try again" button after a failed first load.
 * @csspart note - "Reconnecting…" while the connection is restored, "Offline" while the browser
 *   has no network.
 * @csspart footer - Under the items: loading older, or the end.
 *
 * @cssprop [--crm-activity-feed-max-block-size=32rem] - Height the feed grows to before it scrolls.
 * @cssprop [--crm-activity-feed-padding=var(--crm-space-l)] - Inline padding of rows and the filter bar.
 * @cssprop [--crm-activity-feed-avatar-size=2rem] - Avatar diameter.
 * @cssprop [--crm-activity-feed-background=var(--crm-color-surface)] - Background.
 * @cssprop [--crm-activity-feed-hover-background=var(--crm-color-surface-sunken)] - Background of the item under the pointer.
 * @cssprop [--crm-activity-feed-toolbar-background=transparent] - Background of the filter bar.
 * @cssprop [--crm-activity-feed-border-color=var(--crm-color-border)] - Outer border (`transparent` inside a card of your own).
 * @cssprop [--crm-activity-feed-divider-color=var(--crm-color-border)] - Lines between items.
 * @cssprop [--crm-activity-feed-radius=var(--crm-radius-l)] - Corner radius.
 * @cssprop [--crm-activity-feed-accent-color=var(--crm-color-accent)] - Pill and pressed chips.
 * @cssprop [--crm-activity-feed-pill-color=var(--crm-color-accent-contrast)] - Text of the pill.
 *
 * @fires {CrmActivityFilterChangeEvent} crm-activity-filter-change - The reader changed the filter with the filter bar.
 * @fires {CrmActivityOpenEvent} crm-activity-open - The reader opened an item's entity link (cancelable, for single-page routing).
 */
export class CrmActivityFeed extends LitElement {
  /** A language or direction switched around the element renders it again in the new one. */
  private readonly languageWatch = new LanguageWatch(this);

  static override styles = styles;
  static {
    // Only the items near the viewport are rendered, so what to render next is known only once
    // this render is measured (`FeedWindow.settle`, at most three times in a row): the update
    // after an update is the design, not an accident Lit's development build should warn of in
    // every host app's console.
    this.disableWarning?.('change-in-update');
  }

  /** Whose activity: `global` (everyone), `user` (one person), `customer` (one customer). */
  @property({ attribute: 'feed-type' }) feedType: FeedType = 'global';

  /**
   * The user id for `user` (empty: the current user) or the customer id for `customer`; unused
   * for `global`.
   */
  @property({ attribute: 'entity-id' }) entityId = '';

  /**
   * Items per page: each history request fetches this many (1–200), and this many are shown
   * before the reader scrolls for more. Not a cap on the feed: however long it grows, only the
   * items near the viewport are rendered, and the store keeps the newest 500 items plus what
   * the reader scrolled to in memory (older ones load again when scrolled to).
   */
  @property({ type: Number, attribute: 'max-items' }) maxItems = DEFAULT_MAX_ITEMS;

  /**
   * Kinds of activity and people to show (`{ kinds: ['call.logged'], actors: ['u-ana'] }`);
   * unset or empty lists: everything. The filter bar sets it too.
   */
  @property({ attribute: false }) filter: ActivityFilter | undefined = undefined;

  /** People to offer in the person filter besides those who appear in the feed. */
  @property({ attribute: false }) people: readonly UserProfile[] = [];

  /** Hide the filter bar (the `filter` property still applies). */
  @property({ type: Boolean, attribute: 'hide-filters' }) hideFilters = false;

  /**
   * Where an item's entity links to, e.g. `/customers/{type}/{id}` (`{type}` and `{id}` are
   * replaced, percent-encoded), for a page with no script. Empty (default): no links.
   */
  @property({ attribute: 'entity-link-template' }) entityLinkTemplate = '';

  /**
   * Where an item's entity links to, e.g. `(e) => \`/customers/${e.id}\``; `undefined` for no
   * link. Only `http(s):` URLs become links (scheme-less ones on this site only). Wins over
   * `entity-link-template`.
   */
  @property({ attribute: false }) entityHref:
    ((entity: EntityRef, item: ActivityItem) => string | undefined) | undefined = undefined;

  /** Texts to replace, for translation; anything left out stays English. */
  @property({ attribute: false }) messages: Partial<ActivityFeedMessages> = {};

  private readonly activity = new ActivityController(
    this,
    () => this.feed,
    () => ({
      filter: this.filter,
      pageSize: this.pageSize,
    }),
  );
  private readonly connection = new ConnectionStatusController(this);
  private readonly window = new FeedWindow<ActivityItem>(this, {
    // Not after a failure: a broken server would be asked again on every render. The footer
    // offers "Try again" instead.
    nearEnd: () => void (this.shown?.error ? undefined : this.loadOlder()),
    flush: () => {
      if (!this.hasUpdated) return;
      this.requestUpdate();
      this.performUpdate();
    },
  });
  private readonly options = new FilterOptions();
  /** Marks the ends of the kind chips' row that have chips past them, for its fades. */
  private readonly kindEdges = new ScrollEdges(this, () =>
    this.renderRoot?.querySelector<HTMLElement>('.kinds'),
  );
  private readonly feedFocus = new FeedFocus(
    this,
    this.window,
    () => this.shown?.items.length ?? 0,
  );
  private readonly ticker = new TimeTicker(this, () => this.clock(), TICK_MS);
  private readonly burst = new BurstGate(this, () => this.clock(), BURST_INTERVAL_MS);
  /** This update shows live items arriving at the top (paced by `burst`). */
  private liveAtTop = false;

  @state() private expanded = new Set<string>();
  @state() private brokenImages = new Set<string>();
  @state() private announcement = '';

  private m: ActivityFeedMessages = defaultActivityFeedMessages;
  private c: MessageContext = messageContext('en');
  private views: ItemViews | undefined;
  private viewsKey = '';
  private shownFeed = '';
  private shownFilter = '';
  private announced = 0;
  /** The filter changed after the reader saw the list: its result is announced once loaded. */
  private filterPending = false;
  /**
   * The snapshot this render shows. Read once in `willUpdate` (the window is prepared for its
   * items): the controller may swap in another one while the update runs, which is then shown by
   * the update it schedules.
   */
  private shown: ActivitySnapshot | undefined;

  /** The feed followed, or `undefined` when the attributes do not name one. */
  get feed(): FeedRef | undefined {
    const type = FEED_TYPES.includes(this.feedType) ? this.feedType : 'global';
    const id = this.entityId.trim();
    switch (type) {
      case 'user': {
        const userId = id || this.activity.client?.user?.id;
        return userId ? { kind: 'user', userId } : undefined;
      }
      case 'customer':
        return id ? { kind: 'customer', entityId: id } : undefined;
      default:
        return { kind: 'global' };
    }
  }

  /** The latest state of the feed (items newest first, loading, more to load). */
  get snapshot(): ActivitySnapshot | undefined {
    return this.activity.snapshot;
  }

  /** Load the next page of older items (what scrolling to the end does). */
  loadOlder(): Promise<void> {
    const s = this.activity.snapshot;
    if (!s || !s.loaded || !s.hasMore || s.loading) return Promise.resolve();
    return this.activity.loadOlder().catch(() => {});
  }

  /** `lang` on the element itself changes the language of times and values at once. */
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'lang'];
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (name === 'lang' && old !== value) this.requestUpdate();
  }

  private get pageSize(): number {
    const n = this.maxItems;
    return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_PAGE) : DEFAULT_MAX_ITEMS;
  }

  /**
   * Live items appearing at the top are paced during bursts (`BurstGate`); any other reason to
   * render (a property, scrolling, focus, items held above a reader scrolled down or in the feed)
   * renders at once.
   */
  protected override shouldUpdate(changed: PropertyValues<this>): boolean {
    this.liveAtTop = false;
    const next = this.activity.snapshot;
    const shown = this.shown;
    if (changed.size > 0 || !next || !shown || next === shown || !shown.loaded) return true;
    if (next.items === shown.items || next.feed !== shown.feed || next.filter !== shown.filter) {
      return true;
    }
    if (!this.window.followsTop) return true;
    this.liveAtTop = true;
    return this.burst.allow();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.validate(changed);
    this.m = withDefaults(defaultActivityFeedMessages, this.messages, '<crm-activity-feed>');
    this.c = messageContext(localeOf(this));
    const feed = this.feed;
    const feedKey = JSON.stringify(feed ?? null);
    const snapshot = this.activity.snapshot;
    // Items read again under new field rules: labels learned from the old ones may be values
    // hidden from the user now.
    const key = `${feedKey}|${this.c.locale}|${snapshot?.rulesRead ?? 0}`;
    if (!this.views || key !== this.viewsKey || changed.has('messages')) {
      this.views = new ItemViews(this.m, this.c, feed);
      this.viewsKey = key;
    }
    const listed = this.shown?.loaded ?? false;
    this.shown = snapshot;
    const fKey = filterKey(this.filter);
    if (feedKey !== this.shownFeed || fKey !== this.shownFilter) {
      // Another feed or filter: a new list, from the top. Not the first list, nor another feed's.
      this.filterPending = feedKey === this.shownFeed && (this.filterPending || listed);
      if (feedKey !== this.shownFeed) this.options.clear();
      this.shownFeed = feedKey;
      this.shownFilter = fKey;
      this.window.reset();
      this.expanded = new Set();
    }
    const items = snapshot?.items ?? [];
    this.options.learn(items);
    this.views.learn(items);
    for (const person of this.people) this.options.addPerson(person);
    this.window.prepare(items, {
      motion: !prefersReducedMotion(),
      arrived: snapshot?.liveCount ?? 0,
    });
    this.pillAnnouncement();
    this.filterAnnouncement();
  }

  protected override firstUpdated(): void {
    this.window.attach(this.renderRoot.querySelector<HTMLElement>('.scroller') ?? undefined);
  }

  protected override updated(): void {
    if (this.liveAtTop) this.burst.shown();
    this.window.settle();
    this.ticker.sync((this.shown?.items.length ?? 0) > 0);
    // The store keeps what is on screen (and focused) and drops older items it no longer needs:
    // a feed open all day stays the same size; scrolling down pages them in again.
    const last = this.window.lastNeededIndex();
    this.activity.retain(last >= 0 ? this.shown?.items[last]?.id : undefined);
  }

  protected override render(): TemplateResult {
    const { m, c } = this;
    // The page's one connection status, by the rule every widget shares (see `ConnectionView`).
    const view = this.connection.view;
    if (!this.activity.client || this.activity.providerMissing || view === 'closed') {
      return this.frame(
        html`<div part="state" class="state">
          ${notConnectedIcon}
          <p>${m.notConnected(c)}</p>
        </div>`,
        false,
      );
    }
    const snapshot = this.shown;
    // Offline is a state, not an attempt: no spinner, and the same word as the header.
    const refused = snapshot?.refused?.code;
    // Above items already shown; with none, the body says it (once).
    const banner =
      refused && snapshot!.loaded
        ? html`<div class="banner">
            <span part="note" class="note" dir="auto">${m.refused(refused, c)}</span>
          </div>`
        : view === 'reconnecting' || view === 'offline'
          ? html`<div class="banner">
              <span part="note" class="note"
                >${
                  view === 'offline'
                    ? said(m.offline(c))
                    : html`<span class="spinner" aria-hidden="true"></span
                        >${said(m.reconnecting(c))}`
                }</span
              >
            </div>`
          : nothing;
    let body: TemplateResult;
    if (!this.feed || this.activity.refused) {
      // `customer` without an id, or an id the client refuses (both warned): nothing to follow,
      // nothing to show.
      body = emptyTemplate(m.noActivity(c), undefined, () => {}, false);
    } else if (refused && !snapshot!.loaded) {
      // Nothing loads before the room is joined: say why instead of loading for ever.
      body = emptyTemplate(m.refused(refused, c), undefined, () => {}, false);
    } else if (
      !snapshot ||
      (!snapshot.loaded && !snapshot.error) ||
      // Nothing yet, and reading on: a filtered page looks through a window of the feed, and one
      // that found nothing there says nothing of what is below it.
      (snapshot.items.length === 0 && snapshot.loading && snapshot.hasMore && !snapshot.error)
    ) {
      body = skeletonTemplate(m.feedLabel(c), m.loading(c));
    } else if (snapshot.items.length === 0) {
      body = snapshot.error
        ? errorTemplate(m.error(c), m.retry(c), () => void this.activity.refresh().catch(() => {}))
        : emptyTemplate(
            this.filtered ? m.emptyFiltered(c) : m.noActivity(c),
            this.filtered ? m.clearFilters(c) : undefined,
            () => this.changeFilter({}),
            snapshot.loading,
          );
    } else {
      body = feedListTemplate(snapshot, {
        window: this.window,
        focus: this.feedFocus,
        views: this.views!,
        handlers: this.handlers,
        locale: c.locale,
        now: this.clock().now(),
        expanded: this.expanded,
        brokenImages: this.brokenImages,
        texts: {
          label: m.feedLabel(c),
          loadingOlder: m.loadingOlder(c),
          end: m.end(c),
          olderError: m.olderError(c),
          retry: m.retry(c),
          more: (n) => m.moreChanges(n, c),
          fewer: () => m.fewerChanges(c),
        },
        entityHref: (ref, item) => this.hrefOf(ref, item),
        onAnimationEnd: this.onAnimationEnd,
        onRetryOlder: () => void this.loadOlder(),
      });
    }
    return this.frame(body, true, banner);
  }

  // ---- templates ----------------------------------------------------------------------------

  /** The filter bar, the scrolling area with `body`, the pill and the live region. */
  private frame(
    body: TemplateResult,
    connected: boolean,
    banner: TemplateResult | typeof nothing = nothing,
  ): TemplateResult {
    const w = this.window;
    const pill = connected && !w.atTop && w.newCount > 0;
    return html`${connected && !this.hideFilters ? this.filterBar() : nothing}${banner}
      <div class="viewport">
        <div part="scroller" class="scroller">${body}</div>
        ${
          pill
            ? html`<button part="pill" class="pill" type="button" @click=${this.onPill}>
                ${arrowUp}${this.m.newItems(w.newCount, this.c)}
              </button>`
            : nothing
        }
      </div>
      <div class="visually-hidden" role="status">${this.announcement}</div>`;
  }

  private filterBar(): TemplateResult | typeof nothing {
    const { m, c } = this;
    const filter = this.filter ?? {};
    const kinds = this.options.kinds(filter);
    const people = this.options.persons(filter, c.locale);
    if (kinds.length === 0 && people.length === 0) return nothing;
    return filterBarTemplate(
      filter,
      kinds,
      people,
      {
        group: m.filterLabel(c),
        kinds: m.kindGroupLabel(c),
        all: m.allKinds(c),
        person: m.personLabel(c),
        everyone: m.everyone(c),
        kind: (k) => m.kindLabel(k, c),
      },
      (next) => this.changeFilter(next),
    );
  }

  private readonly handlers: ItemHandlers = {
    onImageError: (url) => {
      this.brokenImages = new Set(this.brokenImages).add(url);
    },
    onToggleChanges: (id) => {
      const next = new Set(this.expanded);
      if (!next.delete(id)) next.add(id);
      this.expanded = next;
    },
    onOpen: (event, view, entity, href) => {
      const open = new CrmActivityOpenEvent(view.item, entity, href);
      if (!this.dispatchEvent(open)) event.preventDefault();
    },
  };

  // ---- behaviour ----------------------------------------------------------------------------

  private get filtered(): boolean {
    const filter = this.filter;
    return !!(filter?.kinds?.length || filter?.actors?.length);
  }

  private changeFilter(next: ActivityFilter): void {
    if (filterKey(next) === filterKey(this.filter)) return;
    this.filter = next;
    const event = new CrmActivityFilterChangeEvent(next);
    this.dispatchEvent(event);
  }

  private hrefOf(ref: EntityRef, item: ActivityItem): string | undefined {
    try {
      return safeHref(
        this.entityHref
          ? this.entityHref(ref, item)
          : entityHrefFromTemplate(this.entityLinkTemplate)(ref),
      );
    } catch (error) {
      warnOnce(
        'entityHref',
        `entityHref threw; showing the entity without a link. ${String(error)}`,
      );
      return undefined;
    }
  }

  private readonly onPill = () => {
    const hadFocus =
      this.renderRoot.querySelector('.pill') === (this.renderRoot as ShadowRoot).activeElement;
    this.window.scrollToTop(!prefersReducedMotion());
    if (hadFocus) void this.feedFocus.focusIndex(0);
  };

  private readonly onAnimationEnd = (event: AnimationEvent) => {
    const id = (event.target as HTMLElement).dataset?.['id'];
    if (id !== undefined && event.animationName === 'crm-activity-flash') {
      this.window.entering.delete(id);
    }
  };

  /** Announce the pill once when it appears (not on every count change). */
  private pillAnnouncement(): void {
    const count = this.window.atTop ? 0 : this.window.newCount;
    if (count > 0 && this.announced === 0) {
      this.announcement = liveText(this.m.newItemsAnnouncement(count, this.c));
    } else if (count === 0 && this.announced > 0) this.announcement = '';
    this.announced = count;
  }

  /**
   * Say how many items a new filter finds, once they have loaded (not the old list still shown
   * while they load): after pressing a chip, nothing else tells a screen-reader user that the feed
   * went from forty items to one.
   */
  private filterAnnouncement(): void {
    const s = this.shown;
    if (!this.filterPending || !s?.loaded || filterKey(s.filter) !== this.shownFilter) return;
    this.filterPending = false;
    const text = this.m.filterResults(s.items.length, s.hasMore, this.c);
    // The same words twice in a row (two filters finding as many items) are read again.
    this.announcement = nextLiveText(text, this.announcement);
  }

  private validate(changed: PropertyValues<this>): void {
    if (changed.has('feedType') && !FEED_TYPES.includes(this.feedType)) {
      warnOnce(
        `type:${this.feedType}`,
        `feed-type="${this.feedType}" is not one of ${FEED_TYPES.join(', ')}; showing the global feed.`,
      );
    }
    if (
      (changed.has('feedType') || changed.has('entityId')) &&
      this.feedType === 'customer' &&
      !this.entityId.trim()
    ) {
      warnOnce('customer-id', 'feed-type="customer" needs an entity-id (the customer id).');
    }
    if (changed.has('maxItems') && this.pageSize !== this.maxItems) {
      warnOnce(
        `max:${this.maxItems}`,
        `max-items="${this.maxItems}" is not a whole number from 1 to ${MAX_PAGE}; using ${this.pageSize}.`,
      );
    }
  }

  private clock(): Clock {
    return this.activity.client?.clock ?? realClock;
  }
}
