/**
 * What the panel shows: a header (title, unread count, "mark all read"), a notice while
 * reconnecting or offline, and the list grouped by day, or the state that stands for it (loading,
 * empty, failed, not connected). The list is rendered only while the panel is open.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { said } from '../shared/bidi.js';
import { keyedList } from '../shared/keyed-list.js';
import type { NotificationsSnapshot } from '../../client/notifications/notification-store.js';
import type { MessageContext } from '../../i18n.js';
import type { Notification } from '../../protocol/notifications.js';
import { groupByDay, type DayGroup } from './day-groups.js';
import { checkAllIcon, emptyIcon, notConnectedIcon } from './icons.js';
import type { NotificationCenterMessages } from './notification-center-messages.js';

export interface PanelView {
  readonly open: boolean;
  readonly available: boolean;
  /** Why nothing new arrives: the connection is being restored, or the browser has no network. */
  readonly interrupted: 'reconnecting' | 'offline' | undefined;
  readonly unread: number;
  readonly snapshot: NotificationsSnapshot | undefined;
  /** The clock's now, for day groups. */
  readonly now: number;
  /** One item; `first` is the first of the whole list (the default Tab stop). */
  item(n: Notification, first: boolean): TemplateResult;
  onMarkAll(): void;
  onRetry(): void;
  onRetryMore(): void;
  onScroll(): void;
}

type M = NotificationCenterMessages;

export function panelBody(v: PanelView, m: M, c: MessageContext): TemplateResult {
  return html`<div part="panel-header" class="header">
      <span part="panel-title" class="panel-title" id="panel-title">${m.panelTitle(c)}</span>
      ${
        v.available
          ? html`<button
              part="mark-all"
              class="text-button mark-all"
              type="button"
              ?disabled=${v.unread === 0}
              @click=${v.onMarkAll}
            >
              ${checkAllIcon}${m.markAllRead(c)}
            </button>`
          : nothing
      }
    </div>
    ${v.open ? content(v, m, c) : nothing}`;
}

function content(v: PanelView, m: M, c: MessageContext): TemplateResult {
  const snapshot = v.snapshot;
  if (!v.available) {
    return state(notConnectedIcon, m.notConnected(c), m.notConnectedDetail(c));
  }
  // Offline is a state, not an attempt: no spinner, and the same word as the header.
  const refused = snapshot?.refused?.code;
  const notice = refused
    ? html`<div part="notice" class="notice" role="status">${said(m.refused(refused, c))}</div>`
    : v.interrupted
      ? html`<div part="notice" class="notice" role="status">
          ${
            v.interrupted === 'offline'
              ? said(m.offline(c))
              : html`<span class="spinner" aria-hidden="true"></span>${said(m.reconnecting(c))}`
          }
        </div>`
      : nothing;
  if (!snapshot?.loaded) {
    // Nothing loads before the room is joined: the notice says why, instead of a skeleton.
    if (refused) return html`${notice}`;
    if (snapshot?.error && !snapshot.loading) {
      return html`${notice}${state(
        notConnectedIcon,
        m.loadFailed(c),
        '',
        html`<button class="text-button" type="button" @click=${v.onRetry}>${m.retry(c)}</button>`,
      )}`;
    }
    return html`${notice}
      <div part="list" class="list" aria-busy="true">
        <span class="visually-hidden" role="status">${m.loading(c)}</span>
        ${[0, 1, 2].map(
          () =>
            html`<div class="skeleton" aria-hidden="true">
              <span class="disc"></span
              ><span class="lines"><span class="line"></span><span class="line short"></span></span>
            </div>`,
        )}
      </div>`;
  }
  if (snapshot.items.length === 0) {
    return html`${notice}${state(emptyIcon, m.empty(c), m.emptyDetail(c))}`;
  }
  const groups = groupByDay(snapshot.items, (n) => n.createdAt, v.now);
  const firstId = snapshot.items[0]!.id;
  return html`${notice}
    <div
      part="list"
      class="list"
      aria-busy=${snapshot.loading ? 'true' : 'false'}
      @scroll=${v.onScroll}
    >
      ${keyedList(
        groups,
        (g) => g.key,
        (g) => group(g, v, m, c, firstId),
      )}
      ${footer(snapshot, v, m, c)}
    </div>`;
}

function group(
  g: DayGroup<Notification>,
  v: PanelView,
  m: M,
  c: MessageContext,
  firstId: string,
): TemplateResult {
  const label =
    g.kind === 'today'
      ? m.today(c)
      : g.kind === 'yesterday'
        ? m.yesterday(c)
        : m.day(g.start, v.now, c);
  return html`<div class="group" role="group" aria-labelledby="day-${g.key}">
    <div part="day" class="day" id="day-${g.key}">${label}</div>
    <ul class="items" role="list">
      ${keyedList(
        g.items,
        (n) => n.id,
        (n) => v.item(n, n.id === firstId),
      )}
    </ul>
  </div>`;
}

function footer(
  snapshot: NotificationsSnapshot,
  v: PanelView,
  m: M,
  c: MessageContext,
): TemplateResult | typeof nothing {
  if (snapshot.loading) {
    return html`<div class="more" role="status">
      <span class="spinner" aria-hidden="true"></span>${said(m.loadingMore(c))}
    </div>`;
  }
  if (snapshot.error && snapshot.hasMore) {
    return html`<div class="more">
      ${said(m.loadFailed(c))}
      <button class="text-button" type="button" @click=${v.onRetryMore}>${m.retry(c)}</button>
    </div>`;
  }
  return nothing;
}

function state(
  icon: TemplateResult,
  title: string,
  detail: string,
  action: TemplateResult | typeof nothing = nothing,
): TemplateResult {
  return html`<div part="state" class="state">
    <span class="state-icon" aria-hidden="true">${icon}</span>
    <span class="state-title" dir="auto">${title}</span>
    ${detail ? html`<span class="state-detail" dir="auto">${detail}</span>` : nothing}${action}
  </div>`;
}
