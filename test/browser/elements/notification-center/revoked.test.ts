/**
 * When the user loses the right to read an entity on an open page (`permissions-changed`), the
 * notifications `<crm-notification-center>` shows about it go, live, from the toasts and the
 * panel, and no longer count as unread. Nothing is toasted or announced for it.
 */
import { expect } from '@open-wc/testing';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { badgeOf, ME, mountCenter, recordSpoken, toastsOf } from './fixture.js';

afterEach(() => closeFakeConnections());

describe('crm-notification-center when the user may no longer read an entity', () => {
  it('removes the notifications about it from the toasts, the panel and the unread count', async () => {
    let revoked = false;
    const m = await mountCenter({
      attrs: { 'auto-hide-duration': '0' },
      server: { authorize: (_user, room) => !(revoked && room === 'customer:42') },
    });
    const acme = { type: 'customer', id: '42', label: 'Acme' };
    const babbage = { type: 'customer', id: '7', label: 'Babbage' };
    await m.notify({ title: 'Acme renewal at risk', entity: acme });
    await m.notify({ title: 'Babbage call booked', entity: babbage });
    await m.notify({ title: 'Acme discount asked', entity: acme });
    await m.notify({ title: 'Hello' });
    await m.clock.advance(1000);
    await m.settle();
    expect(toastsOf(m.root)).to.have.length(4);
    expect(badgeOf(m.root).textContent!.trim()).to.equal('4');
    const spoken = recordSpoken(m.root);

    revoked = true;
    m.server.permissionsChanged(ME);
    await m.settle();
    expect(m.el.items.map((n) => n.title)).to.deep.equal(['Hello', 'Babbage call booked']);
    expect(m.el.unread).to.equal(2);
    expect(badgeOf(m.root).textContent!.trim()).to.equal('2');
    const toasts = toastsOf(m.root).map((t) => t.querySelector('.title')!.textContent!.trim());
    expect(toasts).to.have.members(['Hello', 'Babbage call booked']);
    await m.open();
    const panel = m.root.querySelector('.panel')!.textContent!;
    expect(panel).to.not.contain('Acme');
    await m.clock.advance(1000);
    await m.settle();
    expect(spoken.heard, 'nothing announced').to.deep.equal([]);
    spoken.stop();
  });
});
