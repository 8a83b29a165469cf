/**
 * The `role="feed"` list as rendered: the window's items (plus the focused one, pinned, when it
 * is outside the window) between the paddings that stand for the rest, and the footer under it
 * (loading older, or the end).
 */
import { html, type TemplateResult } from 'lit';
import { said } from '../shared/bidi.js';
import { keyedList } from '../shared/keyed-list.js';
import type { ActivitySnapshot } from '../../client/activity/activity-store.js';
import type { ActivityItem, EntityRef } from '../../protocol/index.js';
import { timeText } from '../shared/relative-time.js';
import type { FeedFocus } from './feed-focus.js';
import type { FeedWindow } from './feed-window.js';
import { itemTemplate, type ItemContext, type ItemHandlers } from './item-template.js';
import type { ItemViews } from './item-view.js';
import { styleProps } from '../shared/style-props.js';

export interface FeedListContext {
  readonly window: FeedWindow<ActivityItem>;
  readonly focus: FeedFocus<ActivityItem>;
  readonly views: ItemViews;
  readonly handlers: ItemHandlers;
  readonly locale: string;
  readonly now: number;
  readonly expanded: ReadonlySet<string>;
  readonly brokenImages: ReadonlySet<string>;
  readonly texts: {
    readonly label: string;
    readonly loadingOlder: string;
    readonly end: string;
    readonly olderError: string;
    readonly retry: string;
    more(hidden: number): string;
    fewer(): string;
  };
  entityHref(ref: EntityRef, item: ActivityItem): string | undefined;
  onAnimationEnd(event: AnimationEvent): void;
  /** "Try again" after a page of older items failed. */
  onRetryOlder(): void;
}

export function feedListTemplate(snapshot: ActivitySnapshot, ctx: FeedListContext): TemplateResult {
  const { window: w, views, texts } = ctx;
  const items = snapshot.items;
  const { start, end } = w.range;
  const pinned = w.pinnedIndex();
  const indexes: number[] = [];
  if (pinned >= 0 && pinned < start) indexes.push(pinned);
  for (let i = start; i < end; i++) indexes.push(i);
  if (pinned >= end) indexes.push(pinned);
  const tabbable = w.tabbableIndex();
  const setsize = snapshot.hasMore ? -1 : items.length;
  const base: Omit<
    ItemContext,
    'posinset' | 'tabbable' | 'entering' | 'pinnedAt' | 'time' | 'expanded' | 'entityHref'
  > = {
    setsize,
    locale: ctx.locale,
    brokenImages: ctx.brokenImages,
    entityText: (ref) => views.entityText(ref),
    labels: { more: texts.more, fewer: texts.fewer },
  };
  const footer = snapshot.loading
    ? html`<div part="footer" class="footer">
        <span class="spinner" aria-hidden="true"></span>${said(texts.loadingOlder)}
      </div>`
    : snapshot.error && snapshot.hasMore
      ? html`<div part="footer" class="footer">
          ${said(texts.olderError)}
          <button part="retry" class="action" type="button" @click=${ctx.onRetryOlder}>
            ${texts.retry}
          </button>
        </div>`
      : html`<div part="footer" class="footer">${snapshot.hasMore ? '' : said(texts.end)}</div>`;
  return html`<div
      part="feed"
      class="feed"
      role="feed"
      aria-label=${texts.label}
      aria-busy=${snapshot.loading ? 'true' : 'false'}
      style=${styleProps({
        'padding-block-start': `${w.layout.offset(start)}px`,
        'padding-block-end': `${Math.max(0, w.layout.total - w.layout.offset(end))}px`,
      })}
      @keydown=${ctx.focus.onKeydown}
      @focusin=${ctx.focus.onFocusIn}
      @focusout=${ctx.focus.onFocusOut}
      @animationend=${ctx.onAnimationEnd}
    >
      ${keyedList(
        indexes,
        (i) => items[i]!.id,
        (i) => {
          const item = items[i]!;
          return itemTemplate(
            views.view(item),
            {
              ...base,
              posinset: i + 1,
              tabbable: i === tabbable,
              entering: w.entering.has(item.id),
              pinnedAt: i === pinned ? w.layout.offset(i) : undefined,
              time: timeText(item.at, ctx.now, ctx.locale),
              expanded: ctx.expanded.has(item.id),
              entityHref: (ref) => ctx.entityHref(ref, item),
            },
            ctx.handlers,
          );
        },
      )}
    </div>
    ${footer}`;
}
