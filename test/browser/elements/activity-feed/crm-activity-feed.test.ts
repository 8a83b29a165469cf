/**
 * `<crm-activity-feed>` against the fake server on a manual clock: defaults and attributes, items
 * (who, what, old → new, entity, when), live items at the top, the "N new" pill with the reader's
 * item kept in place, history paging, filters, windowing of 10,000 items, bursts, safety of data,
 * axe in every state, and cleanup. Keyboard tests are in `activity-feed-keyboard.test.ts`.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import { CrmActivityFeed } from '../../../../src/elements/activity-feed/crm-activity-feed.js';
import '../../../../src/elements/activity-feed/define.js';
import type {
  CrmActivityFilterChangeEvent,
  CrmActivityOpenEvent,
} from '../../../../src/events/activity-events.js';
import { DEMO_USER, activityBurst } from '../../../../src/testing/index.js';
import {
  ANA,
  BEN,
  articles,
  call,
  change,
  feed,
  firstVisible,
  headlines,
  mountFeed,
  nextFrame,
  pill,
  scrollTo,
  scroller,
  text,
  type MountedFeed,
} from './fixture.js';
import {
  closeFakeConnections,
  recordWarnings,
  resetNoProviderWarning,
} from '../../helpers/fake-connection.js';
import { noUpdateAfterUpdate } from '../../helpers/lit-warnings.js';
import { expectAccessible } from '../../helpers/settled.js';

afterEach(async () => {
  closeFakeConnections();
  await emulateMedia({ reducedMotion: 'no-preference' });
});

/** Count the element's renders from now on. */
function countRenders(el: CrmActivityFeed): { readonly count: number } {
  const counter = { count: 0 };
  const target = el as unknown as { updated: (...args: unknown[]) => void };
  const original = target.updated.bind(el);
  target.updated = (...args: unknown[]) => {
    counter.count += 1;
    original(...args);
  };
  return counter;
}

/** Text isolated for a sentence: FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE. */
const fsi = (text: string) => `\u2068${text}\u2069`;

const lists = (m: MountedFeed) => m.server.received('activity.list');

async function scrollToEnd(m: MountedFeed): Promise<void> {
  await scrollTo(m, scroller(m.root).scrollHeight);
}

noUpdateAfterUpdate('crm-activity-feed');

describe('crm-activity-feed', () => {
  describe('defaults', () => {
    it('has the documented defaults', () => {
      const el = new CrmActivityFeed();
      expect(el.feedType).to.equal('global');
      expect(el.entityId).to.equal('');
      expect(el.maxItems).to.equal(50);
      expect(el.filter).to.equal(undefined);
      expect(el.people).to.deep.equal([]);
      expect(el.hideFilters).to.equal(false);
      expect(el.entityHref).to.equal(undefined);
    });

    it('follows the global feed, 50 items per page', async () => {
      const m = await mountFeed({ history: 60 });
      expect(m.server.received('join').map((f) => f.room)).to.include('activity:global');
      expect(lists(m)).to.have.length(1);
      expect(lists(m)[0]!.feed).to.deep.equal({ kind: 'global' });
      expect(lists(m)[0]!.limit).to.equal(50);
      expect(m.el.snapshot?.items).to.have.length(50);
    });

    it('is a labelled feed of articles', async () => {
      const m = await mountFeed({ history: 3 });
      const list = feed(m.root)!;
      expect(list.getAttribute('aria-label')).to.equal('Activity');
      expect(list.getAttribute('aria-busy')).to.equal('false');
      const [first] = articles(m.root);
      expect(first!.getAttribute('aria-posinset')).to.equal('1');
      expect(first!.getAttribute('aria-setsize')).to.equal('3');
      const label = m.root.getElementById(first!.getAttribute('aria-labelledby')!);
      expect(text(label)).to.match(/^\S+ \S+ /);
      for (const id of first!.getAttribute('aria-describedby')!.split(' ')) {
        expect(m.root.getElementById(id), id).to.not.equal(null);
      }
    });
  });

  describe('properties and attributes', () => {
    it('feed-type and entity-id ↔ properties; another customer is another room', async () => {
      const m = await mountFeed({
        attrs: { 'feed-type': 'customer', 'entity-id': '42' },
        history: [change(ANA), call(BEN)],
      });
      expect(m.el.feedType).to.equal('customer');
      expect(m.el.entityId).to.equal('42');
      expect(lists(m)[0]!.feed).to.deep.equal({ kind: 'customer', entityId: '42' });
      // The feed is about customer 42: its items do not repeat it.
      expect(headlines(m.root)).to.deep.equal([
        'Ben Lee logged a call',
        'Ana Ortiz changed Status',
      ]);
      m.el.setAttribute('entity-id', '7');
      await m.settle();
      expect(m.server.received('leave').map((f) => f.room)).to.include('activity:customer:42');
      expect(m.server.received('join').map((f) => f.room)).to.include('activity:customer:7');
      expect(articles(m.root)).to.have.length(0);
    });

    it('feed-type="user" without entity-id follows the current user', async () => {
      const m = await mountFeed({ attrs: { 'feed-type': 'user' } });
      expect(lists(m)[0]!.feed).to.deep.equal({ kind: 'user', userId: DEMO_USER.id });
      m.el.entityId = 'u-ana';
      await m.settle();
      expect(lists(m).at(-1)!.feed).to.deep.equal({ kind: 'user', userId: 'u-ana' });
    });

    it('max-items ↔ maxItems is the page size', async () => {
      const m = await mountFeed({ attrs: { 'max-items': '20' }, history: 30 });
      expect(m.el.maxItems).to.equal(20);
      expect(lists(m)[0]!.limit).to.equal(20);
      expect(m.el.snapshot?.items).to.have.length(20);
    });

    it('a bad max-items or feed-type warns once and falls back', async () => {
      const warnings = recordWarnings();
      try {
        const m = await mountFeed({ attrs: { 'max-items': 'lots', 'feed-type': 'team' } });
        expect(lists(m)[0]!.limit).to.equal(50);
        expect(lists(m)[0]!.feed).to.deep.equal({ kind: 'global' });
        expect(warnings.messages.some((w) => w.includes('max-items="NaN"'))).to.equal(true);
        expect(warnings.messages.some((w) => w.includes('feed-type="team"'))).to.equal(true);
      } finally {
        warnings.restore();
      }
    });

    it('a customer feed without entity-id warns and shows an empty feed', async () => {
      const warnings = recordWarnings();
      try {
        const m = await mountFeed({ attrs: { 'feed-type': 'customer' }, history: 5 });
        expect(lists(m)).to.have.length(0);
        expect(text(m.root.querySelector('.state'))).to.equal('No activity yet');
        expect(warnings.messages.some((w) => w.includes('needs an entity-id'))).to.equal(true);
      } finally {
        warnings.restore();
      }
    });

    it('an entity-id the client refuses warns once and shows an empty feed', async () => {
      const warnings = recordWarnings();
      try {
        const m = await mountFeed({
          attrs: { 'feed-type': 'customer', 'entity-id': 'not an id!' },
          history: 5,
        });
        m.el.requestUpdate();
        await m.settle();
        expect(lists(m)).to.have.length(0);
        expect(text(m.root.querySelector('.state'))).to.equal('No activity yet');
        const said = warnings.messages.filter((w) => w.includes('not an id!'));
        expect(said).to.have.length(1);
        expect(said[0]).to.contain('<crm-activity-feed> cannot follow feed');
      } finally {
        warnings.restore();
      }
    });

    it('hide-filters ↔ hideFilters', async () => {
      const m = await mountFeed({ history: 5 });
      expect(m.root.querySelector('.filters')).to.not.equal(null);
      m.el.setAttribute('hide-filters', '');
      await m.settle();
      expect(m.el.hideFilters).to.equal(true);
      expect(m.root.querySelector('.filters')).to.equal(null);
    });
  });

  describe('items', () => {
    it('show who, what changed (old → new), on which entity and when', async () => {
      const m = await mountFeed({ history: [change(ANA, 'status', 'Lead', 'Customer')] });
      const [article] = articles(m.root);
      expect(text(article!.querySelector('.headline'))).to.equal(
        'Ana Ortiz changed Status on Difference Ltd',
      );
      expect(text(article!.querySelector('.avatar'))).to.equal('AO');
      expect(text(article!.querySelector('.value.from'))).to.equal('Lead');
      expect(text(article!.querySelector('.value.to'))).to.equal('Customer');
      expect(text(article!.querySelector('.change .visually-hidden'))).to.equal(
        `Status changed from ${fsi('Lead')} to ${fsi('Customer')}`,
      );
      const time = article!.querySelector('time.time')!;
      expect(time.getAttribute('datetime')).to.equal(new Date(m.clock.now()).toISOString());
      expect(text(time)).to.equal('now');
    });

    it("name changed fields as the CRM's forms label them: a customer's name is its Contact", async () => {
      const m = await mountFeed({
        history: [change(ANA, 'name', 'Tomás Álvarez', 'Tomás Álvarez Ruiz')],
      });
      const [article] = articles(m.root);
      expect(text(article!.querySelector('.headline'))).to.equal(
        'Ana Ortiz changed Contact on Difference Ltd',
      );
      expect(text(article!.querySelector('.change .visually-hidden'))).to.equal(
        `Contact changed from ${fsi('Tomás Álvarez')} to ${fsi('Tomás Álvarez Ruiz')}`,
      );
    });

    it('format values readably: numbers, dates, emptied values', async () => {
      const m = await mountFeed({
        history: [
          {
            ...change(ANA),
            changes: [
              { field: 'dealValue', from: 12000, to: 18500.5 },
              { field: 'closeDate', from: '2025-02-28', to: null },
            ],
          },
        ],
      });
      const values = [...m.root.querySelectorAll('.value')].map((v) => text(v));
      expect(values).to.deep.equal(['12,000', '18,500.5', 'Feb 28, 2025', '—']);
      expect(m.root.querySelector('.value.from time')?.getAttribute('datetime')).to.equal(
        '2025-02-28',
      );
      expect(text(m.root.querySelectorAll('.change .visually-hidden')[1]!)).to.equal(
        `Close date changed from ${fsi('Feb 28, 2025')} to empty`,
      );
    });

    it('relative times follow lang and move with the clock', async () => {
      const m = await mountFeed({ history: [call(BEN), change(ANA)], spacingMs: 60_000 });
      const times = () => [...m.root.querySelectorAll('time.time')].map((t) => text(t));
      expect(times()).to.deep.equal(['now', '1 minute ago']);
      await m.clock.advance(120_000);
      await m.settle();
      expect(times()).to.deep.equal(['2 minutes ago', '3 minutes ago']);
      m.el.setAttribute('lang', 'de');
      await m.settle();
      expect(times()).to.deep.equal(['vor 2 Minuten', 'vor 3 Minuten']);
    });

    it('a long list of changes opens and closes', async () => {
      const changes = Array.from({ length: 7 }, (_, i) => ({ field: `f${i}`, from: i, to: i + 1 }));
      const m = await mountFeed({ history: [{ ...change(ANA), changes }] });
      expect(m.root.querySelectorAll('.change')).to.have.length(4);
      const more = m.root.querySelector<HTMLButtonElement>('.more')!;
      expect(text(more)).to.equal('Show 3 more changes');
      expect(more.getAttribute('aria-expanded')).to.equal('false');
      more.click();
      await m.settle();
      expect(m.root.querySelectorAll('.change')).to.have.length(7);
      expect(more.getAttribute('aria-expanded')).to.equal('true');
    });

    it('links entities through entityHref, as a cancelable crm-activity-open', async () => {
      const m = await mountFeed({ history: [change(ANA)] });
      m.el.entityHref = (e) => `#/customers/${e.id}`;
      await m.settle();
      const link = m.root.querySelector<HTMLAnchorElement>('a.entity')!;
      expect(link.getAttribute('href')).to.equal('#/customers/42');
      m.el.addEventListener('crm-activity-open', (e) => e.preventDefault(), { once: true });
      const opened = oneEvent(m.el, 'crm-activity-open') as Promise<CrmActivityOpenEvent>;
      link.click();
      const event = await opened;
      expect(event.entity).to.deep.equal({ type: 'customer', id: '42', label: 'Difference Ltd' });
      expect(event.item.actor?.id).to.equal(ANA.id);
      expect(event.defaultPrevented).to.equal(true);
      expect(location.hash).to.not.equal('#/customers/42');
    });
  });

  describe('entity-link-template (a page with no script)', () => {
    it('links each entity through the template, with its type and id', async () => {
      const other = { ...change(ANA), entity: { type: 'customer', id: 'x_1', label: 'Other Ltd' } };
      const m = await mountFeed({
        history: [change(ANA), other],
        attrs: { 'entity-link-template': '/crm/{type}.php?id={id}' },
      });
      expect(m.el.entityLinkTemplate).to.equal('/crm/{type}.php?id={id}');
      const hrefs = [...m.root.querySelectorAll<HTMLAnchorElement>('a.entity')].map((a) =>
        a.getAttribute('href'),
      );
      expect(hrefs).to.deep.equal(['/crm/customer.php?id=x_1', '/crm/customer.php?id=42']);
    });

    it('gives way to entityHref', async () => {
      const m = await mountFeed({
        history: [change(ANA)],
        attrs: { 'entity-link-template': '/crm/{id}' },
      });
      m.el.entityHref = (e) => `#/customers/${e.id}`;
      await m.settle();
      expect(m.root.querySelector('a.entity')!.getAttribute('href')).to.equal('#/customers/42');
    });
  });

  describe('live items', () => {
    it('appear at the top, animated in, with no pill', async () => {
      const m = await mountFeed({ history: 10 });
      m.server.appendActivity(call(BEN, 'Live call'));
      await m.settle();
      const [first] = articles(m.root);
      expect(text(first!.querySelector('.summary'))).to.equal('Live call');
      expect(first!.getAttribute('aria-posinset')).to.equal('1');
      expect(first!.classList.contains('entering')).to.equal(true);
      expect(scroller(m.root).scrollTop).to.equal(0);
      expect(pill(m.root)).to.equal(null);
    });

    it('are not animated under reduced motion', async () => {
      await emulateMedia({ reducedMotion: 'reduce' });
      const m = await mountFeed({ history: 10 });
      m.server.appendActivity(call(BEN, 'Live call'));
      await m.settle();
      expect(articles(m.root)[0]!.classList.contains('entering')).to.equal(false);
    });

    it('keep the item the reader looks at in place and show "N new"', async () => {
      const m = await mountFeed({ history: 100 });
      await scrollTo(m, 900);
      const before = firstVisible(m.root);
      const scrolled = scroller(m.root).scrollTop;
      for (let i = 0; i < 3; i++) m.server.appendActivity(call(BEN, `New ${i}`));
      await m.settle();
      const after = articles(m.root).find((a) => a.dataset['id'] === before.id)!;
      expect(after.getBoundingClientRect().top).to.be.closeTo(before.top, 1);
      expect(scroller(m.root).scrollTop).to.be.greaterThan(scrolled);
      expect(text(pill(m.root))).to.equal('3 new');
      expect(text(m.root.querySelector('[role="status"]'))).to.equal('3 new activities above');
      m.server.appendActivity(call(BEN, 'New 3'));
      await m.settle();
      expect(text(pill(m.root))).to.equal('4 new');
      expect(after.getBoundingClientRect().top).to.be.closeTo(before.top, 1);
    });

    it('the pill scrolls to the top, where the new items are', async () => {
      await emulateMedia({ reducedMotion: 'reduce' });
      const m = await mountFeed({ history: 100 });
      await scrollTo(m, 900);
      for (let i = 0; i < 2; i++) m.server.appendActivity(call(BEN, `New ${i}`));
      await m.settle();
      pill(m.root)!.click();
      await nextFrame();
      await m.settle();
      expect(scroller(m.root).scrollTop).to.equal(0);
      expect(pill(m.root)).to.equal(null);
      expect(
        articles(m.root)
          .slice(0, 2)
          .map((a) => text(a.querySelector('.summary'))),
      ).to.deep.equal(['New 1', 'New 0']);
    });

    it('the pill goes away when the reader scrolls back up', async () => {
      const m = await mountFeed({ history: 100 });
      await scrollTo(m, 900);
      m.server.appendActivity(call(BEN));
      await m.settle();
      expect(pill(m.root)).to.not.equal(null);
      await scrollTo(m, 0);
      expect(pill(m.root)).to.equal(null);
    });
  });

  describe('history', () => {
    it('loads older pages on scroll, busy while loading, until the end', async () => {
      const m = await mountFeed({ history: 120 });
      expect(articles(m.root)[0]!.getAttribute('aria-setsize')).to.equal('-1');
      m.server.setLatency(100);
      await scrollToEnd(m);
      expect(feed(m.root)!.getAttribute('aria-busy')).to.equal('true');
      expect(text(m.root.querySelector('.footer'))).to.equal('Loading older activity…');
      await m.clock.advance(250);
      await m.settle();
      expect(lists(m)).to.have.length(2);
      expect(lists(m)[1]!.before).to.be.a('string');
      expect(feed(m.root)!.getAttribute('aria-busy')).to.equal('false');
      expect(m.el.snapshot?.items).to.have.length(100);
      m.server.setLatency(0);
      await scrollToEnd(m);
      await scrollToEnd(m);
      expect(m.el.snapshot?.items).to.have.length(120);
      expect(m.el.snapshot?.hasMore).to.equal(false);
      expect(articles(m.root).at(-1)!.getAttribute('aria-setsize')).to.equal('120');
      expect(articles(m.root).at(-1)!.getAttribute('aria-posinset')).to.equal('120');
      expect(text(m.root.querySelector('.footer'))).to.equal('No older activity');
    });

    it('a failed older page says so, is not retried on its own, and Try again loads it', async () => {
      const m = await mountFeed({ history: 120, client: { requestTimeout: 1000 } });
      m.server.setLatency(5000);
      await scrollToEnd(m);
      await m.clock.advance(1500);
      await m.settle();
      const footer = () => text(m.root.querySelector('.footer'));
      expect(footer()).to.equal('Older activity could not be loaded. Try again');
      // Renders after the failure (live items, time) do not ask again.
      await m.clock.advance(20_000);
      m.server.appendActivity(call(BEN));
      await m.clock.advance(60_000);
      await m.settle();
      const asked = lists(m).length;
      await m.clock.advance(60_000);
      await m.settle();
      expect(lists(m)).to.have.length(asked);
      m.server.setLatency(0);
      m.root.querySelector<HTMLButtonElement>('.footer .action')!.click();
      await m.settle();
      expect(lists(m)).to.have.length(asked + 1);
      expect(m.el.snapshot?.items).to.have.length(101);
    });

    it('a failed first page says so, and Try again asks again', async () => {
      const m = await mountFeed({ history: 20, client: { requestTimeout: 1000 } });
      m.server.setLatency(5000);
      m.el.filter = { kinds: ['call.logged'] };
      await m.settle();
      await m.clock.advance(1500);
      await m.settle();
      expect(text(m.root.querySelector('.state p'))).to.equal('The activity could not be loaded.');
      await expectAccessible(m.el);
      await m.clock.advance(20_000);
      m.server.setLatency(0);
      await m.settle();
      const asked = lists(m).length;
      m.root.querySelector<HTMLButtonElement>('.state .action')!.click();
      await m.settle();
      expect(lists(m)).to.have.length(asked + 1);
      expect(articles(m.root).every((a) => a.dataset['kind'] === 'call.logged')).to.equal(true);
      expect(articles(m.root).length).to.be.greaterThan(0);
    });

    it('does not ask for more while at the top of a long feed', async () => {
      const m = await mountFeed({ history: 500 });
      await m.clock.advance(1000);
      await m.settle();
      expect(lists(m)).to.have.length(1);
    });
  });

  describe('filters', () => {
    it('kind chips refetch through the store and say what is on', async () => {
      const m = await mountFeed({ history: 40 });
      const chips = () => [...m.root.querySelectorAll<HTMLButtonElement>('.chip')];
      expect(chips().map((c) => text(c))).to.deep.equal([
        'All',
        'Changes',
        'Calls',
        'Meetings',
        'Notes',
      ]);
      const changed = oneEvent(
        m.el,
        'crm-activity-filter-change',
      ) as Promise<CrmActivityFilterChangeEvent>;
      chips()
        .find((c) => text(c) === 'Calls')!
        .click();
      expect((await changed).filter).to.deep.equal({ kinds: ['call.logged'] });
      await m.settle();
      expect(lists(m).at(-1)!.filter).to.deep.equal({ kinds: ['call.logged'] });
      expect(articles(m.root).length).to.be.greaterThan(0);
      expect(articles(m.root).every((a) => a.dataset['kind'] === 'call.logged')).to.equal(true);
      expect(chips().map((c) => c.getAttribute('aria-pressed'))).to.deep.equal([
        'false',
        'false',
        'true',
        'false',
        'false',
      ]);
      chips()[0]!.click();
      await m.settle();
      expect(lists(m).at(-1)!.filter).to.equal(undefined);
      expect(new Set(articles(m.root).map((a) => a.dataset['kind'])).size).to.be.greaterThan(1);
    });

    it('the person select shows one person, live items included', async () => {
      const m = await mountFeed({ history: 40 });
      const select = m.root.querySelector<HTMLSelectElement>('select')!;
      const names = [...select.options].map((o) => o.text);
      expect(names[0]).to.equal('Everyone');
      expect(names).to.include('Mei Tanaka');
      select.value = 'u-mei';
      select.dispatchEvent(new Event('change'));
      await m.settle();
      expect(lists(m).at(-1)!.filter).to.deep.equal({ actors: ['u-mei'] });
      expect(headlines(m.root).every((h) => h.startsWith('Mei Tanaka'))).to.equal(true);
      // Others stay in the select, so the reader can switch.
      expect([...select.options].map((o) => o.text)).to.deep.equal(names);
      expect(select.value).to.equal('u-mei');
      m.server.appendActivity(call(BEN, 'Not shown'));
      m.server.appendActivity(call({ id: 'u-mei', name: 'Mei Tanaka' }, 'Shown'));
      await m.settle();
      expect(text(articles(m.root)[0]!.querySelector('.summary'))).to.equal('Shown');
    });

    describe('announce what a filter finds, politely, once it has loaded', () => {
      const status = (m: MountedFeed) => m.root.querySelector('[role="status"]')!;
      const chip = (m: MountedFeed, name: string) =>
        [...m.root.querySelectorAll<HTMLButtonElement>('.chip')].find((c) => text(c) === name)!;

      it('Space on a chip: the count, after the page arrives, not before', async () => {
        const m = await mountFeed({ history: [call(BEN), change(ANA), change(BEN), change(ANA)] });
        // The first list is not announced: the feed is what the page shows, not a result.
        expect(text(status(m))).to.equal('');
        m.server.setLatency(100);
        chip(m, 'Calls').focus();
        await sendKeys({ press: 'Space' });
        await m.settle();
        expect(m.el.filter).to.deep.equal({ kinds: ['call.logged'] });
        expect(feed(m.root)?.getAttribute('aria-busy'), 'loading').to.equal('true');
        expect(text(status(m)), 'while loading').to.equal('');
        await m.clock.advance(250);
        await m.settle();
        expect(articles(m.root)).to.have.length(1);
        expect(status(m).getAttribute('role')).to.equal('status');
        expect(text(status(m))).to.equal('1 activity');
        await sendKeys({ press: 'Space' });
        await m.clock.advance(250);
        await m.settle();
        expect(text(status(m))).to.equal('4 activities');
      });

      it('nothing found, more to load, and the same count twice is said twice', async () => {
        const m = await mountFeed({ history: 120 });
        m.el.filter = { kinds: ['invoice.paid'] };
        await m.settle();
        expect(text(status(m))).to.equal('No activity');
        m.el.filter = { kinds: ['call.logged'] };
        await m.settle();
        expect(text(status(m))).to.equal('30 activities');
        const said = status(m).textContent;
        m.el.filter = { kinds: ['meeting.scheduled'] };
        await m.settle();
        expect(text(status(m))).to.equal('30 activities');
        expect(status(m).textContent, 'a change the screen reader hears').to.not.equal(said);
        m.el.filter = {};
        await m.settle();
        expect(text(status(m))).to.equal('50 or more activities');
      });

      it('in the words the page gives (messages.filterResults)', async () => {
        const m = await mountFeed({ history: [call(BEN), change(ANA)] });
        m.el.messages = {
          filterResults: (n, more, c) => `${c.number(n)}${more ? '+' : ''} Aktivität(en)`,
        };
        m.el.filter = { kinds: ['entity.updated'] };
        await m.settle();
        expect(text(status(m))).to.equal('1 Aktivität(en)');
      });

      it('another feed is not a filter result', async () => {
        const m = await mountFeed({
          attrs: { 'feed-type': 'customer', 'entity-id': '42' },
          history: [call(BEN), change(ANA)],
        });
        m.el.entityId = '7';
        await m.settle();
        expect(text(status(m))).to.equal('');
      });
    });

    it('a filter that matches nothing says so and can be cleared', async () => {
      const m = await mountFeed({ history: 8 });
      m.el.filter = { kinds: ['invoice.paid'] };
      await m.settle();
      expect(text(m.root.querySelector('.state p'))).to.equal('No activity matches these filters');
      m.root.querySelector<HTMLButtonElement>('.state .action')!.click();
      await m.settle();
      expect(m.el.filter).to.deep.equal({});
      expect(m.el.snapshot?.items).to.have.length(8);
      expect(articles(m.root).length).to.be.greaterThan(4);
    });
  });

  describe('windowing', () => {
    it('keeps the DOM small for 10,000 items and reaches the end', async function () {
      this.timeout(60_000);
      // Pages of 100 (200 sample items with picture URLs would pass the 64 KiB frame limit).
      const m = await mountFeed({ history: 10_000, attrs: { 'max-items': '100' } });
      expect(articles(m.root).length).to.be.lessThan(60);
      let rounds = 0;
      while (m.el.snapshot?.hasMore && rounds++ < 150) {
        await scrollToEnd(m);
        expect(articles(m.root).length).to.be.lessThan(60);
      }
      await scrollToEnd(m);
      expect(m.el.snapshot?.items).to.have.length(10_000);
      const last = articles(m.root).at(-1)!;
      expect(last.getAttribute('aria-posinset')).to.equal('10000');
      expect(last.getAttribute('aria-setsize')).to.equal('10000');
      const view = scroller(m.root).getBoundingClientRect();
      expect(last.getBoundingClientRect().bottom).to.be.at.most(view.bottom + 1);
      expect(m.root.querySelectorAll('*').length).to.be.lessThan(1500);
    });

    it('jumping into the middle renders the items there', async () => {
      const m = await mountFeed({ history: 1000, attrs: { 'max-items': '100' } });
      await scrollTo(m, 8000);
      const shown = articles(m.root).map((a) => Number(a.getAttribute('aria-posinset')));
      expect(shown.length).to.be.lessThan(60);
      expect(shown[0]).to.be.greaterThan(50);
      const view = scroller(m.root).getBoundingClientRect();
      const visible = articles(m.root).filter((a) => {
        const box = a.getBoundingClientRect();
        return box.bottom > view.top && box.top < view.bottom;
      });
      expect(visible.length).to.be.greaterThan(2);
    });
  });

  describe('bursts', () => {
    it('1,000 events at once render a few times, not 1,000', async () => {
      const m = await mountFeed({ history: 20 });
      const renders = countRenders(m.el);
      for (let i = 0; i < 1000; i++) m.server.appendActivity(call(BEN, `Burst ${i}`));
      await m.settle();
      expect(renders.count).to.be.at.most(3);
      expect(text(articles(m.root)[0]!.querySelector('.summary'))).to.equal('Burst 999');
      expect(articles(m.root).length).to.be.lessThan(60);
    });

    it('1,000 events over a second render at most once per frame', async () => {
      const m = await mountFeed({ history: 20 });
      const renders = countRenders(m.el);
      const burst = activityBurst(m.server, { perSecond: 1000, durationMs: 1000, tickMs: 16 });
      await m.clock.advance(1100);
      await m.settle();
      expect(burst.sent).to.equal(1000);
      expect(m.el.snapshot?.liveCount).to.equal(1000);
      // A reader at the top: the newest 500 stay in memory, the older ones load on scroll.
      expect(m.el.snapshot?.items.length).to.equal(500);
      // 63 frames of 16 ms: never more renders than frames.
      expect(renders.count).to.be.at.most(Math.ceil(1000 / 16) + 3);
    });

    it('a flood at the top refreshes a few times a second; the last items are shown', async () => {
      const m = await mountFeed({ history: 20 });
      const renders = countRenders(m.el);
      activityBurst(m.server, {
        perSecond: 1000,
        durationMs: 1000,
        tickMs: 16,
        make: (i) => call(BEN, `Flood ${i}`),
      });
      await m.clock.advance(1100);
      await m.settle();
      // About 8 a second (every 120 ms), not one per 16 ms frame.
      expect(renders.count).to.be.within(5, 12);
      expect(text(articles(m.root)[0]!.querySelector('.summary'))).to.equal('Flood 999');
    });

    it('a scrolled reader gets every change of the pill at once', async () => {
      const m = await mountFeed({ history: 100 });
      await scrollTo(m, 900);
      m.server.appendActivity(call(BEN));
      await m.settle();
      m.server.appendActivity(call(BEN));
      await m.settle();
      expect(text(pill(m.root))).to.equal('2 new');
    });
  });

  describe('safety', () => {
    const evil = '<img src=x onerror="window.__feedXss=1">';

    it('renders summaries, values, names and labels as text', async () => {
      const m = await mountFeed({
        history: [
          {
            kind: 'entity.updated',
            actor: { id: 'u-evil', name: evil },
            entity: { type: 'customer', id: '42', label: evil },
            changes: [{ field: 'notes', from: evil, to: `<script>window.__feedXss=2</script>` }],
          },
          { kind: 'note.added', actor: ANA, summary: evil },
        ],
      });
      await nextFrame();
      expect(m.root.querySelectorAll('img:not(.image), script')).to.have.length(0);
      expect((window as { __feedXss?: number }).__feedXss).to.equal(undefined);
      expect(text(m.root.querySelector('.summary'))).to.equal(evil);
      expect(m.root.textContent).to.contain('<script>window.__feedXss=2</script>');
    });

    it('never links javascript: URLs', async () => {
      const m = await mountFeed({ history: [change(ANA)] });
      m.el.entityHref = () => 'javascript:window.__feedXss=3';
      await m.settle();
      expect(m.root.querySelector('a')).to.equal(null);
      expect(text(m.root.querySelector('.entity'))).to.equal('Difference Ltd');
    });

    it('never links a URL without a scheme that leaves the site (//host, /\\host)', async () => {
      const m = await mountFeed({ history: [change(ANA)] });
      for (const url of ['//evil.example/c/42', '/\\evil.example/c/42']) {
        m.el.entityHref = () => url;
        await m.settle();
        expect(m.root.querySelector('a')?.getAttribute('href'), url).to.equal(undefined);
      }
      m.el.entityHref = () => 'https://crm.example/c/42';
      await m.settle();
      expect(m.root.querySelector('a.entity')!.getAttribute('href')).to.equal(
        'https://crm.example/c/42',
      );
    });
  });

  describe('accessibility', () => {
    it('is accessible while loading', async () => {
      const m = await mountFeed({ history: 5 });
      m.server.setLatency(10_000);
      m.el.filter = { kinds: ['call.logged'] };
      await m.settle();
      expect(feed(m.root)!.getAttribute('aria-busy')).to.equal('true');
      await expectAccessible(m.el);
    });

    it('is accessible when empty', async () => {
      const m = await mountFeed();
      expect(text(m.root.querySelector('.state'))).to.equal('No activity yet');
      await expectAccessible(m.el);
    });

    it('is accessible with items, links and long changes', async () => {
      const m = await mountFeed({ history: 40 });
      m.el.entityHref = (e) => `/customers/${e.id}`;
      await m.settle();
      await expectAccessible(m.el);
    });

    it('is accessible filtered, and filtered to nothing', async () => {
      const m = await mountFeed({ history: 40 });
      m.el.filter = { kinds: ['call.logged'], actors: ['u-mei'] };
      await m.settle();
      await expectAccessible(m.el);
      m.el.filter = { kinds: ['invoice.paid'] };
      await m.settle();
      await expectAccessible(m.el);
    });

    it('is accessible with the pill showing, in the dark theme', async () => {
      const m = await mountFeed({ history: 100 });
      document.documentElement.dataset['crmTheme'] = 'dark';
      try {
        await scrollTo(m, 900);
        m.server.appendActivity(call(BEN));
        await m.settle();
        expect(pill(m.root)).to.not.equal(null);
        await expectAccessible(m.el);
      } finally {
        delete document.documentElement.dataset['crmTheme'];
      }
    });
  });

  describe('not connected', () => {
    it('shows a quiet "Not connected" without a provider, and warns once', async () => {
      resetNoProviderWarning();
      const warnings = recordWarnings();
      try {
        const el = await fixture<CrmActivityFeed>(html`<crm-activity-feed></crm-activity-feed>`);
        // The warning waits for the page's load and a task, in case a provider arrives late.
        await waitUntil(() => warnings.messages.length > 0, 'a warning is logged');
        expect(text(el.shadowRoot!.querySelector('.state'))).to.equal('Not connected');
        expect(warnings.messages.filter((w) => w.includes('crm-activity-feed'))).to.have.length(1);
        await expectAccessible(el);
      } finally {
        warnings.restore();
      }
    });
  });

  describe('cleanup', () => {
    it('leaves the feed room and stops its timer when removed', async () => {
      const m = await mountFeed({ history: 5 });
      m.el.remove();
      await m.settle();
      const renders = countRenders(m.el);
      expect(m.server.received('leave').map((f) => f.room)).to.include('activity:global');
      m.server.appendActivity(call(BEN));
      await m.clock.advance(120_000);
      await m.settle();
      expect(renders.count).to.equal(0);
    });
  });
});
