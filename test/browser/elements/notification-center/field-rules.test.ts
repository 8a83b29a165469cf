/**
 * When the user's field rules change on an open page (the server sends `entity.rules-changed`),
 * what `<crm-notification-center>` already shows follows them in place: a toast and a panel item
 * whose entity is named by a field hidden now lose that name, and get it back when it is shown
 * again. Nothing is toasted or announced again, and the read state stays.
 */
import { expect } from '@open-wc/testing';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { ME, mountCenter, recordSpoken, toastsOf } from './fixture.js';

afterEach(() => closeFakeConnections());

const entityText = (el: Element) => el.querySelector('[part$="-entity"]')?.textContent?.trim();

describe('crm-notification-center when field rules change', () => {
  it('renames the entity of a toast and a listed item in place, toasting nothing again', async () => {
    const m = await mountCenter({
      attrs: { 'auto-hide-duration': '0', 'entity-link-template': '/c/{id}' },
    });
    let hidden: string[] = [];
    m.server.entities.hiddenFields = (user, type) =>
      user.id === ME && type === 'customer' ? hidden : [];
    const spoken = recordSpoken(m.root);
    await m.notify({ title: 'Renewal due', entity: { type: 'customer', id: '42', label: 'Acme' } });
    await m.clock.advance(1000);
    await m.settle();
    const [toast] = toastsOf(m.root);
    expect(entityText(toast!)).to.equal('Acme');
    const heard = spoken.heard.length;

    hidden = ['company'];
    m.server.permissionsChanged(ME, ['customer']);
    await m.settle();
    expect(toastsOf(m.root)).to.have.length(1);
    expect(toastsOf(m.root)[0], 'the same toast').to.equal(toast);
    expect(entityText(toast!)).to.not.contain('Acme');
    expect(m.el.items[0]!.entity).to.deep.equal({ type: 'customer', id: '42' });
    expect(m.el.items[0]!.read).to.equal(false);

    hidden = [];
    m.server.permissionsChanged(ME, ['customer']);
    await m.settle();
    expect(entityText(toast!)).to.equal('Acme');
    await m.open();
    const item = m.root.querySelector('[part~="item"]')!;
    expect(entityText(item)).to.equal('Acme');
    await m.clock.advance(1000);
    await m.settle();
    expect(spoken.heard, 'nothing announced again').to.have.length(heard);
    spoken.stop();
  });
});
