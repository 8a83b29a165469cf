/**
 * The feed's filter bar: chips for the kinds of activity (several may be on; "All" turns them
 * off) and a select for one person. Options come from what the feed has shown so far and the
 * people a page names, and are remembered, so filtering by one person still offers the others.
 * Native buttons (`aria-pressed`) and a native `<select>`: keyboard and screen readers work as
 * everywhere else on the page.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { ActivityFilter, ActivityItem, UserProfile } from '../../protocol/index.js';

/** The order of the kinds the kit knows; others follow alphabetically. */
const KIND_ORDER = [
  'entity.updated',
  'call.logged',
  'meeting.scheduled',
  'note.added',
  'email.sent',
  'entity.created',
  'entity.deleted',
];

/** Remembered options at most (kinds and people each). */
const MAX_OPTIONS = 50;

export interface FilterLabels {
  group: string;
  kinds: string;
  all: string;
  person: string;
  everyone: string;
  kind(kind: string): string;
}

/** Kinds and people seen so far, for the filter's options. */
export class FilterOptions {
  private readonly kindSet = new Set<string>();
  private readonly people = new Map<string, UserProfile>();
  /** The item lists already looked at (the store hands out a new one per change). */
  private seen: readonly ActivityItem[] | undefined;
  /** Items already looked at; held weakly, so items the store drops are forgotten here too. */
  private scanned = new WeakSet<ActivityItem>();

  /**
   * Learn from a list of items (newest first). Live items arrive at the top and pages at the
   * bottom, so only the first and last `limit` items are looked at: a burst or a 10,000-item
   * feed costs a bounded amount per frame here.
   */
  learn(items: readonly ActivityItem[], limit = 200): void {
    if (items === this.seen) return;
    this.seen = items;
    const n = items.length;
    for (let i = 0; i < n; i++) {
      if (i === limit && n - limit > i) i = n - limit;
      const item = items[i]!;
      if (this.scanned.has(item)) continue;
      this.scanned.add(item);
      this.addKind(item.kind);
      if (item.actor) this.addPerson(item.actor);
    }
  }

  addKind(kind: string): void {
    if (this.kindSet.size < MAX_OPTIONS) this.kindSet.add(kind);
  }

  addPerson(person: UserProfile): void {
    if (this.people.has(person.id) || this.people.size < MAX_OPTIONS) {
      this.people.set(person.id, person);
    }
  }

  kinds(filter: ActivityFilter): string[] {
    const all = new Set([...this.kindSet, ...(filter.kinds ?? [])]);
    const rank = (k: string) => {
      const i = KIND_ORDER.indexOf(k);
      return i < 0 ? KIND_ORDER.length : i;
    };
    return [...all].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  }

  persons(filter: ActivityFilter, locale: string): UserProfile[] {
    const list = [...this.people.values()];
    for (const id of filter.actors ?? []) {
      if (!this.people.has(id)) list.push({ id, name: id });
    }
    return list.sort((a, b) => a.name.localeCompare(b.name, locale));
  }

  clear(): void {
    this.kindSet.clear();
    this.people.clear();
    this.scanned = new WeakSet();
    this.seen = undefined;
  }
}

/** The filter with one kind chip toggled; toggling the last one on means "all" again. */
export function toggleKind(filter: ActivityFilter, kind: string | undefined): ActivityFilter {
  const next: ActivityFilter = { ...filter };
  if (kind === undefined) {
    delete next.kinds;
    return next;
  }
  const kinds = new Set(filter.kinds ?? []);
  if (kinds.has(kind)) kinds.delete(kind);
  else kinds.add(kind);
  if (kinds.size) next.kinds = [...kinds].sort();
  else delete next.kinds;
  return next;
}

/** The filter with one person (or everyone, for an empty id). */
export function withPerson(filter: ActivityFilter, id: string): ActivityFilter {
  const next: ActivityFilter = { ...filter };
  if (id) next.actors = [id];
  else delete next.actors;
  return next;
}

export function filterBarTemplate(
  filter: ActivityFilter,
  kinds: readonly string[],
  people: readonly UserProfile[],
  labels: FilterLabels,
  onChange: (filter: ActivityFilter) => void,
): TemplateResult {
  const active = new Set(filter.kinds ?? []);
  const person = filter.actors?.[0] ?? '';
  const chip = (kind: string | undefined, text: string, pressed: boolean) =>
    html`<button
      part="chip${pressed ? ' chip-pressed' : ''}"
      class="chip"
      type="button"
      aria-pressed=${pressed ? 'true' : 'false'}
      data-kind=${kind ?? ''}
      @click=${() => onChange(toggleKind(filter, kind))}
    >
      ${text}
    </button>`;
  return html`<div part="filters" class="filters" role="group" aria-label=${labels.group}>
    ${
      kinds.length > 0
        ? html`<div part="kinds" class="kinds" role="group" aria-label=${labels.kinds}>
            ${chip(undefined, labels.all, active.size === 0)}
            ${kinds.map((k) => chip(k, labels.kind(k), active.has(k)))}
          </div>`
        : nothing
    }
    ${
      people.length > 0 || person
        ? html`<label part="person" class="person">
            <span class="visually-hidden">${labels.person}</span>
            <svg class="person-icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
              <circle
                cx="10"
                cy="7"
                r="3.25"
                fill="none"
                stroke="currentColor"
                stroke-width="1.75"
              />
              <path
                d="M3.75 16.5c.9-2.9 3.3-4.5 6.25-4.5s5.35 1.6 6.25 4.5"
                fill="none"
                stroke="currentColor"
                stroke-width="1.75"
                stroke-linecap="round"
              />
            </svg>
            <select
              part="person-select"
              class="select"
              @change=${(e: Event) => onChange(withPerson(filter, (e.target as HTMLSelectElement).value))}
            >
              <option value="" ?selected=${person === ''}>${labels.everyone}</option>
              ${people.map(
                (p) => html`<option value=${p.id} ?selected=${p.id === person}>${p.name}</option>`,
              )}
            </select>
            <svg class="chevron" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
              <path
                d="M6 8l4 4 4-4"
                fill="none"
                stroke="currentColor"
                stroke-width="1.75"
                stroke-linecap="round"
                stroke-linejoin="round"
              />
            </svg>
          </label>`
        : nothing
    }
  </div>`;
}
