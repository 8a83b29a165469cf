/**
 * The content of one notification, shared by the panel's items and the toasts: type icon, title,
 * message, priority, time, sender, entity link and actions. Everything a person or a backend
 * supplied goes in as text (Lit escapes it); URLs become links only through `safeHref`. Titles,
 * names and entity labels are isolated (`<bdi>`, U+2068 … U+2069 inside a translated sentence),
 * messages take their own direction (`unicode-bidi: plaintext` in the styles): a title ending in
 * a direction override, or in a script of the other direction, cannot reorder what is around it.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { Notification, NotificationAction } from '../../protocol/notifications.js';
import type { NotificationEventAction } from '../../events/notification-events.js';
import type { TimeText } from '../shared/relative-time.js';
import type { MessageContext } from '../../i18n.js';
import { bdi, isolate } from '../shared/bidi.js';
import { safeHref } from '../shared/links.js';
import { linkIcon, typeIcon, urgentIcon } from './icons.js';
import type { NotificationCenterMessages } from './notification-center-messages.js';

/** What a template needs to know about one notification beyond the notification itself. */
export interface ItemContext {
  readonly m: NotificationCenterMessages;
  readonly c: MessageContext;
  /** A prefix unique in the shadow root, for the ids that name the item. */
  readonly key: string;
  /** The entity link, already checked (or `undefined`). */
  readonly href: string | undefined;
  readonly time: TimeText | undefined;
  /** Shown as unread (dot, tint, "Unread" for screen readers). */
  readonly unread: boolean;
  /** Parts prefix: `item` in the panel, `toast` on toasts. */
  readonly part: 'item' | 'toast';
  /**
   * Its links and buttons are Tab stops. In the panel only the current item's are (the list is
   * one Tab stop "followed by that item's links"); the others get `tabindex="-1"`, still
   * focusable by pointer and script. Toasts: always.
   */
  readonly tabbable: boolean;
  onOpen(event: Event, n: Notification, href: string | undefined): void;
  onAction(event: Event, n: Notification, action: NotificationAction): void;
}

const isEventAction = (a: NotificationAction): a is NotificationEventAction => 'event' in a;

/** Ids of the pieces that name an item, for `aria-labelledby` on its container. */
export function labelIds(key: string): string {
  return `${key}-state ${key}-type ${key}-priority ${key}-title`;
}

/** Ids of the pieces that describe it, for `aria-describedby`. */
export function descriptionIds(n: Notification, key: string): string {
  return [n.message ? `${key}-message` : '', `${key}-meta`].filter(Boolean).join(' ');
}

/** The type icon in its tinted disc. */
export function iconTemplate(n: Notification, x: ItemContext): TemplateResult {
  return html`<span part="${x.part}-icon" class="icon" aria-hidden="true"
    >${typeIcon(n.type)}</span
  >`;
}

/** Title, message, meta line, links and actions. */
export function bodyTemplate(n: Notification, x: ItemContext): TemplateResult {
  const { m, c, key } = x;
  const marked = n.priority === 'high' || n.priority === 'urgent';
  const priority = marked ? m.priority(n.priority, c) : '';
  // The chip is drawn in capitals (`text-transform`), which Chromium hands on to screen readers
  // ("HIGH", spelled out or shouted): the item's name takes the words from a hidden copy, and the
  // chip is hidden from assistive technology.
  return html`<div class="body">
    <span class="visually-hidden" id="${key}-state">${x.unread ? m.unread(c) : ''}</span>
    <span class="visually-hidden" id="${key}-type">${m.type(n.type, c)}</span>
    <div class="headline">
      ${
        marked
          ? html`<span
              part="${x.part}-priority priority-${n.priority}"
              class="priority"
              data-priority=${n.priority}
              aria-hidden="true"
              >${n.priority === 'urgent' ? urgentIcon : nothing}${priority}</span
            >`
          : nothing
      }<span id="${key}-priority" hidden>${priority}</span>
      <span part="${x.part}-title" class="title" id="${key}-title">${bdi(n.title)}</span>
    </div>
    ${
      n.message
        ? html`<p part="${x.part}-message" class="message" id="${key}-message">${n.message}</p>`
        : nothing
    }
    <div part="${x.part}-meta" class="meta" id="${key}-meta">
      ${
        x.time
          ? html`<time
              datetime=${x.time.datetime}
              title=${x.time.absolute}
              data-clock=${x.time.clock}
              dir="auto"
              >${x.time.relative}</time
            >`
          : nothing
      }
      ${
        n.from
          ? html`<span class="sep" aria-hidden="true">·</span
              ><span class="from" dir="auto">${m.from(isolate(n.from.name), c)}</span>`
          : nothing
      }
    </div>
    ${linksTemplate(n, x)}
  </div>`;
}

function linksTemplate(n: Notification, x: ItemContext): TemplateResult | typeof nothing {
  const entity = n.entity;
  const actions = n.actions ?? [];
  if (!(entity && x.href) && actions.length === 0) return nothing;
  return html`<div class="links" part="${x.part}-actions">
    ${
      entity && x.href
        ? html`<a
            part="${x.part}-entity"
            class="entity"
            href=${x.href}
            tabindex=${x.tabbable ? nothing : -1}
            @click=${(e: Event) => x.onOpen(e, n, x.href)}
            >${linkIcon}<span>${bdi(x.m.entity(entity, x.c))}</span></a
          >`
        : nothing
    }
    ${actions.map((action) => actionTemplate(n, action, x))}
  </div>`;
}

function actionTemplate(
  n: Notification,
  action: NotificationAction,
  x: ItemContext,
): TemplateResult | typeof nothing {
  if (isEventAction(action)) {
    return html`<button
      part="${x.part}-action"
      class="action"
      type="button"
      tabindex=${x.tabbable ? nothing : -1}
      @click=${(e: Event) => x.onAction(e, n, action)}
    >
      ${action.label}
    </button>`;
  }
  const href = safeHref(action.url);
  // A URL that is not safe is not a link, nor anything else: the label alone would mislead.
  if (!href) return nothing;
  return html`<a
    part="${x.part}-action"
    class="action"
    href=${href}
    tabindex=${x.tabbable ? nothing : -1}
    @click=${(e: Event) => x.onAction(e, n, action)}
    >${action.label}</a
  >`;
}
