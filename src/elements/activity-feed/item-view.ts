/**
 * What one activity item shows, as a small view model the template renders as text (never as
 * HTML): who (name, avatar), what (a headline from a translatable pattern, the summary, each field
 * change with its old and new value formatted readably), on which entity. Views are built once per
 * item and language and cached, so a render during a burst costs only the items on screen.
 */
import type { ActivityItem, EntityRef, FeedRef, UserProfile } from '../../protocol/index.js';
import type { MessageContext } from '../../i18n.js';
import { isolate } from '../shared/bidi.js';
import { ValueFormatter, type ValueView } from '../shared/format-value.js';
import { shorten } from '../shared/shorten.js';
import type { ActivityFeedMessages } from './activity-messages.js';

/** A piece of a headline: plain text, or a placeholder the template styles. */
export type HeadlineSegment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'actor' }
  | { readonly kind: 'fields'; readonly text: string }
  | { readonly kind: 'entity' };

/** A value as one line of text. */
export interface ValueText {
  /** What is shown (cut to `MAX_VALUE_CHARS`). */
  readonly text: string;
  /** The whole value, for the tooltip and screen readers. */
  readonly full: string;
  readonly empty: boolean;
  /** ISO date for `<time datetime>`, when the value is a date. */
  readonly datetime?: string;
}

export interface ChangeView {
  readonly field: string;
  readonly label: string;
  readonly from: ValueText;
  readonly to: ValueText;
  /** The change as a sentence, for screen readers. */
  readonly spoken: string;
}

export type KindIcon =
  'change' | 'create' | 'delete' | 'call' | 'meeting' | 'note' | 'email' | 'other';

export interface ItemView {
  readonly item: ActivityItem;
  /** A key safe for `id` attributes, unique in the element. */
  readonly key: string;
  readonly actor: UserProfile | undefined;
  /** The actor's name, or "Someone". */
  readonly actorName: string;
  readonly headline: readonly HeadlineSegment[];
  /** The entity to name, if any (the feed's own customer is not repeated on its items). */
  readonly entity: EntityRef | undefined;
  readonly summary: string | undefined;
  readonly changes: readonly ChangeView[];
  readonly icon: KindIcon;
}

/** Values longer than this are cut on screen (the full value is in the tooltip). */
export const MAX_VALUE_CHARS = 80;
const MAX_TITLE_CHARS = 500;

const PLACEHOLDER = /\{(actor|fields|entity)\}/g;

/** Split a headline pattern into text and placeholders. */
export function parseHeadline(pattern: string, fields: string): HeadlineSegment[] {
  const out: HeadlineSegment[] = [];
  let last = 0;
  for (const match of pattern.matchAll(PLACEHOLDER)) {
    if (match.index > last) out.push({ kind: 'text', text: pattern.slice(last, match.index) });
    const name = match[1] as 'actor' | 'fields' | 'entity';
    out.push(name === 'fields' ? { kind: 'fields', text: fields } : { kind: name });
    last = match.index + match[0].length;
  }
  if (last < pattern.length) out.push({ kind: 'text', text: pattern.slice(last) });
  return out;
}

export function kindIcon(kind: string): KindIcon {
  if (kind === 'entity.updated') return 'change';
  if (kind === 'entity.created') return 'create';
  if (kind === 'entity.deleted') return 'delete';
  const family = kind.split('.')[0];
  if (family === 'call' || family === 'meeting' || family === 'note' || family === 'email') {
    return family;
  }
  return 'other';
}

/**
 * The entity an item is about, as the feed names it: its entity when it has a label; for a call
 * or a meeting without one, its customer; nothing when that is the customer the feed is about.
 */
export function entityOf(item: ActivityItem, feed: FeedRef | undefined): EntityRef | undefined {
  let ref = item.entity;
  if (ref?.label === undefined && item.customerId !== undefined) {
    ref = { type: 'customer', id: item.customerId };
  }
  if (feed?.kind === 'customer' && ref?.type === 'customer' && ref.id === feed.entityId) {
    return undefined;
  }
  return ref;
}

/** A value as a translated sentence gets it: isolated, so it cannot reorder the words around it. */
const spoken = (v: ValueText) => (v.empty ? v.full : isolate(v.full));

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Builds and caches item views for one language and set of messages. */
export class ItemViews {
  private readonly cache = new WeakMap<ActivityItem, ItemView>();
  private readonly values: ValueFormatter;
  /** Entity labels learned from items, so a later item naming only the id still reads well. */
  private readonly labels = new Map<string, string>();
  private keys = 0;
  private learned: readonly ActivityItem[] | undefined;

  constructor(
    private readonly m: ActivityFeedMessages,
    private readonly c: MessageContext,
    private readonly feed: FeedRef | undefined,
  ) {
    this.values = new ValueFormatter({ locale: c.locale, yes: m.yes(c), no: m.no(c) });
  }

  /**
   * Learn entity labels from a list (newest first): only its first and last `limit` items are
   * read (live items arrive on top, pages at the bottom), so a long feed costs a bounded amount.
   */
  learn(items: readonly ActivityItem[], limit = 200): void {
    if (items === this.learned) return;
    this.learned = items;
    const n = items.length;
    for (let i = 0; i < n; i++) {
      if (i === limit && n - limit > i) i = n - limit;
      this.remember(items[i]!.entity);
    }
  }

  view(item: ActivityItem): ItemView {
    let view = this.cache.get(item);
    if (!view) {
      view = this.build(item);
      this.cache.set(item, view);
    }
    return view;
  }

  /** The text of an entity: its label, one learned from another item, or "Customer 42". */
  entityText(ref: EntityRef): string {
    return (
      ref.label ??
      this.labels.get(`${ref.type}:${ref.id}`) ??
      this.m.entity(ref.type, ref.id, this.c)
    );
  }

  /** One line for any JSON value. */
  valueText(value: unknown): ValueText {
    const line = inline(this.values.view(value), value);
    if (line === undefined) {
      const text = this.m.emptyValue(this.c);
      return { text, full: text, empty: true };
    }
    const full = shorten(line.text, MAX_TITLE_CHARS);
    const shown = shorten(line.text, MAX_VALUE_CHARS);
    return line.datetime === undefined
      ? { text: shown, full, empty: false }
      : { text: shown, full, empty: false, datetime: line.datetime };
  }

  private remember(entity: EntityRef | undefined): void {
    if (entity?.label === undefined) return;
    const key = `${entity.type}:${entity.id}`;
    if (this.labels.get(key) === entity.label) return;
    this.labels.set(key, entity.label);
    if (this.labels.size > 1000) this.labels.delete(this.labels.keys().next().value!);
  }

  private build(item: ActivityItem): ItemView {
    const { m, c } = this;
    this.remember(item.entity);
    const entity = entityOf(item, this.feed);
    const changes = (item.changes ?? []).map((change): ChangeView => {
      const label = m.fieldLabel(change.field, c, item.entity?.type);
      const from = this.valueText(change.from);
      const to = this.valueText(change.to);
      return {
        field: change.field,
        label,
        from,
        to,
        spoken: m.fieldChange(label, spoken(from), spoken(to), c),
      };
    });
    const pattern = m.headline(item.kind, { hasEntity: !!entity, fieldCount: changes.length }, c);
    const fields = changes.length
      ? m.fields(
          changes.map((ch) => ch.label),
          c,
        )
      : '';
    this.keys += 1;
    return {
      item,
      key: `i${this.keys}`,
      actor: item.actor,
      actorName: item.actor?.name ?? m.someone(c),
      headline: parseHeadline(pattern, fields),
      entity,
      summary: item.summary?.trim() ? item.summary : undefined,
      changes,
      icon: kindIcon(item.kind),
    };
  }
}

/** A value view as one line, or `undefined` when it is empty. */
function inline(view: ValueView, raw: unknown): { text: string; datetime?: string } | undefined {
  switch (view.kind) {
    case 'empty':
      return undefined;
    case 'text':
      return { text: collapse(view.segments.map((s) => s.text).join('')) };
    case 'scalar':
      return { text: view.text };
    case 'date':
      return { text: view.text, datetime: view.datetime };
    case 'inline-list':
    case 'list':
      return { text: view.items.map((i) => (i.empty ? '—' : collapse(i.text))).join(', ') };
    case 'record':
      return {
        text: view.entries.map((e) => `${e.key}: ${e.empty ? '—' : collapse(e.text)}`).join(' · '),
      };
    case 'json': {
      let text: string;
      try {
        text = JSON.stringify(raw) ?? String(raw);
      } catch {
        text = String(raw);
      }
      return { text: collapse(text) };
    }
  }
}
