/**
 * `<crm-presence watch>`: a list row shows who is on a record without announcing the user there.
 */
import { expect } from '@open-wc/testing';
import { CrmPresence } from '../../../../src/elements/presence/crm-presence.js';
import { DEMO_USER } from '../../../../src/testing/index.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { expectAccessible } from '../../helpers/settled.js';
import { ANA, BEN, ROOM, avatarNames, avatars, mountPresence } from './fixture.js';

afterEach(() => closeFakeConnections());

const inRoom = (m: { server: { people(room: string): { user: { id: string } }[] } }) =>
  m.server.people(ROOM).map((p) => p.user.id);

describe('crm-presence watch', () => {
  it('is false by default; the attribute sets the property', async () => {
    expect(new CrmPresence().watch).to.equal(false);
    const m = await mountPresence({ attrs: { 'room-id': ROOM, watch: '' } });
    expect(m.el.watch).to.equal(true);
  });

  it('shows the people without announcing the user, even with show-current-user', async () => {
    const m = await mountPresence({
      people: [ANA, BEN],
      attrs: { 'room-id': ROOM, watch: '', 'show-current-user': '' },
    });
    expect(m.server.received('join').map((f) => f.watch)).to.deep.equal([true]);
    expect(avatarNames(m.root)).to.deep.equal(['Ana Ortiz', 'Ben Lee']);
    expect(inRoom(m)).to.not.include(DEMO_USER.id);
    expect(m.el.people.map((p) => p.user.id)).to.not.include(DEMO_USER.id);
  });

  it('shows nothing, not "Only you here", when nobody is there', async () => {
    const m = await mountPresence({ attrs: { 'room-id': ROOM, watch: '' } });
    expect(avatars(m.root)).to.have.length(0);
    expect(m.root.querySelector('[part~="note"]')?.textContent).to.equal(undefined);
    // Nor does it take room: a list's rows keep the height they have without it.
    expect(m.el.getBoundingClientRect().height).to.equal(0);
    await expectAccessible(m.el);
    // Someone arrives: the avatars take their place as ever.
    m.server.addPerson(ROOM, ANA);
    await m.settle();
    expect(avatarNames(m.root)).to.deep.equal(['Ana Ortiz']);
    expect(m.el.getBoundingClientRect().height).to.be.greaterThan(0);
  });

  it('turning watch off makes the user present; on again joins as a watcher', async () => {
    const m = await mountPresence({ people: [ANA], attrs: { 'room-id': ROOM, watch: '' } });
    m.el.watch = false;
    await m.settle();
    expect(inRoom(m)).to.include(DEMO_USER.id);
    m.el.watch = true;
    await m.settle();
    expect(m.server.received('join').map((f) => f.watch)).to.deep.equal([true, undefined, true]);
    expect(avatarNames(m.root)).to.deep.equal(['Ana Ortiz']);
  });

  it('switches mode with one join: no leave, and the row never shows its loading state', async () => {
    const m = await mountPresence({ people: [ANA], attrs: { 'room-id': ROOM, watch: '' } });
    const busy: unknown[] = [];
    const seen = new MutationObserver(() => {
      if (m.root.querySelector('[aria-busy="true"]')) busy.push(avatarNames(m.root));
    });
    seen.observe(m.root, { subtree: true, childList: true, attributes: true });
    m.el.watch = false;
    await m.settle();
    expect(inRoom(m)).to.include(DEMO_USER.id);
    m.el.watch = true;
    await m.settle();
    expect(inRoom(m)).to.not.include(DEMO_USER.id);
    seen.disconnect();
    expect(m.server.received('leave')).to.deep.equal([]);
    expect(busy).to.deep.equal([]);
    expect(avatarNames(m.root)).to.deep.equal(['Ana Ortiz']);
  });

  it('another widget of the room without watch makes the user present while it is there', async () => {
    const m = await mountPresence({ people: [ANA], attrs: { 'room-id': ROOM, watch: '' } });
    expect(inRoom(m)).to.not.include(DEMO_USER.id);
    // The record's own widget on the same page: the room is a member room while it is there.
    const record = document.createElement('crm-presence');
    record.roomId = ROOM;
    m.provider.append(record);
    await m.settle();
    expect(inRoom(m)).to.include(DEMO_USER.id);
    record.remove();
    await m.settle();
    expect(inRoom(m)).to.not.include(DEMO_USER.id);
    expect(avatarNames(m.root)).to.deep.equal(['Ana Ortiz']);
  });
});
