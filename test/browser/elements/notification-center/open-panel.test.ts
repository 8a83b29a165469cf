/**
 * `<crm-notification-center>` with its panel open: what arrives goes into the panel and is
 * announced, never drawn as a toast over it; toasts on screen when it opens go at once; closing it
 * replays nothing; and no toast's box ever intersects the open panel's.
 */
import { expect } from '@open-wc/testing';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import type { CrmNotificationCenter } from '../../../../src/elements/notification-center/crm-notification-center.js';
import {
  badgeOf,
  focusedName,
  finishAnimations,
  isOpen,
  itemTitles,
  itemsOf,
  mountCenter,
  nextToggle,
  panelOf,
  recordSpoken,
  toastTitles,
  toastsOf,
  type Mounted,
} from './fixture.js';
import { expectAccessible } from '../../helpers/settled.js';

afterEach(() => closeFakeConnections());

/** Every toast node, those animating out included: anything a toast could draw. */
const allToasts = (root: ShadowRoot) => [...root.querySelectorAll<HTMLElement>('.toast')];

/** Whether two boxes share any area. */
const intersects = (a: DOMRect, b: DOMRect) =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** The boxes of every toast that intersect the open panel's. */
function overlapping(m: Mounted): string[] {
  const panel = panelOf(m.root).getBoundingClientRect();
  return allToasts(m.root)
    .filter((t) => intersects(t.getBoundingClientRect(), panel))
    .map((t) => t.querySelector('.title')!.textContent!.trim());
}

async function close(m: Mounted): Promise<void> {
  const toggled = nextToggle(panelOf(m.root));
  m.el.hide();
  await toggled;
  await m.settle();
}

describe('crm-notification-center with the panel open', () => {
  it('a notification that arrives goes into the panel, shown as new, and makes no toast', async () => {
    const m = await mountCenter({ seed: 2, unread: 0 });
    await m.open();
    await m.notify({ title: 'Deal won', type: 'success' });
    expect(allToasts(m.root)).to.have.length(0);
    expect(m.el.toastsShown).to.deep.equal([]);
    expect(itemTitles(m.root)[0]).to.equal('Deal won');
    expect(itemsOf(m.root)[0]!.hasAttribute('data-unread')).to.equal(true);
    // mark-read="open": the panel showed it, so it is read; the bell rang all the same.
    expect(m.el.unread).to.equal(0);
  });

  it('it is announced once, politely, or assertively when urgent, by text no one sees', async () => {
    const m = await mountCenter({ attrs: { 'mark-read': 'item' } });
    await m.open();
    const spoken = recordSpoken(m.root);
    await m.notify({ title: 'FYI', message: 'Some detail', type: 'warning' });
    await m.notify({ title: 'Now!', type: 'error', priority: 'urgent' });
    await m.clock.advance(60_000);
    await m.settle();
    const [fyi, now] = [spoken.of('FYI'), spoken.of('Now!')];
    expect(fyi.map((h) => h.live)).to.deep.equal(['polite']);
    expect(now.map((h) => h.live)).to.deep.equal(['assertive']);
    // The words a toast is announced with: type, priority, title, message.
    expect(fyi[0]!.text).to.equal('Warning: FYI. Some detail');
    expect(now[0]!.text).to.equal('Error, Urgent: Now!');
    for (const region of m.root.querySelectorAll<HTMLElement>('[aria-live]')) {
      const box = region.getBoundingClientRect();
      expect(box.width * box.height).to.be.at.most(1);
      expect(region.querySelector('a, button, [tabindex]')).to.equal(null);
    }
    // Closing the panel says nothing more: they were heard once.
    await close(m);
    await finishAnimations(m);
    await m.clock.advance(60_000);
    await m.settle();
    expect(spoken.of('FYI')).to.have.length(1);
    expect(spoken.of('Now!')).to.have.length(1);
    spoken.stop();
  });

  it('toasts on screen when it opens go at once, urgent ones too, and stay in the panel unread', async () => {
    const m = await mountCenter({ attrs: { 'mark-read': 'item', 'auto-hide-duration': '0' } });
    await m.notify({ title: 'Earlier' });
    await m.notify({ title: 'Pager', priority: 'urgent', type: 'error' });
    expect(toastTitles(m.root).sort()).to.deep.equal(['Earlier', 'Pager']);
    await m.open();
    // Gone, not fading out over the panel.
    expect(allToasts(m.root)).to.have.length(0);
    expect(itemTitles(m.root)).to.deep.equal(['Pager', 'Earlier']);
    expect(m.el.unread).to.equal(2);
    await close(m);
    await m.clock.advance(600_000);
    await m.settle();
    expect(allToasts(m.root)).to.have.length(0);
  });

  it('closing it replays no toast of what arrived while it was open; later ones toast again', async () => {
    const m = await mountCenter({ attrs: { 'mark-read': 'item', 'auto-hide-duration': '0' } });
    await m.open();
    await m.notify({ title: 'While open' });
    await m.notify({ title: 'Urgent while open', priority: 'urgent' });
    await close(m);
    await finishAnimations(m);
    expect(isOpen(m.root)).to.equal(false);
    expect(allToasts(m.root)).to.have.length(0);
    // Still there to find: in the badge and the history.
    expect(badgeOf(m.root).textContent!.trim()).to.equal('2');
    expect(m.el.items.map((n) => n.title)).to.deep.equal(['Urgent while open', 'While open']);
    // The panel closed, the next one toasts as before, announced in the polite region (after
    // those that arrived while it was open were).
    await m.clock.advance(1000);
    const spoken = recordSpoken(m.root);
    await m.notify({ title: 'After closing' });
    expect(toastTitles(m.root)).to.deep.equal(['After closing']);
    await m.clock.advance(1000);
    await m.settle();
    expect(spoken.of('After closing').map((h) => h.live)).to.deep.equal(['polite']);
    spoken.stop();
  });

  it('no toast box ever intersects the open panel, where the toasts and the panel share a corner', async () => {
    // The bell in the top-end corner and the toasts there too: the panel opens right over them.
    const m = await mountCenter({
      attrs: { 'toast-position': 'top-end', 'auto-hide-duration': '0' },
    });
    Object.assign(m.el.style, { position: 'fixed', insetBlockStart: '0', insetInlineEnd: '0' });
    await m.notify({ title: 'Before', message: 'A line long enough to reach under the bell.' });
    await m.notify({ title: 'Urgent before', priority: 'urgent' });
    expect(toastsOf(m.root)).to.have.length(2);
    await m.open();
    expect(overlapping(m)).to.deep.equal([]);
    await m.notify({ title: 'During', message: 'Arrives with the panel open.' });
    await m.notify({ title: 'Urgent during', priority: 'urgent' });
    expect(overlapping(m)).to.deep.equal([]);
    await finishAnimations(m);
    expect(isOpen(m.root)).to.equal(true);
    expect(overlapping(m)).to.deep.equal([]);
    expect(allToasts(m.root)).to.have.length(0);
  });

  it('passes axe with a notification announced while it is open', async () => {
    const m = await mountCenter({ seed: 3 });
    await m.open();
    await m.notify({ title: 'Arrived', type: 'success', priority: 'high' });
    await finishAnimations(m);
    expect(allToasts(m.root)).to.have.length(0);
    await expectAccessible(m.el);
  });
});

describe('crm-notification-center: show() and hide() as it mounts', () => {
  it('show() called before the first render opens the panel once it is drawn', async () => {
    const m = await mountCenter({ seed: 2, mounted: (el) => el.show() });
    expect(isOpen(m.root)).to.equal(true);
    expect(itemsOf(m.root)).to.have.length(2);
  });

  it('hide() after such a show(), before the first render, leaves it closed', async () => {
    const m = await mountCenter({
      seed: 2,
      mounted: (el) => {
        el.show();
        el.hide();
      },
    });
    expect(isOpen(m.root)).to.equal(false);
  });
});

describe('crm-notification-center: show() while it is out of the page', () => {
  it('show() while it is removed neither throws nor is lost: it opens when put back', async () => {
    const m = await mountCenter({ seed: 2 });
    m.el.remove();
    expect(() => m.el.show()).not.to.throw();
    expect(m.el.open).to.equal(false);
    const toggled = nextToggle(panelOf(m.root));
    m.provider.append(m.el);
    await toggled;
    await m.settle();
    expect(isOpen(m.root)).to.equal(true);
    expect(m.el.open).to.equal(true);
    expect(itemsOf(m.root)).to.have.length(2);
  });

  it('show() as it mounts, taken out before its first render: it opens when put back', async () => {
    let taken: CrmNotificationCenter | undefined;
    const m = await mountCenter({
      seed: 2,
      mounted: (el) => {
        el.show();
        el.remove();
        taken = el;
      },
    });
    expect(taken!.hasUpdated, 'rendered while out of the page').to.equal(true);
    expect(isOpen(m.root)).to.equal(false);
    m.provider.append(m.el);
    await m.settle();
    expect(isOpen(m.root)).to.equal(true);
  });

  it('hide() while it is removed cancels a show() made then', async () => {
    const m = await mountCenter({ seed: 2 });
    m.el.remove();
    m.el.show();
    m.el.hide();
    m.provider.append(m.el);
    await m.settle();
    expect(isOpen(m.root)).to.equal(false);
  });

  it('show() many times as it mounts opens it once, the focus on the first item', async () => {
    let toggles = 0;
    const m = await mountCenter({
      seed: 2,
      mounted: (el) => {
        el.shadowRoot!.addEventListener(
          'toggle',
          (e) => {
            const panel = (e.target as HTMLElement).id === 'panel';
            if (panel && (e as ToggleEvent).newState === 'open') toggles++;
          },
          true,
        );
        for (let i = 0; i < 5; i++) el.show();
      },
    });
    expect(isOpen(m.root)).to.equal(true);
    expect(m.el.open).to.equal(true);
    expect(itemsOf(m.root)).to.have.length(2);
    expect(toggles).to.equal(1);
    expect(focusedName(m.root)).to.match(/^\S+ /);
  });
});

describe('crm-notification-center: show() and hide() before it is put in the page', () => {
  it('show() on an element not yet in the page does not throw; it opens once put there', async () => {
    const m = await mountCenter({ seed: 2 });
    const el = document.createElement('crm-notification-center');
    expect(() => el.show()).not.to.throw();
    m.provider.append(el);
    await m.settle();
    await el.updateComplete;
    expect(isOpen(el.shadowRoot!)).to.equal(true);
  });

  it('hide() on an element not yet in the page does not throw, and cancels a show()', async () => {
    const m = await mountCenter({ seed: 2 });
    const el = document.createElement('crm-notification-center');
    el.show();
    expect(() => el.hide()).not.to.throw();
    m.provider.append(el);
    await m.settle();
    await el.updateComplete;
    expect(isOpen(el.shadowRoot!)).to.equal(false);
  });
});
