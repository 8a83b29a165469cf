/**
 * The pure parts of `<crm-presence>`: the snapshot diff, the English messages, following
 * snapshots, and roving focus. (Avatars, placement and the announcer, which other elements share,
 * are tested under test/browser/elements/shared/.)
 */
import { expect } from '@open-wc/testing';
import type { Person } from '../../../../src/client/types.js';
import { diffPeople } from '../../../../src/elements/presence/presence-diff.js';
import { defaultPresenceMessages as m } from '../../../../src/elements/presence/presence-messages.js';
import { personText } from '../../../../src/elements/presence/person-text.js';
import { rovingTarget } from '../../../../src/elements/presence/roving.js';
import { SnapshotFollower } from '../../../../src/elements/presence/snapshot-follower.js';
import { messageContext } from '../../../../src/i18n.js';

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
    expect(t.label).to.equal('Ana Ortiz: Away, Editing Email, 3 tabs on 2 devices');
    // Drawn: the field isolated (U+2068 … U+2069) from the words around it.
    expect(t.detail).to.equal('Away · Editing \u2068Email\u2069 · 3 tabs on 2 devices');
  });

  it('names the field by the name it is given, isolated only where it is drawn', () => {
    const t = personText(
      person('a', {
        user: { id: 'a', name: 'Ana Ortiz' },
        activity: { kind: 'editing', field: 'nextStep' },
      }),
      false,
      m,
      en,
      (field) => (field === 'nextStep' ? 'Next step' : field),
    );
    expect(t.label).to.equal('Ana Ortiz: Online, Editing Next step');
    expect(t.detail).to.equal('Online · Editing \u2068Next step\u2069');
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

describe('SnapshotFollower', () => {
  const snap = (room: string, people: Person[], self?: Person) =>
    self ? { room, people, total: people.length, self } : { room, people, total: people.length };

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
