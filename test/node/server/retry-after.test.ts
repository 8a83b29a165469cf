/**
 * Reading a backend's `Retry-After` (`backendRetryAfter`): an HTTP date is read only in the forms
 * HTTP defines, on the answer's own `Date` when that is one, else on the server's clock. A
 * `Date` that is not an HTTP date is no clock: JavaScript's lenient parser read "1" as the year
 * 2001, which turned "in 30 s" into the longest wait, and read a date without its zone in the
 * server's local time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backendRetryAfter, httpDate } from '../../../src/server/retry-after.js';

const now = Date.UTC(2026, 11, 8, 12, 0, 0);
const inThirty = new Date(now + 30_000).toUTCString();

describe('a backend’s Retry-After date', () => {
  test('is read against the answer’s Date in each form HTTP defines', () => {
    // The backend's clock is five minutes behind the server's.
    const sent = now - 300_000;
    const retry = new Date(sent + 30_000).toUTCString();
    for (const date of [
      'Tue, 08 Dec 2026 11:55:00 GMT',
      'Tuesday, 08-Dec-26 11:55:00 GMT',
      'Tue Dec  8 11:55:00 2026',
    ]) {
      assert.equal(backendRetryAfter(503, retry, now, date), 30_000, date);
    }
    assert.equal(
      backendRetryAfter(429, 'Tue Dec  8 11:55:30 2026', now, new Date(sent).toUTCString()),
      30_000,
    );
  });

  test('reads a two-digit year as the one at most 50 years ahead', () => {
    const sent = Date.UTC(1994, 10, 6, 8, 49, 37);
    assert.equal(httpDate('Sunday, 06-Nov-94 08:49:37 GMT', now), sent);
    assert.equal(httpDate('Sunday, 06-Nov-76 08:49:37 GMT', now), Date.UTC(2076, 10, 6, 8, 49, 37));
    assert.equal(httpDate('Sun, 06 Nov 1994 08:49:37 GMT', now), sent);
    assert.equal(httpDate('Sun Nov  6 08:49:37 1994', now), sent);
  });

  test('falls back to the server’s clock when the Date is not an HTTP date', () => {
    for (const date of [
      '1',
      'garbage 5',
      '2026-12-08T10:00:00Z',
      'Tue, 08 Dec 2026 10:00:00',
      'Tue, 32 Dec 2026 10:00:00 GMT',
      'Tue, 08 Dec 2026 25:00:00 GMT',
      'Wed, 31 Feb 2026 10:00:00 GMT',
      '',
    ]) {
      assert.equal(backendRetryAfter(503, inThirty, now, date), 30_000, JSON.stringify(date));
    }
  });

  test('is no wait when it is not an HTTP date: the client’s backoff decides', () => {
    for (const value of [
      'soon',
      '1.5',
      '-1',
      // Without its zone, it would be read in the server's local time.
      'Tue, 08 Dec 2026 12:00:30',
      'Tue Dec  8 12:00:30 2026 GMT',
    ]) {
      assert.equal(backendRetryAfter(503, value, now), undefined, value);
    }
  });

  test('seconds are seconds, at most a minute; other statuses name no wait', () => {
    assert.equal(backendRetryAfter(503, ' 20 ', now, 'garbage'), 20_000);
    assert.equal(backendRetryAfter(429, '7200', now), 60_000);
    assert.equal(backendRetryAfter(500, '20', now), undefined);
    assert.equal(backendRetryAfter(503, inThirty, now, null), 30_000);
  });
});
