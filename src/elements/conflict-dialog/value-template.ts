/**
 * The markup of one value view (see `../shared/format-value.ts`). Everything goes into the DOM as text:
 * Lit escapes every interpolated string, and nothing here uses `unsafeHTML`. Each value takes its
 * direction from its own first letter (`dir="auto"`, `<bdi>` in lists), not from the page: a phone
 * number in a right-to-left page still reads "+44 20 7946 0321"; JSON is always left to right.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { Item, Segment, ValueView } from '../shared/format-value.js';

const mark = (text: string, changed: boolean) =>
  changed ? html`<mark part="change" class="change">${text}</mark>` : text;

const segments = (list: readonly Segment[]) => list.map((s) => mark(s.text, s.changed));

const empty = (label: string) =>
  html`<span part="empty" class="empty"><span aria-hidden="true">—</span> ${label}</span>`;

const item = (i: Item, emptyLabel: string) =>
  i.empty ? empty(emptyLabel) : html`<bdi>${mark(i.text, i.changed)}</bdi>`;

/** A value of any JSON type, readable. `emptyLabel` names null, undefined and empty values. */
export function valueTemplate(view: ValueView, emptyLabel: string): TemplateResult {
  switch (view.kind) {
    case 'empty':
      return empty(emptyLabel);
    case 'text':
      return html`<span class="text ${view.multiline ? 'multiline' : ''}" dir="auto"
        >${segments(view.segments)}</span
      >`;
    case 'scalar':
      return html`<span class="scalar" dir="auto">${view.text}</span>`;
    case 'date':
      return html`<time class="date" datetime=${view.datetime} dir="auto">${view.text}</time>`;
    case 'inline-list':
      return html`<span class="inline-list"
        >${view.items.map((i, n) => html`${n > 0 ? ', ' : nothing}${item(i, emptyLabel)}`)}</span
      >`;
    case 'list':
      return html`<ul part="list" class="list">
        ${view.items.map((i) => html`<li>${item(i, emptyLabel)}</li>`)}
      </ul>`;
    case 'record':
      return html`<dl part="record" class="record">
        ${view.entries.map(
          (e) =>
            html`<div class=${e.changed ? 'entry changed' : 'entry'}>
              <dt>${e.key}:</dt>
              <dd>${item(e, emptyLabel)}</dd>
            </div>`,
        )}
      </dl>`;
    case 'json':
      return html`<pre part="json" class="json" dir="ltr"><code>${view.text}</code></pre>`;
  }
}
