/**
 * The pure parts of `<crm-conflict-dialog>`: merge rules, value views, the word diff and the
 * relative time. They run in the browser because the formatting uses the browser's `Intl` data.
 */
import { expect } from '@open-wc/testing';
import { diffWords, ValueFormatter } from '../../../../src/elements/shared/format-value.js';
import { mergeResolution, resolutionOf } from '../../../../src/elements/conflict-dialog/merge.js';
import { humanizeField } from '../../../../src/elements/conflict-dialog/conflict-messages.js';
import { timeText } from '../../../../src/elements/shared/relative-time.js';

const en = new ValueFormatter({ locale: 'en', yes: 'Yes', no: 'No' });
const marked = (segments: { text: string; changed: boolean }[]) =>
  segments.filter((s) => s.changed).map((s) => s.text);

describe('conflict dialog: merge rules', () => {
  const input = {
    local: { a: 'mine-a', b: 'mine-b', note: 'my note', stale: 1 },
    remote: { a: 'their-a', b: 'their-b', stale: 2, extra: true },
    base: { a: 'base-a', b: 'base-b', stale: 1 },
    fields: ['a', 'b'],
  };

  it('all mine, all theirs, and a mix', () => {
    const mine = mergeResolution({ ...input, choices: { a: 'mine', b: 'mine' } });
    expect(mine).to.deep.equal({
      a: 'mine-a',
      b: 'mine-b',
      note: 'my note',
      stale: 2,
      extra: true,
    });
    const theirs = mergeResolution({ ...input, choices: { a: 'theirs', b: 'theirs' } });
    expect(theirs).to.deep.equal({
      a: 'their-a',
      b: 'their-b',
      note: 'my note',
      stale: 2,
      extra: true,
    });
    const mix = mergeResolution({ ...input, choices: { a: 'theirs', b: 'mine' } });
    expect(mix['a']).to.equal('their-a');
    expect(mix['b']).to.equal('mine-b');
  });

  it('a missing choice keeps mine; an undefined chosen value leaves the field out', () => {
    const merged = mergeResolution({
      local: { a: 1, gone: undefined },
      remote: { gone: 'there' },
      base: {},
      fields: ['a', 'gone'],
      choices: {},
    });
    expect(merged).to.deep.equal({ a: 1 });
  });

  it('names the resolution by its sides', () => {
    expect(resolutionOf(['a', 'b'], { a: 'mine', b: 'mine' })).to.equal('mine');
    expect(resolutionOf(['a', 'b'], { a: 'theirs', b: 'theirs' })).to.equal('theirs');
    expect(resolutionOf(['a', 'b'], { a: 'theirs', b: 'mine' })).to.equal('merged');
    expect(resolutionOf(['a'], {})).to.equal('mine');
  });
});

describe('conflict dialog: value views', () => {
  it('empty values', () => {
    for (const value of [null, undefined, '', [], {}]) {
      expect(en.view(value).kind, JSON.stringify(value)).to.equal('empty');
    }
  });

  it('numbers and booleans are localized', () => {
    expect(en.view(1234567.891)).to.deep.equal({ kind: 'scalar', text: '1,234,567.891' });
    const de = new ValueFormatter({ locale: 'de', yes: 'Ja', no: 'Nein' });
    expect(de.view(1234567.891)).to.deep.equal({ kind: 'scalar', text: '1.234.567,891' });
    expect(de.view(true)).to.deep.equal({ kind: 'scalar', text: 'Ja' });
    expect(en.view(false)).to.deep.equal({ kind: 'scalar', text: 'No' });
  });

  it('ISO dates become dates; other strings stay text', () => {
    expect(en.view('2025-06-30')).to.deep.equal({
      kind: 'date',
      text: 'Jun 30, 2025',
      datetime: '2025-06-30',
    });
    const dateTime = en.view('2024-05-02T09:30:00Z');
    expect(dateTime.kind).to.equal('date');
    expect(en.view('2025-13-45').kind).to.equal('text');
    expect(en.view('20250630').kind).to.equal('text');
    expect(en.view('line one\nline two')).to.deep.include({ kind: 'text', multiline: true });
  });

  it('short arrays on one line, long ones as a list, changed items marked', () => {
    const short = en.view(['a', 'b', 'c'], { value: ['a', 'b'] });
    expect(short.kind).to.equal('inline-list');
    if (short.kind !== 'inline-list') return;
    expect(short.items.map((i) => [i.text, i.changed])).to.deep.equal([
      ['a', false],
      ['b', false],
      ['c', true],
    ]);
    const long = en.view(['one', 'two', 'three', 'four', 'five', 'six']);
    expect(long.kind).to.equal('list');
    const objects = en.view([{ type: 'work', number: '123' }]);
    expect(objects.kind).to.equal('inline-list');
    if (objects.kind === 'inline-list')
      expect(objects.items[0]!.text).to.equal('type: work · number: 123');
  });

  it('objects as key lines, nested keys dotted; too deep or too big as JSON', () => {
    const view = en.view(
      { a: 1, b: { c: true, d: ['x', 'y'] } },
      { value: { a: 1, b: { c: false } } },
    );
    expect(view.kind).to.equal('record');
    if (view.kind !== 'record') return;
    expect(view.entries.map((e) => [e.key, e.text, e.changed])).to.deep.equal([
      ['a', '1', false],
      ['b.c', 'Yes', true],
      ['b.d', 'x, y', true],
    ]);
    expect(en.view({ rows: [{ a: 1 }] }).kind).to.equal('json');
    const big = Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`k${i}`, i]));
    expect(en.view(big).kind).to.equal('json');
  });

  it('marks nothing when everything changed', () => {
    const view = en.view({ a: 1, b: 2 }, { value: { a: 3, b: 4 } });
    if (view.kind !== 'record') throw new Error(view.kind);
    expect(view.entries.some((e) => e.changed)).to.equal(false);
  });
});

describe('conflict dialog: word diff', () => {
  it('marks the words that differ from the reference', () => {
    expect(marked(diffWords('Acme Corporation', 'Acme Corp'))).to.deep.equal(['Corporation']);
    expect(
      marked(diffWords('the support contract for two years.', 'the support contract.')),
    ).to.deep.equal(['for two years']);
  });

  it('joins neighbouring changed words, and gives the text back unchanged', () => {
    const text = 'send the quote by Friday and call';
    const segments = diffWords(text, 'send the quote and call');
    expect(segments.map((s) => s.text).join('')).to.equal(text);
    expect(marked(segments)).to.deep.equal(['by Friday']);
  });

  it('marks nothing when no word is shared, or nothing differs', () => {
    expect(marked(diffWords('foo, bar', 'baz, qux'))).to.deep.equal([]);
    expect(marked(diffWords('same', 'same'))).to.deep.equal([]);
  });

  it('stays fast on long texts (falls back beyond the diff budget)', () => {
    const a = Array.from({ length: 2000 }, (_, i) => `w${i}`).join(' ');
    const b = Array.from({ length: 2000 }, (_, i) => `v${i}`).join(' ');
    const segments = diffWords(`start ${a} end`, `start ${b} end`);
    expect(segments.map((s) => s.text).join('')).to.equal(`start ${a} end`);
  });
});

describe('conflict dialog: texts', () => {
  it('humanizes field names', () => {
    expect(humanizeField('firstName')).to.equal('First name');
    expect(humanizeField('first_name')).to.equal('First name');
    expect(humanizeField('address.city')).to.equal('Address city');
    expect(humanizeField('vip')).to.equal('Vip');
  });

  it('says how long ago, in the given language', () => {
    const now = Date.UTC(2025, 0, 6, 9, 0, 0);
    expect(timeText(now - 10_000, now, 'en')!.relative).to.equal('now');
    expect(timeText(now - 3 * 60_000, now, 'en')!.relative).to.equal('3 minutes ago');
    expect(timeText(now - 26 * 3600_000, now, 'en')!.relative).to.equal('yesterday');
    expect(timeText(now - 3 * 60_000, now, 'de')!.relative).to.equal('vor 3 Minuten');
    expect(timeText(now, now, 'en')!.datetime).to.equal('2025-01-06T09:00:00.000Z');
    expect(timeText(Number.NaN, now, 'en')).to.equal(undefined);
  });
});
