/**
 * The focus and the toasts of `<crm-notification-center>`: a burst never pushes out the toast the
 * focus is in, and a toast that goes with the focus hands it on (next toast, then the bell)
 * instead of dropping it on the page's body.
 */
import { expect } from '@open-wc/testing';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import {
  ME,
  finishAnimations,
  focusedName,
  mountCenter,
  toastTitles,
  toastsOf,
} from './fixture.js';

afterEach(() => closeFakeConnections());

const entity = { type: 'customer', id: '42', label: 'Northwind' };

describe('crm-notification-center toasts and the focus', () => {
  it('a burst never pushes out the toast holding the focus, and the focus stays in it', async () => {
    const m = await mountCenter({ attrs: { 'entity-link-template': '/c/{id}' } });
    await m.notify({ title: 'Focused', entity });
    const link = toastsOf(m.root)[0]!.querySelector<HTMLElement>('a.entity')!;
    link.focus();
    for (let i = 1; i <= 6; i++) await m.notify({ title: `Burst ${i}`, entity });
    await finishAnimations(m);
    expect(focusedName(m.root)).to.equal('entity Focused');
    expect(link.matches(':focus')).to.equal(true);
    // Five shown: the focused one and the newest four, the others made room.
    expect(toastTitles(m.root)).to.deep.equal([
      'Focused',
      'Burst 3',
      'Burst 4',
      'Burst 5',
      'Burst 6',
    ]);
  });

  it('a focused urgent toast is not pushed out either, when only urgent ones are shown', async () => {
    const m = await mountCenter();
    for (let i = 1; i <= 5; i++) await m.notify({ title: `U${i}`, priority: 'urgent' });
    toastsOf(m.root)[0]!.focus();
    await m.notify({ title: 'U6', priority: 'urgent' });
    await finishAnimations(m);
    expect(focusedName(m.root)).to.equal('toast U1');
    expect(toastTitles(m.root)).to.deep.equal(['U1', 'U3', 'U4', 'U5', 'U6']);
  });

  it('a focused toast that goes (read in another tab) hands the focus to the next toast, then to the bell', async () => {
    const m = await mountCenter();
    const a = await m.notify({ title: 'A', priority: 'urgent' });
    const b = await m.notify({ title: 'B', priority: 'urgent' });
    toastsOf(m.root)[0]!.focus();
    m.server.notifications.markRead(ME, [a.id]);
    await m.settle();
    await finishAnimations(m);
    expect(focusedName(m.root)).to.equal('toast B');
    m.server.notifications.markRead(ME, [b.id]);
    await m.settle();
    await finishAnimations(m);
    expect(toastsOf(m.root)).to.have.length(0);
    expect(focusedName(m.root)).to.equal('bell');
  });

  it('dismissing the focused toast by its button moves the focus to its neighbour', async () => {
    const m = await mountCenter({ attrs: { 'auto-hide-duration': '0' } });
    for (const title of ['A', 'B', 'C']) await m.notify({ title });
    const dismiss = toastsOf(m.root)[1]!.querySelector<HTMLButtonElement>('.dismiss')!;
    dismiss.focus();
    dismiss.click();
    await m.settle();
    expect(focusedName(m.root)).to.equal('toast C');
  });
});
