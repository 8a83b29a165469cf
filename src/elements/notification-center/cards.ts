/**
 * The two cards a notification is shown on: an item of the panel's list and a toast. Both are
 * focusable; Enter, Space or a click outside their own links and buttons opens the notification.
 * Their accessible name is built from the pieces of `item-template.ts` ("Unread Warning Urgent
 * Invoice overdue"), their description from the message and the time. `announced` gives the words
 * a screen reader hears when one arrives.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { NotificationSource } from '../../events/notification-events.js';
import type { MessageContext } from '../../i18n.js';
import type { Notification, NotificationAction } from '../../protocol/notifications.js';
import { isolate } from '../shared/bidi.js';
import { liveText } from '../shared/live-text.js';
import { timeText } from '../shared/relative-time.js';
import { closeIcon } from './icons.js';
import {
  bodyTemplate,
  descriptionIds,
  iconTemplate,
  labelIds,
  type ItemContext,
} from './item-template.js';
import type {
  AnnouncedNotification,
  NotificationCenterMessages,
} from './notification-center-messages.js';
import type { Toast } from './toast-stack.js';
import { styleProps } from '../shared/style-props.js';

/** What the cards need from the element. */
export interface CardHost {
  readonly m: NotificationCenterMessages;
  readonly c: MessageContext;
  now(): number;
  /** A short key, unique per notification in the shadow root, for ids. */
  key(id: string): string;
  /** The notification's entity link, checked, if any. */
  href(n: Notification): string | undefined;
  /** Open it (a link click when `fromLink`: the browser follows the link unless vetoed). */
  open(
    e: Event,
    n: Notification,
    href: string | undefined,
    source: NotificationSource,
    fromLink: boolean,
  ): void;
  act(e: Event, n: Notification, action: NotificationAction, source: NotificationSource): void;
}

export interface ItemCardState {
  /** The roving Tab stop of the list (its links and buttons follow it, or are -1 too). */
  tabIndex: 0 | -1;
  /** Shown as new: unread, or unread when the panel showed it. */
  tinted: boolean;
  /** Offer a "mark read" button (`mark-read="item"` and unread). */
  markButton: boolean;
  /** Focus went to the item or into it (a link clicked): it becomes the current one. */
  onFocus(): void;
  onMarkRead(): void;
}

function context(
  n: Notification,
  host: CardHost,
  part: 'item' | 'toast',
  unread: boolean,
  tabbable: boolean,
): ItemContext {
  const source: NotificationSource = part === 'item' ? 'panel' : 'toast';
  return {
    m: host.m,
    c: host.c,
    key: `${part === 'item' ? 'i' : 't'}${host.key(n.id)}`,
    href: host.href(n),
    time: timeText(n.createdAt, host.now(), host.c.locale),
    unread,
    part,
    tabbable,
    onOpen: (e, item, href) => host.open(e, item, href, source, true),
    onAction: (e, item, action) => host.act(e, item, action, source),
  };
}

/** Open on a click that is not on one of the card's own links or buttons. */
function onClick(e: MouseEvent, n: Notification, x: ItemContext, host: CardHost): void {
  const card = e.currentTarget as HTMLElement;
  for (const node of e.composedPath()) {
    if (node === card) break;
    if (node instanceof HTMLAnchorElement || node instanceof HTMLButtonElement) return;
  }
  host.open(e, n, x.href, x.part === 'item' ? 'panel' : 'toast', false);
}

/** Open on Enter or Space on the card itself. */
function onKeydown(e: KeyboardEvent, n: Notification, x: ItemContext, host: CardHost): void {
  if (e.target !== e.currentTarget || (e.key !== 'Enter' && e.key !== ' ')) return;
  e.preventDefault();
  host.open(e, n, x.href, x.part === 'item' ? 'panel' : 'toast', false);
}

export function itemCard(n: Notification, host: CardHost, s: ItemCardState): TemplateResult {
  const x = context(n, host, 'item', !n.read, s.tabIndex === 0);
  // The "mark read" dot is named by its title alone, which is also its tooltip (a dot needs one):
  // with an `aria-label` as well, screen readers read the same words again as its description.
  // Touch screens show no tooltip, so there the dot is followed by words (`markReadText`), hidden
  // from screen readers, whose name for the button stays the title.
  const markLabel = s.markButton ? host.m.markRead(isolate(n.title), host.c) : '';
  return html`<li
    part="item ${s.tinted ? 'item-unread' : ''}"
    class="item"
    data-id=${n.id}
    data-type=${n.type}
    data-priority=${n.priority}
    ?data-unread=${s.tinted}
    tabindex=${s.tabIndex}
    aria-labelledby=${labelIds(x.key)}
    aria-describedby=${descriptionIds(n, x.key)}
    @click=${(e: MouseEvent) => onClick(e, n, x, host)}
    @keydown=${(e: KeyboardEvent) => onKeydown(e, n, x, host)}
    @focusin=${s.onFocus}
  >
    ${iconTemplate(n, x)} ${bodyTemplate(n, x)}
    ${
      s.markButton
        ? html`<button
            part="mark-read"
            class="mark-read"
            type="button"
            tabindex=${x.tabbable ? nothing : -1}
            title=${markLabel}
            @click=${s.onMarkRead}
          >
            <span class="unread-dot"></span
            ><span class="mark-text" aria-hidden="true">${host.m.markReadText(host.c)}</span>
          </button>`
        : s.tinted
          ? html`<span class="unread-dot" aria-hidden="true"></span>`
          : nothing
    }
  </li>`;
}

/** A toast; `duration` > 0 draws the countdown line (not on urgent ones). */
export function toastCard(
  toast: Toast,
  host: CardHost,
  duration: number,
  onDismiss: (e: Event) => void,
): TemplateResult {
  const n = toast.notification;
  const x = context(n, host, 'toast', false, true);
  const countdown = n.priority !== 'urgent' && duration > 0 && !toast.leaving;
  // Named by `aria-label` alone: a `title` too was read again as its description, and the ×
  // needs no tooltip. Never drawn, so spoken text: no directional controls (see `liveText`).
  const dismiss = liveText(host.m.dismiss(n.title, host.c));
  return html`<li
    part="toast"
    class="toast ${toast.leaving ? 'leaving' : ''}"
    data-id=${n.id}
    data-type=${n.type}
    data-priority=${n.priority}
    tabindex=${toast.leaving ? nothing : 0}
    aria-labelledby=${labelIds(x.key)}
    aria-describedby=${descriptionIds(n, x.key)}
    aria-hidden=${toast.leaving ? 'true' : nothing}
    ?inert=${toast.leaving}
    style=${styleProps(countdown ? { '--_toast-duration': `${duration}ms` } : {})}
    @click=${(e: MouseEvent) => onClick(e, n, x, host)}
    @keydown=${(e: KeyboardEvent) => onKeydown(e, n, x, host)}
  >
    ${iconTemplate(n, x)} ${bodyTemplate(n, x)}
    <button part="dismiss" class="dismiss" type="button" aria-label=${dismiss} @click=${onDismiss}>
      ${closeIcon}
    </button>
    ${
      countdown
        ? html`<span part="countdown" class="countdown" aria-hidden="true"></span>`
        : nothing
    }
  </li>`;
}

/**
 * The parts of a notification's announcement, in words: type, priority when marked, title,
 * message, sender. What people wrote is isolated (U+2068 … U+2069), as on the cards.
 */
export function announced(n: Notification, host: Pick<CardHost, 'm' | 'c'>): AnnouncedNotification {
  const { m, c } = host;
  const marked = n.priority === 'high' || n.priority === 'urgent';
  return {
    type: m.type(n.type, c),
    priority: marked ? m.priority(n.priority, c) : undefined,
    title: isolate(n.title),
    message: n.message ? isolate(n.message) : undefined,
    from: n.from ? m.from(isolate(n.from.name), c) : undefined,
  };
}
