/**
 * The pure parts of `<crm-presence>`: avatar colours and initials, the safe-URL check, the
 * batched announcer, the snapshot diff, placement of floating boxes and the English messages.
 */
import { expect } from '@open-wc/testing';
import type { Person } from '../../../../src/client/types.js';
import { PresenceAnnouncer } from '../../../../src/elements/presence/announcer.js';
import {
  AVATAR_PALETTE,
  avatarColor,
  contrastRatio,
  initials,
  safeAvatarUrl,
} from '../../../../src/elements/presence/avatar.js';
import { place } from '../../../../src/elements/presence/placement.js';
import { diffPeople } from '../../../../src/elements/presence/presence-diff.js';
import { defaultPresenceMessages as m } from '../../../../src/elements/presence/presence-messages.js';
import { personText } from '../../../../src/elements/presence/person-text.js';
import { rovingTarget } from '../../../../src/elements/presence/roving.js';
import { SnapshotFollower } from '../../../../src/elements/presence/snapshot-follower.js';
import { messageContext } from '../../../../src/i18n.js';
import { ManualClock } from '../../../../src/testing/index.js';

const en = messageContext('en');

function person(id: string, patch: Partial<Person> = {}): Person {
  return {
    user: { id, name: id.toUpperCase() },
    status: 'online',
    activity: { kind: 'viewing' },
    connections: 1,
    devices: 1,
    since: 0,
    updatedAt: 0,
    ...patch,
  };
}

describe('avatar colours', () => {
  it('give white initials at least 4.5:1 contrast (WCAG AA) on every colour', () => {
    for (const color of AVATAR_PALETTE) {
      expect(contrastRatio(color, '#ffffff'), color).to.be.at.least(4.5);
    }
  });

  it('are the same for the same user id and spread over the palette', () => {
    expect(avatarColor('u-ana')).to.equal(avatarColor('u-ana'));
    const used = new Set(Array.from({ length: 200 }, (_, i) => avatarColor(`user-${i}`)));
    expect(used.size).to.equal(AVATAR_PALETTE.length);
  });

  it('computes contrast like WCAG does', () => {
    expect(contrastRatio('#000000', '#ffffff')).to.be.closeTo(21, 0.01);
    expect(contrastRatio('#777777', '#ffffff')).to.be.closeTo(4.48, 0.01);
  });
});

describe('initials', () => {
  const cases: [string, string][] = [
    ['Ana Ortiz', 'AO'],
    ['Ana María Ortiz', 'AO'],
    ['madonna', 'M'],
    ['(Ana) Ortiz', 'AO'],
    ['ana.ortiz@example.com', 'AO'],
    ['Élodie Ñúñez', 'ÉÑ'],
    ['山田太郎', '山'],
    ['Jean-Luc Picard', 'JP'],
    ['   ', '?'],
    ['---', '?'],
  ];
  for (const [name, expected] of cases) {
    it(`"${name}" → "${expected}"`, () => expect(initials(name)).to.equal(expected));
  }

  it('keeps a letter with a combining accent whole', () => {
    expect(initials('e\u0301mile zola')).to.equal('E\u0301Z');
  });
});

describe('safeAvatarUrl', () => {
  it('accepts https, http and data:image URLs', () => {
    expect(safeAvatarUrl('https://cdn.example.com/a.png')).to.equal(
      'https://cdn.example.com/a.png',
    );
    expect(safeAvatarUrl('HTTP://example.com/a.png')).to.equal('http://example.com/a.png');
    expect(safeAvatarUrl('data:image/png;base64,AAAA')).to.equal('data:image/png;base64,AAAA');
  });

  it('refuses everything else', () => {
    for (const url of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'data:image',
      'vbscript:x',
      '//evil.example.com/a.png',
      '/relative.png',
      'https://',
      '',
      'x'.repeat(3000),
      42,
      undefined,
    ]) {
      expect(safeAvatarUrl(url), String(url).slice(0, 40)).to.equal(undefined);
    }
  });
});

describe('PresenceAnnouncer', () => {
  function setup(windowMs = 1000) {
    const clock = new ManualClock();
    const said: string[] = [];
    const announcer = new PresenceAnnouncer({
      clock,
      windowMs,
      announce: (message) => said.push(message),
      format: ({ joined, left }) =>
        [joined.length ? m.joined(joined, en) : '', left.length ? m.left(left, en) : '']
          .filter(Boolean)
          .join('. '),
    });
    return { clock, said, announcer };
  }

  it('says nothing until the window closes, then one message for the whole batch', () => {
    const { clock, said, announcer } = setup();
    announcer.joined('a', 'Ana Ortiz');
    clock.advanceSync(300);
    announcer.joined('b', 'Ben Lee');
    announcer.left('c', 'Carl');
    clock.advanceSync(699);
    expect(said).to.deep.equal([]);
    clock.advanceSync(1);
    expect(said).to.deep.equal(['Ana Ortiz and Ben Lee joined. Carl left']);
  });

  it('turns a stream of changes into one message per window', () => {
    const { clock, said, announcer } = setup();
    for (let i = 0; i < 50; i++) {
      announcer.joined(`p${i}`, `P${i}`);
      clock.advanceSync(100);
    }
    clock.advanceSync(1000);
    expect(said).to.have.length(5);
    expect(said[0]).to.equal('P0, P1, P2 and 7 others joined');
  });

  it('does not mention someone who came and went within one window', () => {
    const { clock, said, announcer } = setup();
    announcer.joined('a', 'Ana');
    announcer.left('a', 'Ana');
    announcer.left('b', 'Ben');
    announcer.joined('b', 'Ben');
    clock.advanceSync(1000);
    expect(said).to.deep.equal([]);
  });

  it('drops what is pending on dispose', () => {
    const { clock, said, announcer } = setup();
    announcer.joined('a', 'Ana');
    announcer.dispose();
    clock.advanceSync(5000);
    expect(said).to.deep.equal([]);
    expect(clock.pending).to.equal(0);
  });
});

describe('diffPeople', () => {
  it('finds arrivals, departures and changes by user id', () => {
    const before = [person('a'), person('b'), person('c')];
    const after = [
      person('a'),
      person('b', { status: 'away' }),
      person('d'),
      // same person, same state, later timestamp: not a change a user could see
    ];
    const diff = diffPeople(before, after);
    expect(diff.arrived.map((p) => p.user.id)).to.deep.equal(['d']);
    expect(diff.left.map((p) => p.user.id)).to.deep.equal(['c']);
    expect(diff.changed.map((p) => p.user.id)).to.deep.equal(['b']);
  });

  it('sees a new field being edited and a new tab', () => {
    const editing = person('a', { activity: { kind: 'editing', field: 'email' } });
    expect(
      diffPeople([editing], [person('a', { activity: { kind: 'editing', field: 'phone' } })])
        .changed,
    ).to.have.length(1);
    expect(diffPeople([editing], [{ ...editing, connections: 2 }]).changed).to.have.length(1);
    expect(diffPeople([editing], [{ ...editing, updatedAt: 99 }]).changed).to.have.length(0);
  });
});

describe('personText', () => {
  it('describes state, activity and tabs for screen readers and tooltips', () => {
    const t = personText(
      person('a', {
        user: { id: 'a', name: 'Ana Ortiz' },
        status: 'away',
        activity: { kind: 'editing', field: 'email' },
        connections: 3,
        devices: 2,
      }),
      false,
      m,
      en,
    );
    expect(t.label).to.equal('Ana Ortiz: Away, Editing email, 3 tabs on 2 devices');
    expect(t.detail).to.equal('Away · Editing email · 3 tabs on 2 devices');
  });

  it('says nothing about tabs for one tab, and marks the current user', () => {
    const t = personText(person('a', { user: { id: 'a', name: 'Ana' } }), true, m, en);
    expect(t.tabs).to.equal('');
    expect(t.label).to.equal('Ana (You): Online, Viewing');
  });

  it('formats lists and counts in the language given', () => {
    const de = messageContext('de');
    expect(m.joined(['Ana', 'Ben'], de)).to.equal('Ana und Ben joined');
    expect(m.tabs(1234, 1, de)).to.equal('1.234 tabs');
  });
});

describe('place', () => {
  const viewport = { width: 800, height: 600 };
  const options = { gap: 8, margin: 8, align: 'center', dir: 'ltr', prefer: 'below' } as const;

  it('centres below the anchor when there is room', () => {
    const p = place(
      { top: 100, left: 100, width: 40, height: 40 },
      { width: 100, height: 50 },
      viewport,
      options,
    );
    expect(p).to.deep.equal({ top: 148, left: 70, side: 'below', maxHeight: 444 });
  });

  it('flips above when there is no room below', () => {
    const p = place(
      { top: 550, left: 100, width: 40, height: 40 },
      { width: 100, height: 50 },
      viewport,
      options,
    );
    expect(p.side).to.equal('above');
    expect(p.top).to.equal(492);
  });

  it('shrinks to the larger side when it fits on neither, never covering the anchor', () => {
    const anchor = { top: 280, left: 100, width: 40, height: 40 };
    const p = place(anchor, { width: 100, height: 400 }, viewport, options);
    expect(p.side).to.equal('below');
    expect(p.maxHeight).to.equal(600 - 320 - 8 - 8);
    expect(p.top).to.equal(328);
    const q = place({ ...anchor, top: 300 }, { width: 100, height: 400 }, viewport, options);
    expect(q.side).to.equal('above');
    expect(q.top + q.maxHeight).to.equal(300 - 8);
  });

  it('stays inside the viewport', () => {
    const p = place(
      { top: 10, left: 780, width: 20, height: 20 },
      { width: 300, height: 50 },
      viewport,
      options,
    );
    expect(p.left).to.equal(800 - 8 - 300);
  });

  it('lines up the end edges, following the writing direction', () => {
    const anchor = { top: 10, left: 300, width: 40, height: 40 };
    const size = { width: 200, height: 50 };
    expect(place(anchor, size, viewport, { ...options, align: 'end' }).left).to.equal(140);
    expect(place(anchor, size, viewport, { ...options, align: 'end', dir: 'rtl' }).left).to.equal(
      300,
    );
  });
});

describe('SnapshotFollower', () => {
  const snap = (room: string, people: Person[], self?: Person) =>
    self ? { room, people, self } : { room, people };

  it('treats the first snapshot after joining as a start, then reports differences', () => {
    const f = new SnapshotFollower();
    const me = person('me');
    expect(f.next(snap('r', []))).to.equal('reset');
    expect(f.synced).to.equal(false);
    expect(f.next(snap('r', [me, person('a')], me))).to.equal('same');
    expect(f.synced).to.equal(true);
    const change = f.next(snap('r', [me, person('b')], me));
    expect(change).to.not.be.a('string');
    const diff = change as Exclude<typeof change, string>;
    expect(diff.arrived.map((p) => p.user.id)).to.deep.equal(['b']);
    expect(diff.left.map((p) => p.user.id)).to.deep.equal(['a']);
  });

  it('starts over, silently, on another room', () => {
    const f = new SnapshotFollower();
    const me = person('me');
    f.next(snap('r', [me], me));
    expect(f.next(snap('s', [me, person('x')], me))).to.equal('reset');
    expect(f.synced).to.equal(true);
    expect(f.next(undefined)).to.equal('reset');
    expect(f.synced).to.equal(false);
  });
});

describe('rovingTarget', () => {
  it('moves by one, stops at the ends, jumps with Home and End', () => {
    expect(rovingTarget('ArrowRight', 0, 3, false)).to.equal(1);
    expect(rovingTarget('ArrowRight', 2, 3, false)).to.equal(2);
    expect(rovingTarget('ArrowLeft', 0, 3, false)).to.equal(0);
    expect(rovingTarget('End', 0, 3, false)).to.equal(2);
    expect(rovingTarget('Home', 2, 3, false)).to.equal(0);
    expect(rovingTarget('a', 1, 3, false)).to.equal(undefined);
  });

  it('mirrors left and right on right-to-left pages', () => {
    expect(rovingTarget('ArrowLeft', 0, 3, true)).to.equal(1);
    expect(rovingTarget('ArrowRight', 1, 3, true)).to.equal(0);
  });
});
