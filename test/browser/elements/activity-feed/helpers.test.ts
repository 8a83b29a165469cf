/**
 * The pure parts of `<crm-activity-feed>`: the windowing arithmetic, item views (headlines,
 * values, entities), the filter options and the feed keys. In the browser because values are
 * formatted with the browser's `Intl` data.
 */
import { expect } from '@open-wc/testing';
import { messageContext } from '../../../../src/i18n.js';
import {
  defaultActivityFeedMessages,
  type ActivityFeedMessages,
} from '../../../../src/elements/activity-feed/activity-messages.js';
import { feedMove } from '../../../../src/elements/activity-feed/feed-keys.js';
import {
  FilterOptions,
  toggleKind,
  withPerson,
} from '../../../../src/elements/activity-feed/filter-bar.js';
import { safeHref } from '../../../../src/elements/shared/links.js';
import {
  entityOf,
  ItemViews,
  kindIcon,
  MAX_VALUE_CHARS,
  parseHeadline,
} from '../../../../src/elements/activity-feed/item-view.js';
import { covers, HeightCache, Layout } from '../../../../src/elements/activity-feed/windowing.js';
import type { ActivityItem } from '../../../../src/protocol/index.js';

const ANA = { id: 'u-ana', name: 'Ana Ortiz' };
const item = (over: Partial<ActivityItem> = {}): ActivityItem => ({
  id: 'a-1',
  kind: 'entity.updated',
  at: 0,
  ...over,
});
/** Text isolated for a sentence: FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE. */
const fsi = (text: string) => `\u2068${text}\u2069`;
const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `a-${i}` }));

describe('activity feed: windowing', () => {
  it('estimates unmeasured items from the measured ones, then keeps the estimate still', () => {
    const heights = new HeightCache(80);
    expect(heights.estimate).to.equal(80);
    heights.set('a', 60);
    heights.set('b', 100);
    expect(heights.estimate).to.equal(80);
    heights.set('b', 40);
    expect(heights.estimate).to.equal(50);
    for (let i = 0; i < 30; i++) heights.set(`x${i}`, 50);
    const settled = heights.estimate;
    heights.set('y', 500);
    expect(heights.estimate).to.equal(settled);
  });

  it('reports a change only when a height really changed', () => {
    const heights = new HeightCache(80);
    expect(heights.set('a', 70)).to.equal(true);
    expect(heights.set('a', 70.2)).to.equal(false);
    expect(heights.set('a', NaN)).to.equal(false);
    expect(heights.set('a', 72)).to.equal(true);
  });

  it('forgets the oldest heights beyond its bound', () => {
    const heights = new HeightCache(80, 3);
    for (const id of ['a', 'b', 'c', 'd']) heights.set(id, 10);
    expect(heights.size).to.equal(3);
    expect(heights.has('a')).to.equal(false);
    expect(heights.has('d')).to.equal(true);
  });

  it('places items by offset (measured, or the average of the measured) and finds them', () => {
    const heights = new HeightCache(100);
    heights.set('a-0', 100);
    heights.set('a-1', 50);
    const layout = new Layout(heights);
    layout.update(ids(4), (x) => x.id);
    expect([0, 1, 2, 3, 4].map((i) => layout.offset(i))).to.deep.equal([0, 100, 150, 225, 300]);
    expect(layout.total).to.equal(300);
    expect(layout.indexAt(0)).to.equal(0);
    expect(layout.indexAt(99)).to.equal(0);
    expect(layout.indexAt(100)).to.equal(1);
    expect(layout.indexAt(149)).to.equal(1);
    expect(layout.indexAt(10_000)).to.equal(3);
    expect(layout.indexOf('a-2')).to.equal(2);
  });

  it('gives the items a viewport needs, with overscan, bounded for 10,000 items', () => {
    const heights = new HeightCache(50);
    const layout = new Layout(heights);
    layout.update(ids(10_000), (x) => x.id);
    const range = layout.range(250_000, 500, 200, 200);
    expect(range.start).to.equal(4996);
    expect(range.end).to.equal(5015);
    expect(layout.range(10_000_000, 500, 200, 200).end).to.equal(10_000);
    expect(layout.range(0, 500, 200, 200)).to.deep.equal({ start: 0, end: 15 });
  });

  it('rebuilds only when the list or a height changed', () => {
    const heights = new HeightCache(10);
    const layout = new Layout(heights);
    const list = ids(3);
    layout.update(list, (x) => x.id);
    expect(layout.total).to.equal(30);
    heights.set('a-0', 20);
    heights.set('a-1', 40);
    layout.update(list, (x) => x.id);
    expect(layout.total).to.equal(90);
  });

  it('covers', () => {
    expect(covers({ start: 2, end: 10 }, { start: 3, end: 9 })).to.equal(true);
    expect(covers({ start: 2, end: 10 }, { start: 1, end: 9 })).to.equal(false);
  });
});

describe('activity feed: item views', () => {
  const c = messageContext('en');
  const views = (m: ActivityFeedMessages = defaultActivityFeedMessages) =>
    new ItemViews(m, c, { kind: 'global' });

  it('splits headline patterns into text and placeholders', () => {
    expect(parseHeadline('{actor} changed {fields} on {entity}', 'Stage')).to.deep.equal([
      { kind: 'actor' },
      { kind: 'text', text: ' changed ' },
      { kind: 'fields', text: 'Stage' },
      { kind: 'text', text: ' on ' },
      { kind: 'entity' },
    ]);
    expect(parseHeadline('Neu: {entity} ({actor})', '')).to.deep.equal([
      { kind: 'text', text: 'Neu: ' },
      { kind: 'entity' },
      { kind: 'text', text: ' (' },
      { kind: 'actor' },
      { kind: 'text', text: ')' },
    ]);
  });

  it('describes a field change: label, old → new, and a sentence', () => {
    const view = views().view(
      item({
        actor: ANA,
        entity: { type: 'customer', id: '42', label: 'Difference Ltd' },
        changes: [{ field: 'lifecycleStage', from: 'Lead', to: 'Customer' }],
      }),
    );
    expect(view.actorName).to.equal('Ana Ortiz');
    expect(view.headline.find((s) => s.kind === 'fields')).to.deep.equal({
      kind: 'fields',
      text: 'Lifecycle stage',
    });
    const [change] = view.changes;
    expect(change!.label).to.equal('Lifecycle stage');
    expect(change!.from.text).to.equal('Lead');
    expect(change!.to.text).to.equal('Customer');
    expect(change!.spoken).to.equal(
      `Lifecycle stage changed from ${fsi('Lead')} to ${fsi('Customer')}`,
    );
  });

  it('formats values readably: numbers, booleans, dates, lists, records, empty', () => {
    const v = views();
    expect(v.valueText(1234.5).text).to.equal('1,234.5');
    expect(v.valueText(true).text).to.equal('Yes');
    expect(v.valueText('2024-05-01').text).to.equal('May 1, 2024');
    expect(v.valueText('2024-05-01').datetime).to.equal('2024-05-01');
    expect(v.valueText(['a', 'b']).text).to.equal('a, b');
    expect(v.valueText({ city: 'Paris', zip: '75001' }).text).to.equal('city: Paris · zip: 75001');
    expect(v.valueText(null)).to.include({ empty: true, text: 'empty' });
    expect(v.valueText('')).to.include({ empty: true });
    expect(v.valueText('two\nlines').text).to.equal('two lines');
  });

  it('cuts long values on screen and keeps them whole in the tooltip', () => {
    const long = 'x'.repeat(300);
    const text = views().valueText(long);
    expect(Array.from(text.text)).to.have.length(MAX_VALUE_CHARS);
    expect(text.text.endsWith('…')).to.equal(true);
    expect(text.full).to.equal(long);
  });

  it('names several fields in the headline, and counts many', () => {
    const changes = ['stage', 'phone', 'email', 'owner'].map((field) => ({ field, to: 1 }));
    const two = views().view(item({ changes: changes.slice(0, 2) }));
    expect(two.headline.find((s) => s.kind === 'fields')).to.deep.include({
      text: 'Stage and Phone',
    });
    const four = views().view(item({ id: 'a-2', changes }));
    expect(four.headline.find((s) => s.kind === 'fields')).to.deep.include({ text: '4 fields' });
  });

  it('says "Someone" for items without an actor, and humanizes unknown kinds', () => {
    const view = views().view(item({ kind: 'invoice.paid' }));
    expect(view.actorName).to.equal('Someone');
    expect(view.headline).to.deep.equal([
      { kind: 'actor' },
      { kind: 'text', text: ': Invoice paid' },
    ]);
  });

  it('caches views per item object', () => {
    const v = views();
    const it1 = item();
    expect(v.view(it1)).to.equal(v.view(it1));
    expect(v.view(it1).key).to.not.equal(v.view(item()).key);
  });

  it('uses the translated patterns', () => {
    const de: ActivityFeedMessages = {
      ...defaultActivityFeedMessages,
      headline: () => '{entity}: {fields} geändert von {actor}',
    };
    const view = views(de).view(
      item({ actor: ANA, entity: { type: 'customer', id: '1' }, changes: [{ field: 'a', to: 1 }] }),
    );
    expect(view.headline.map((s) => s.kind)).to.deep.equal([
      'entity',
      'text',
      'fields',
      'text',
      'actor',
    ]);
  });

  it('names the customer of a call without a label, and not the feed’s own customer', () => {
    const call = item({
      kind: 'call.logged',
      entity: { type: 'call', id: 'c1' },
      customerId: '42',
    });
    expect(entityOf(call, { kind: 'global' })).to.deep.equal({ type: 'customer', id: '42' });
    expect(entityOf(call, { kind: 'customer', entityId: '42' })).to.equal(undefined);
    const labelled = item({
      entity: { type: 'deal', id: '9', label: 'Big deal' },
      customerId: '42',
    });
    expect(entityOf(labelled, { kind: 'customer', entityId: '42' })).to.deep.equal({
      type: 'deal',
      id: '9',
      label: 'Big deal',
    });
  });

  it('learns entity labels from other items', () => {
    const v = views();
    v.view(item({ entity: { type: 'customer', id: '42', label: 'Difference Ltd' } }));
    expect(v.entityText({ type: 'customer', id: '42' })).to.equal('Difference Ltd');
    expect(v.entityText({ type: 'customer', id: '7' })).to.equal('Customer 7');
  });

  it('maps kinds to icons', () => {
    expect(kindIcon('entity.updated')).to.equal('change');
    expect(kindIcon('call.logged')).to.equal('call');
    expect(kindIcon('meeting.cancelled')).to.equal('meeting');
    expect(kindIcon('invoice.paid')).to.equal('other');
  });
});

describe('activity feed: filters', () => {
  it('toggles kinds; turning the last one off means all', () => {
    let f = toggleKind({}, 'call.logged');
    expect(f).to.deep.equal({ kinds: ['call.logged'] });
    f = toggleKind(f, 'note.added');
    expect(f).to.deep.equal({ kinds: ['call.logged', 'note.added'] });
    f = toggleKind(f, 'call.logged');
    expect(toggleKind(f, 'note.added')).to.deep.equal({});
    expect(toggleKind({ kinds: ['a'], actors: ['u'] }, undefined)).to.deep.equal({ actors: ['u'] });
  });

  it('sets one person, or everyone', () => {
    expect(withPerson({ kinds: ['a'] }, 'u-ana')).to.deep.equal({
      kinds: ['a'],
      actors: ['u-ana'],
    });
    expect(withPerson({ actors: ['u-ana'] }, '')).to.deep.equal({});
  });

  it('remembers kinds and people seen, in a stable order', () => {
    const options = new FilterOptions();
    options.learn([
      item({ id: '1', kind: 'note.added', actor: { id: 'u-b', name: 'Ben' } }),
      item({ id: '2', kind: 'zeta.thing', actor: ANA }),
      item({ id: '3', kind: 'entity.updated' }),
    ]);
    options.learn([item({ id: '4', kind: 'call.logged' })]);
    expect(options.kinds({})).to.deep.equal([
      'entity.updated',
      'call.logged',
      'note.added',
      'zeta.thing',
    ]);
    expect(options.persons({}, 'en').map((p) => p.name)).to.deep.equal(['Ana Ortiz', 'Ben']);
    expect(options.persons({ actors: ['u-x'] }, 'en').map((p) => p.id)).to.include('u-x');
  });

  it('looks only at the ends of a long list (new items on top, pages at the bottom)', () => {
    const options = new FilterOptions();
    const list = Array.from({ length: 1000 }, (_, i) => item({ id: `${i}`, kind: `k.m${i}` }));
    options.learn(list, 2);
    expect(options.kinds({})).to.deep.equal(['k.m0', 'k.m1', 'k.m998', 'k.m999']);
  });
});

describe('activity feed: keys', () => {
  const key = (k: string, init: KeyboardEventInit = {}) =>
    new KeyboardEvent('keydown', { key: k, ...init });

  it('moves between articles and to the ends, within bounds', () => {
    expect(feedMove(key('PageDown'), 3, 10)).to.deep.equal({ to: 'index', index: 4 });
    expect(feedMove(key('ArrowDown'), 9, 10)).to.deep.equal({ to: 'index', index: 9 });
    expect(feedMove(key('PageUp'), 0, 10)).to.deep.equal({ to: 'index', index: 0 });
    expect(feedMove(key('ArrowUp'), 5, 10)).to.deep.equal({ to: 'index', index: 4 });
    expect(feedMove(key('Home'), 5, 10)).to.deep.equal({ to: 'index', index: 0 });
    expect(feedMove(key('End'), 5, 10)).to.deep.equal({ to: 'index', index: 9 });
  });

  it('leaves the feed with Ctrl+Home and Ctrl+End', () => {
    expect(feedMove(key('Home', { ctrlKey: true }), 5, 10)).to.deep.equal({ to: 'before' });
    expect(feedMove(key('End', { ctrlKey: true }), 5, 10)).to.deep.equal({ to: 'after' });
  });

  it('leaves other keys alone', () => {
    expect(feedMove(key('Enter'), 0, 10)).to.equal(undefined);
    expect(feedMove(key('ArrowDown', { altKey: true }), 0, 10)).to.equal(undefined);
  });
});

describe('activity feed: links', () => {
  it('accepts relative and http(s) URLs only', () => {
    expect(safeHref('/customers/42')).to.equal('/customers/42');
    expect(safeHref('https://crm.example/c/42')).to.equal('https://crm.example/c/42');
    expect(safeHref('javascript:alert(1)')).to.equal(undefined);
    expect(safeHref(' JaVaScRiPt:alert(1)')).to.equal(undefined);
    expect(safeHref('data:text/html,<b>x</b>')).to.equal(undefined);
    expect(safeHref(42 as unknown as string)).to.equal(undefined);
  });
});
