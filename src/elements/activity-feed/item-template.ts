/**
 * The markup of one feed item: an `<article>` of the WAI-ARIA feed pattern, labelled by its
 * headline ("Ana Ortiz changed Stage on Difference Ltd") and described by its details and time.
 * Every string from the data goes into the DOM as text (Lit escapes it); links get only URLs that
 * passed `safeHref`.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { EntityRef } from '../../protocol/index.js';
import { avatarColor, initials, safeAvatarUrl } from '../shared/avatar.js';
import { avatarImage } from '../shared/avatar-image.js';
import { bdi } from '../shared/bidi.js';
import type { TimeText } from '../shared/relative-time.js';
import { kindIcons } from './icons.js';
import type { ChangeView, HeadlineSegment, ItemView, ValueText } from './item-view.js';
import { styleProps } from '../shared/style-props.js';

/** Changes shown before "Show N more changes". */
export const CHANGES_SHOWN = 4;

export interface ItemContext {
  /** 1-based position and the feed's size (-1 while more can be loaded). */
  readonly posinset: number;
  readonly setsize: number;
  /**
   * The article takes the feed's Tab stop, and so do its links and buttons: the feed is one stop
   * "followed by that article's links", not a stop for every link in it (the others get
   * `tabindex="-1"`, still focusable by pointer and script).
   */
  readonly tabbable: boolean;
  /** Animate it in (arrived live while the reader was at the top). */
  readonly entering: boolean;
  /** Rendered out of the window because it has focus: positioned at this offset. */
  readonly pinnedAt: number | undefined;
  readonly time: TimeText | undefined;
  /** The long list of changes is open. */
  readonly expanded: boolean;
  readonly locale: string;
  entityText(ref: EntityRef): string;
  entityHref(ref: EntityRef): string | undefined;
  /** A picture failed to load once: show initials. */
  readonly brokenImages: ReadonlySet<string>;
  readonly labels: {
    more(hidden: number): string;
    fewer(): string;
  };
}

export interface ItemHandlers {
  onImageError(url: string): void;
  onToggleChanges(id: string): void;
  onOpen(event: MouseEvent, view: ItemView, entity: EntityRef, href: string): void;
}

function avatar(view: ItemView, ctx: ItemContext, h: ItemHandlers): TemplateResult {
  const actor = view.actor;
  const url = safeAvatarUrl(actor?.avatarUrl);
  const picture = url !== undefined && !ctx.brokenImages.has(url) ? url : undefined;
  const face = picture
    ? avatarImage(picture, 'avatar-image', (src) => h.onImageError(src))
    : actor
      ? html`<span part="avatar-initials" class="initials"
          >${initials(actor.name, ctx.locale)}</span
        >`
      : kindIcons[view.icon];
  return html`<span
    part="avatar"
    class="avatar ${actor ? '' : 'anonymous'}"
    style=${styleProps({ '--_avatar-bg': actor ? avatarColor(actor.id) : undefined })}
    aria-hidden="true"
    ><span class="face">${face}</span
    ><span part="kind-icon" class="kind-icon" data-icon=${view.icon}
      >${kindIcons[view.icon]}</span
    ></span
  >`;
}

// The headline is isolated pieces (name, entity) in a translated sentence. It takes its direction
// from the sentence (`dir="auto"` skips the <bdi>s), so an untranslated one in a right-to-left page
// still reads "Ana Ortiz changed Stage on Acme", not "Acme changed Stage on Ana Ortiz".
function headline(view: ItemView, ctx: ItemContext, h: ItemHandlers): TemplateResult[] {
  return view.headline.map((segment: HeadlineSegment) => {
    switch (segment.kind) {
      case 'text':
        return html`${segment.text}`;
      case 'actor':
        return html`<strong part="actor" class="actor">${bdi(view.actorName)}</strong>`;
      case 'fields':
        return html`<span part="fields" class="fields">${segment.text}</span>`;
      case 'entity': {
        const entity = view.entity;
        if (!entity) return html``;
        const text = ctx.entityText(entity);
        const href = ctx.entityHref(entity);
        return href
          ? html`<a
              part="entity"
              class="entity"
              href=${href}
              tabindex=${ctx.tabbable ? nothing : -1}
              @click=${(e: MouseEvent) => h.onOpen(e, view, entity, href)}
              >${bdi(text)}</a
            >`
          : html`<span part="entity" class="entity">${bdi(text)}</span>`;
      }
    }
  });
}

// A value takes its direction from its own first letter (`dir="auto"`), not from the page: a phone
// number in a right-to-left page still reads "+44 20 7946 0321".
// A value cut short keeps its text in `.cut`, which a tapped item on a touch screen swaps for the
// full value (its tooltip's text; see item.styles.ts).
function value(v: ValueText, which: 'from' | 'to'): TemplateResult {
  const cut = v.full !== v.text;
  const content = v.datetime
    ? html`<time datetime=${v.datetime}>${v.text}</time>`
    : cut
      ? html`<span class="cut">${v.text}</span>`
      : v.text;
  return html`<span
    part="value value-${which}"
    class="value ${which} ${v.empty ? 'empty' : ''}"
    dir="auto"
    title=${cut ? v.full : nothing}
    >${v.empty ? '—' : content}</span
  >`;
}

function change(ch: ChangeView): TemplateResult {
  return html`<li part="change" class="change">
    <span class="visually-hidden">${ch.spoken}</span
    ><span part="field" class="field" aria-hidden="true" title=${ch.label}>${ch.label}</span
    ><span class="values" aria-hidden="true"
      >${value(ch.from, 'from')}<span class="arrow">→</span>${value(ch.to, 'to')}</span
    >
  </li>`;
}

function changes(
  view: ItemView,
  ctx: ItemContext,
  h: ItemHandlers,
): TemplateResult | typeof nothing {
  const all = view.changes;
  if (all.length === 0) return nothing;
  const long = all.length > CHANGES_SHOWN + 1;
  const shown = long && !ctx.expanded ? all.slice(0, CHANGES_SHOWN) : all;
  return html`<ul part="changes" class="changes" role="list">
      ${shown.map(change)}
    </ul>
    ${
      long
        ? html`<button
            part="more"
            class="more"
            type="button"
            tabindex=${ctx.tabbable ? nothing : -1}
            aria-expanded=${ctx.expanded ? 'true' : 'false'}
            @click=${() => h.onToggleChanges(view.item.id)}
          >
            ${ctx.expanded ? ctx.labels.fewer() : ctx.labels.more(all.length - CHANGES_SHOWN)}
          </button>`
        : nothing
    }`;
}

/** One item as an `<article>` of the feed. */
export function itemTemplate(view: ItemView, ctx: ItemContext, h: ItemHandlers): TemplateResult {
  const { key } = view;
  const time = ctx.time;
  const classes = [
    'item',
    ctx.entering ? 'entering' : '',
    ctx.pinnedAt !== undefined ? 'pinned' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return html`<article
    part="item"
    class=${classes}
    data-id=${view.item.id}
    data-kind=${view.item.kind}
    tabindex=${ctx.tabbable ? 0 : -1}
    aria-posinset=${ctx.posinset}
    aria-setsize=${ctx.setsize}
    aria-labelledby="${key}-h"
    aria-describedby="${key}-d ${key}-t"
    style=${styleProps({
      'inset-block-start': ctx.pinnedAt !== undefined ? `${ctx.pinnedAt}px` : undefined,
    })}
  >
    ${avatar(view, ctx, h)}
    <div class="body">
      <div class="top">
        <p part="headline" class="headline" id="${key}-h" dir="auto">${headline(view, ctx, h)}</p>
        ${
          time
            ? html`<time
                part="time"
                class="time"
                id="${key}-t"
                datetime=${time.datetime}
                title=${time.absolute}
                dir="auto"
                >${time.relative}</time
              >`
            : html`<span id="${key}-t" hidden></span>`
        }
      </div>
      <div class="detail" id="${key}-d">
        ${
          view.summary !== undefined
            ? html`<p part="summary" class="summary" dir="auto">${view.summary}</p>`
            : nothing
        }
        ${changes(view, ctx, h)}
      </div>
    </div>
  </article>`;
}
