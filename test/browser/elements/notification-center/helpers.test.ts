/**
 * The notification center's pure modules: day grouping, the safe-URL rule and entity link
 * templates, and the pausable toast countdown on a manual clock.
 */
import { expect } from '@open-wc/testing';
import {
  dayDate,
  groupByDay,
  relativeDay,
  startOfDay,
} from '../../../../src/elements/notification-center/day-groups.js';
import { entityHrefFromTemplate, safeHref } from '../../../../src/elements/shared/links.js';
import { ToastTimer } from '../../../../src/elements/notification-center/toast-timer.js';
import { ManualClock } from '../../../../src/testing/index.js';

const HOUR = 3_600_000;

describe('notification center helpers', () => {
  describe('groupByDay', () => {
    // Mid-morning local time, so "an hour ago" is today and "ten hours ago" is yesterday.
    const now = new Date(2025, 0, 8, 10, 30).getTime();
    const at = (y: number, mo: number, d: number, h = 12) => new Date(y, mo, d, h).getTime();

    it('splits a newest-first list into today, yesterday and dated days', () => {
      const items = [
        now - HOUR,
        now - 2 * HOUR,
        now - 11 * HOUR, // yesterday evening
        at(2025, 0, 7, 8),
        at(2025, 0, 3),
        at(2024, 11, 30),
      ];
      const groups = groupByDay(items, (t) => t, now);
      expect(groups.map((g) => [g.kind, g.items.length])).to.deep.equal([
        ['today', 2],
        ['yesterday', 2],
        ['date', 1],
        ['date', 1],
      ]);
      expect(groups.map((g) => g.key)).to.deep.equal([
        '2025-01-08',
        '2025-01-07',
        '2025-01-03',
        '2024-12-30',
      ]);
    });

    it('counts a time a little in the future as today', () => {
      const groups = groupByDay([now + 5 * 60_000, now], (t) => t, now);
      expect(groups).to.have.length(1);
      expect(groups[0]!.kind).to.equal('today');
    });

    it('goes by calendar days, not 24-hour spans', () => {
      const justAfterMidnight = new Date(2025, 0, 8, 0, 5).getTime();
      const lateYesterday = new Date(2025, 0, 7, 23, 55).getTime();
      const groups = groupByDay([lateYesterday], (t) => t, justAfterMidnight);
      expect(groups[0]!.kind).to.equal('yesterday');
      expect(startOfDay(lateYesterday)).to.equal(new Date(2025, 0, 7).getTime());
    });

    it('gives no groups for no items', () => {
      expect(groupByDay([], (t: number) => t, now)).to.deep.equal([]);
    });
  });

  describe('day labels', () => {
    it('"Today" and "Yesterday" come from Intl, capitalised, in the language asked for', () => {
      expect(relativeDay(0, 'en')).to.equal('Today');
      expect(relativeDay(-1, 'en')).to.equal('Yesterday');
      expect(relativeDay(0, 'de')).to.equal('Heute');
      expect(relativeDay(-1, 'fr')).to.equal('Hier');
    });

    it('older days are dated, with the year only when it is not this one', () => {
      const now = new Date(2025, 0, 8).getTime();
      expect(dayDate(new Date(2025, 0, 6).getTime(), now, 'en-GB')).to.equal('Monday 6 January');
      expect(dayDate(new Date(2024, 11, 30).getTime(), now, 'en-GB')).to.equal(
        'Monday, 30 December 2024',
      );
      expect(dayDate(new Date(2025, 0, 6).getTime(), now, 'de')).to.equal('Montag, 6. Januar');
    });
  });

  describe('safeHref', () => {
    const base = 'https://crm.example.com/app/';

    it('keeps http, https and relative URLs', () => {
      expect(safeHref('https://crm.example.com/x', base)).to.equal('https://crm.example.com/x');
      expect(safeHref('http://example.com', base)).to.equal('http://example.com');
      expect(safeHref('/customers/42', base)).to.equal('/customers/42');
      expect(safeHref('customers/42?tab=notes', base)).to.equal('customers/42?tab=notes');
    });

    it('refuses script, data and other schemes, in any case or disguise', () => {
      for (const url of [
        'javascript:alert(1)',
        'JavaScript:alert(1)',
        ' javascript:alert(1)',
        'java\tscript:alert(1)',
        'java\nscript:alert(1)',
        'data:text/html,<script>alert(1)</script>',
        'vbscript:msgbox(1)',
        'file:///etc/passwd',
        'mailto:x@example.com',
        '\u0000javascript:alert(1)',
      ]) {
        expect(safeHref(url, base), url).to.equal(undefined);
      }
    });

    it('refuses a URL without a scheme that leads to another site', () => {
      // Browsers read a backslash as a slash: each of these goes to evil.example.
      for (const url of ['//evil.example/login', '/\\evil.example/login', '\\\\evil.example/x']) {
        expect(safeHref(url, base), url).to.equal(undefined);
      }
      expect(safeHref('../customers/42', base)).to.equal('../customers/42');
    });

    it('refuses what is not a string or is empty', () => {
      expect(safeHref(undefined, base)).to.equal(undefined);
      expect(safeHref(null, base)).to.equal(undefined);
      expect(safeHref('', base)).to.equal(undefined);
      expect(safeHref('   ', base)).to.equal(undefined);
      expect(safeHref(42 as unknown as string, base)).to.equal(undefined);
    });
  });

  describe('entityHrefFromTemplate', () => {
    it('puts the type and id in, percent-encoded', () => {
      const href = entityHrefFromTemplate('/customers/{type}/{id}');
      expect(href({ type: 'customer', id: '42' })).to.equal('/customers/customer/42');
      expect(href({ type: 'customer', id: '4/2?x=1#y' })).to.equal(
        '/customers/customer/4%2F2%3Fx%3D1%23y',
      );
    });

    it('cannot be turned into a script URL by an id', () => {
      const href = entityHrefFromTemplate('{id}');
      const url = href({ type: 'customer', id: 'javascript:alert(1)' })!;
      expect(url).to.equal('javascript%3Aalert(1)');
      // Resolved, it is a harmless relative path.
      expect(new URL(url, 'https://crm.example.com/').protocol).to.equal('https:');
    });

    it('an empty template makes no links', () => {
      expect(entityHrefFromTemplate('')({ type: 'customer', id: '1' })).to.equal(undefined);
      expect(entityHrefFromTemplate('  ')({ type: 'customer', id: '1' })).to.equal(undefined);
    });
  });

  describe('ToastTimer', () => {
    let clock: ManualClock;
    let expired: string[];
    let timer: ToastTimer;

    beforeEach(() => {
      clock = new ManualClock();
      expired = [];
      timer = new ToastTimer(clock, (id) => expired.push(id));
    });

    it('expires a toast after its duration', async () => {
      timer.start('a', 5000);
      await clock.advance(4999);
      expect(expired).to.deep.equal([]);
      await clock.advance(1);
      expect(expired).to.deep.equal(['a']);
      expect(timer.size).to.equal(0);
    });

    it('pauses every countdown and resumes each with the time it had left', async () => {
      timer.start('a', 5000);
      await clock.advance(2000);
      timer.start('b', 5000);
      await clock.advance(1000);
      timer.pause('hover');
      expect(timer.remaining('a')).to.equal(2000);
      expect(timer.remaining('b')).to.equal(4000);
      await clock.advance(60_000);
      expect(expired).to.deep.equal([]);
      timer.resume('hover');
      await clock.advance(2000);
      expect(expired).to.deep.equal(['a']);
      await clock.advance(2000);
      expect(expired).to.deep.equal(['a', 'b']);
    });

    it('stays paused until every reason is gone', async () => {
      timer.start('a', 1000);
      timer.pause('hover');
      timer.pause('focus');
      timer.resume('hover');
      await clock.advance(5000);
      expect(expired).to.deep.equal([]);
      timer.resume('focus');
      await clock.advance(1000);
      expect(expired).to.deep.equal(['a']);
    });

    it('a toast started while paused waits for the resume', async () => {
      timer.pause('hidden');
      timer.start('a', 1000);
      await clock.advance(10_000);
      expect(expired).to.deep.equal([]);
      timer.resume('hidden');
      await clock.advance(1000);
      expect(expired).to.deep.equal(['a']);
    });

    it('resuming for a reason that was not given changes nothing', async () => {
      timer.start('a', 1000);
      timer.pause('hover');
      timer.resume('focus');
      await clock.advance(2000);
      expect(expired).to.deep.equal([]);
    });

    it('stop and dispose cancel the clock timers', async () => {
      timer.start('a', 1000);
      timer.start('b', 1000);
      timer.stop('a');
      expect(clock.pending).to.equal(1);
      timer.dispose();
      expect(clock.pending).to.equal(0);
      await clock.advance(2000);
      expect(expired).to.deep.equal([]);
    });
  });
});
