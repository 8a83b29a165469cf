/**
 * `<crm-notification-center>` on a touch screen, where nothing hovers: a finger on a toast holds
 * every countdown while it is down and after it lifts, until a touch elsewhere; the time of day,
 * which a pointer gets in the time's tooltip, follows each relative time. Real touch events through CDP,
 * so the pointer events are the browser's own. In a file of its own: the touch device it
 * emulates would change the other files' pages.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { accessibleNames } from '../../helpers/accessibility-tree.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { expectAccessible } from '../../helpers/settled.js';
import { center, itemsOf, mountCenter, toastTitles, toastsOf, type Mounted } from './fixture.js';

afterEach(async () => {
  await executeServerCommand('lift');
  await executeServerCommand('touch-device', { active: false });
  closeFakeConnections();
});

const paused = (m: Mounted) => m.root.querySelector('.toasts')!.hasAttribute('data-paused');

/** Let the manual clock run `ms`, then the element render what it did. */
async function wait(m: Mounted, ms: number) {
  await m.clock.advance(ms);
  await m.settle();
}

describe('crm-notification-center on a touch screen', () => {
  it('a finger on a toast holds it, lifted too, until a touch elsewhere; then the time left runs', async () => {
    await executeServerCommand('touch-device', { active: true });
    const m = await mountCenter();
    await m.notify({ title: 'Held' });
    await wait(m, 3000);
    const [x, y] = center(toastsOf(m.root)[0]!);
    // Down on the toast and drawn a little (no tap, so the toast is not opened), still down.
    await executeServerCommand('swipe', { x, y, toY: y - 40, hold: true });
    await m.settle();
    expect(paused(m), 'paused while the finger is down').to.equal(true);
    await wait(m, 60_000);
    expect(toastTitles(m.root)).to.deep.equal(['Held']);

    await executeServerCommand('lift');
    await m.settle();
    await wait(m, 60_000);
    expect(toastTitles(m.root), 'still there once the finger lifts').to.deep.equal(['Held']);
    expect(paused(m)).to.equal(true);

    // A touch on the toast again keeps the hold.
    await executeServerCommand('swipe', { x, y, toY: y - 40 });
    await wait(m, 60_000);
    expect(toastTitles(m.root)).to.deep.equal(['Held']);

    await executeServerCommand('tap', { x: 5, y: 5 });
    await waitUntil(() => !paused(m), 'a tap elsewhere lets the countdown run');
    await wait(m, 1999);
    expect(toastTitles(m.root)).to.deep.equal(['Held']);
    await wait(m, 1);
    expect(toastTitles(m.root), 'gone with the time it had left').to.deep.equal([]);
  });

  it('a hold ends with the last toast: the next one counts down untouched', async () => {
    await executeServerCommand('touch-device', { active: true });
    const m = await mountCenter();
    await m.notify({ title: 'First' });
    const [x, y] = center(toastsOf(m.root)[0]!);
    await executeServerCommand('swipe', { x, y, toY: y - 40 });
    await m.settle();
    expect(paused(m)).to.equal(true);
    m.root.querySelector<HTMLButtonElement>('.toast .dismiss')!.click();
    await m.settle();
    await m.notify({ title: 'Second' });
    expect(paused(m)).to.equal(false);
    await wait(m, 5000);
    expect(toastTitles(m.root)).to.deep.equal([]);
  });

  it('a mouse press on a toast holds nothing once the pointer has left', async () => {
    const m = await mountCenter();
    await m.notify({ title: 'Clicked' });
    const toast = toastsOf(m.root)[0]!;
    toast.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, pointerType: 'mouse' }));
    await m.settle();
    await wait(m, 5000);
    expect(toastTitles(m.root)).to.deep.equal([]);
  });

  it("each time says its time of day, which a pointer gets in the time's tooltip", async () => {
    await executeServerCommand('touch-device', { active: true });
    expect(matchMedia('(hover: none)').matches, 'a touch device').to.equal(true);
    const m = await mountCenter({ seed: 2 });
    const shows = (time: HTMLTimeElement | null | undefined) => {
      const clock = new Intl.DateTimeFormat('en', { timeStyle: 'short' }).format(
        new Date(time!.dateTime),
      );
      expect(time!.title, 'the tooltip has it too').to.contain(clock);
      expect(getComputedStyle(time!, '::after').content).to.equal(JSON.stringify(` · ${clock}`));
    };
    await m.notify({ title: 'Live' });
    shows(toastsOf(m.root)[0]?.querySelector('time'));
    await m.open();
    expect(itemsOf(m.root)).to.have.length(3);
    for (const item of itemsOf(m.root)) shows(item.querySelector('time'));
  });
});

describe('crm-notification-center mark-read="item" on a touch screen', () => {
  it('the "mark read" dot says so beside it, which a pointer gets as its tooltip; its name stays whole', async () => {
    await executeServerCommand('touch-device', { active: true });
    expect(matchMedia('(pointer: coarse)').matches, 'a touch device').to.equal(true);
    const m = await mountCenter({ seed: 2, attrs: { 'mark-read': 'item' } });
    await m.open();
    const [item] = itemsOf(m.root);
    const button = item!.querySelector<HTMLButtonElement>('.mark-read')!;
    const words = button.querySelector('.mark-text');
    expect(words?.checkVisibility() ?? false, 'the words are shown').to.equal(true);
    expect(words!.textContent).to.equal('Mark as read');
    expect(button.title.startsWith(words!.textContent!), 'the name starts with them').to.equal(
      true,
    );
    // Beside the text, not over it.
    const title = item!.querySelector('.title')!.getBoundingClientRect();
    const box = button.getBoundingClientRect();
    expect(box.left >= title.right - 0.5 || box.right <= title.left + 0.5).to.equal(true);
    expect(button.scrollWidth, 'the words fit').to.be.at.most(button.clientWidth);
    // Named by its title (the shown words are hidden from screen readers), once.
    const names = (await accessibleNames()).filter((n) => n.role === 'button');
    const named = names.filter((n) => n.name.startsWith('Mark as read'));
    expect(named.map((n) => n.name)).to.deep.equal(
      [...m.root.querySelectorAll<HTMLButtonElement>('.mark-read')].map((b) => b.title),
    );
    await expectAccessible(m.el);
  });
});
