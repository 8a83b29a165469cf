/**
 * `<crm-notification-center>` by keyboard, one `describe` per key: the bell opens the panel on
 * Enter, Space and ArrowDown (ArrowUp: from the end), arrows and Home/End move between items,
 * Enter opens an item, Escape closes and returns to the bell (and dismisses a toast), Tab leaves
 * and closes, Shift+Tab back to the bell closes, Alt+Shift+N goes to the toasts and back.
 */
import { expect } from '@open-wc/testing';
import { resetMouse, sendKeys, sendMouse } from '@web/test-runner-commands';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import {
  bellOf,
  center,
  focused,
  focusedName,
  isOpen,
  itemsOf,
  mountCenter,
  nextToggle,
  panelOf,
  toastTitles,
  type Mounted,
} from './fixture.js';

afterEach(async () => {
  closeFakeConnections();
  await resetMouse();
});

/** A button in the page, after the provider, focused: where someone was working. */
function pageButton(m: Mounted, text = 'Save'): HTMLButtonElement {
  const button = document.createElement('button');
  button.textContent = text;
  m.provider.after(button);
  button.focus();
  return button;
}

/** Press a key with modifiers held (`sendKeys` presses one key at a time). */
async function chord(modifiers: string[], key: string): Promise<void> {
  for (const modifier of modifiers) await sendKeys({ down: modifier });
  await sendKeys({ press: key });
  for (const modifier of [...modifiers].reverse()) await sendKeys({ up: modifier });
}

/** The focused item's index in the panel, or -1. */
const focusedItem = (m: Mounted) => itemsOf(m.root).indexOf(focused(m.root)!);

/** Mount with history, focus the bell, press `key`, wait for the panel. */
async function openWith(key: string, seed = 5): Promise<Mounted> {
  const m = await mountCenter({ seed });
  bellOf(m.root).focus();
  const toggled = nextToggle(panelOf(m.root));
  await sendKeys({ press: key });
  await toggled;
  await m.settle();
  return m;
}

describe('crm-notification-center keyboard', () => {
  describe('Enter on the bell', () => {
    it('opens the panel and focuses the first item', async () => {
      const m = await openWith('Enter');
      expect(isOpen(m.root)).to.equal(true);
      expect(bellOf(m.root).getAttribute('aria-expanded')).to.equal('true');
      expect(focusedItem(m)).to.equal(0);
    });

    it('with nothing to show, focuses the panel itself', async () => {
      const m = await openWith('Enter', 0);
      expect(focused(m.root)).to.equal(panelOf(m.root));
    });
  });

  describe('Space on the bell', () => {
    it('opens the panel and focuses the first item', async () => {
      const m = await openWith(' ');
      expect(isOpen(m.root)).to.equal(true);
      expect(focusedItem(m)).to.equal(0);
    });
  });

  describe('ArrowDown', () => {
    it('on the bell opens the panel on the first item', async () => {
      const m = await openWith('ArrowDown');
      expect(isOpen(m.root)).to.equal(true);
      expect(focusedItem(m)).to.equal(0);
    });

    it('moves to the next item and stops at the last', async () => {
      const m = await openWith('Enter', 3);
      await sendKeys({ press: 'ArrowDown' });
      expect(focusedItem(m)).to.equal(1);
      await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'ArrowDown' });
      expect(focusedItem(m)).to.equal(2);
    });

    it('keeps one Tab stop in the list, on the item last focused', async () => {
      const m = await openWith('Enter', 3);
      await sendKeys({ press: 'ArrowDown' });
      const tabbable = itemsOf(m.root).map((i) => i.tabIndex);
      expect(tabbable).to.deep.equal([-1, 0, -1]);
    });

    it('on the last item loads the next page', async () => {
      const m = await mountCenter({ seed: 60, unread: 0, attrs: { 'max-notifications': '10' } });
      bellOf(m.root).focus();
      const toggled = nextToggle(panelOf(m.root));
      await sendKeys({ press: 'Enter' });
      await toggled;
      await m.settle();
      await sendKeys({ press: 'End' });
      await m.settle();
      expect(itemsOf(m.root).length).to.equal(20);
      expect(focusedItem(m)).to.equal(9);
      await sendKeys({ press: 'ArrowDown' });
      expect(focusedItem(m)).to.equal(10);
    });
  });

  describe('ArrowUp', () => {
    it('on the bell opens the panel on the last item', async () => {
      const m = await openWith('ArrowUp', 4);
      expect(focusedItem(m)).to.equal(3);
    });

    it('moves to the previous item and stops at the first', async () => {
      const m = await openWith('Enter', 3);
      await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'ArrowUp' });
      expect(focusedItem(m)).to.equal(1);
      await sendKeys({ press: 'ArrowUp' });
      await sendKeys({ press: 'ArrowUp' });
      expect(focusedItem(m)).to.equal(0);
    });
  });

  describe('Home and End', () => {
    it('go to the first and the last item', async () => {
      const m = await openWith('Enter', 6);
      await sendKeys({ press: 'End' });
      expect(focusedItem(m)).to.equal(5);
      await sendKeys({ press: 'Home' });
      expect(focusedItem(m)).to.equal(0);
    });
  });

  describe('Enter on an item', () => {
    it('opens it: the open event, and it is read', async () => {
      const m = await mountCenter({ seed: 3, attrs: { 'mark-read': 'item' } });
      bellOf(m.root).focus();
      const toggled = nextToggle(panelOf(m.root));
      await sendKeys({ press: 'Enter' });
      await toggled;
      await m.settle();
      await sendKeys({ press: 'ArrowDown' });
      let opened = '';
      m.el.addEventListener('crm-notification-open', (e) => (opened = e.notification.id));
      await sendKeys({ press: 'Enter' });
      await m.settle();
      expect(opened).to.equal(m.el.items[1]!.id);
      expect(m.el.items[1]!.read).to.equal(true);
    });
  });

  describe('Escape', () => {
    it('closes the panel and returns the focus to the bell', async () => {
      const m = await openWith('Enter');
      await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'Escape' });
      await m.settle();
      expect(isOpen(m.root)).to.equal(false);
      expect(bellOf(m.root).getAttribute('aria-expanded')).to.equal('false');
      expect(focused(m.root)).to.equal(bellOf(m.root));
    });

    it('does not reach the page (a dialog around it stays open)', async () => {
      const m = await openWith('Enter');
      let escaped = false;
      document.addEventListener('keydown', (e) => (escaped = e.key === 'Escape'), { once: true });
      await sendKeys({ press: 'Escape' });
      expect(escaped).to.equal(false);
      expect(isOpen(m.root)).to.equal(false);
    });
  });

  describe('Tab', () => {
    it('from an item goes on to its links and buttons', async () => {
      const m = await mountCenter({ attrs: { 'entity-link-template': '/c/{id}' } });
      await m.notify({ title: 'Linked', entity: { type: 'customer', id: '1', label: 'Acme' } });
      bellOf(m.root).focus();
      const toggled = nextToggle(panelOf(m.root));
      await sendKeys({ press: 'Enter' });
      await toggled;
      await m.settle();
      await sendKeys({ press: 'Tab' });
      expect(focused(m.root)?.classList.contains('entity')).to.equal(true);
    });

    it("only the current item's links and buttons are Tab stops, following the item", async () => {
      const m = await mountCenter({
        attrs: { 'entity-link-template': '/c/{id}', 'mark-read': 'item' },
      });
      for (const id of ['1', '2', '3']) {
        await m.notify({ title: `Linked ${id}`, entity: { type: 'customer', id, label: id } });
      }
      bellOf(m.root).focus();
      const toggled = nextToggle(panelOf(m.root));
      await sendKeys({ press: 'Enter' });
      await toggled;
      await m.settle();
      /** Per item: "<item tabindex> <tabindex of each link and button in it>". */
      const stops = () =>
        itemsOf(m.root).map((item) =>
          [item, ...item.querySelectorAll<HTMLElement>('a, button')]
            .map((el) => el.tabIndex)
            .join(' '),
        );
      expect(stops()).to.deep.equal(['0 0 0', '-1 -1 -1', '-1 -1 -1']);
      await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'ArrowDown' });
      await m.settle();
      expect(stops()).to.deep.equal(['-1 -1 -1', '-1 -1 -1', '0 0 0']);
      const after = document.createElement('button');
      after.textContent = 'After';
      m.provider.after(after);
      // The third item, its link, its "mark read" button, then out of the panel.
      await sendKeys({ press: 'Tab' });
      expect(focused(m.root)?.classList.contains('entity')).to.equal(true);
      await sendKeys({ press: 'Tab' });
      expect(focused(m.root)?.classList.contains('mark-read')).to.equal(true);
      expect(focused(m.root)?.closest('.item')).to.equal(itemsOf(m.root)[2]);
      await sendKeys({ press: 'Tab' });
      await m.settle();
      expect(document.activeElement).to.equal(after);
      after.remove();
    });

    it("a link focused in another item makes that item the list's Tab stop", async () => {
      const m = await mountCenter({ attrs: { 'entity-link-template': '/c/{id}' } });
      for (const id of ['1', '2']) {
        await m.notify({ title: `Linked ${id}`, entity: { type: 'customer', id, label: id } });
      }
      await m.open();
      itemsOf(m.root)[1]!.querySelector<HTMLElement>('a')!.focus();
      await m.settle();
      const tabIndexes = itemsOf(m.root).map((item) => [
        item.tabIndex,
        item.querySelector<HTMLElement>('a')!.tabIndex,
      ]);
      expect(tabIndexes).to.deep.equal([
        [-1, -1],
        [0, 0],
      ]);
    });

    it('leaving the panel closes it, and the focus moves on through the page', async () => {
      const m = await openWith('Enter', 1);
      const after = document.createElement('button');
      after.textContent = 'After';
      m.provider.after(after);
      // The item has no links or buttons: one Tab leaves the panel.
      await sendKeys({ press: 'Tab' });
      await m.settle();
      expect(document.activeElement).to.equal(after);
      expect(isOpen(m.root)).to.equal(false);
      expect(bellOf(m.root).getAttribute('aria-expanded')).to.equal('false');
      after.remove();
    });

    it('Shift+Tab from the first item reaches "Mark all as read"', async () => {
      const m = await mountCenter({ seed: 2, attrs: { 'mark-read': 'item' } });
      bellOf(m.root).focus();
      const toggled = nextToggle(panelOf(m.root));
      await sendKeys({ press: 'Enter' });
      await toggled;
      await m.settle();
      await sendKeys({ down: 'Shift' });
      await sendKeys({ press: 'Tab' });
      await sendKeys({ up: 'Shift' });
      expect(focused(m.root)?.classList.contains('mark-all')).to.equal(true);
      expect(isOpen(m.root)).to.equal(true);
    });
  });

  describe('Shift+Tab back to the bell', () => {
    it('closes the panel; the focus stays on the bell, and Enter opens it again', async () => {
      const m = await openWith('Enter', 2);
      // Everything was read on opening: no "mark all" before the list, the bell is next.
      const closed = nextToggle(panelOf(m.root));
      await chord(['Shift'], 'Tab');
      expect(isOpen(m.root)).to.equal(false);
      await closed;
      await m.settle();
      expect(focused(m.root)).to.equal(bellOf(m.root));
      expect(bellOf(m.root).getAttribute('aria-expanded')).to.equal('false');
      const opened = nextToggle(panelOf(m.root));
      await sendKeys({ press: 'Enter' });
      await opened;
      await m.settle();
      expect(isOpen(m.root)).to.equal(true);
      expect(focusedItem(m)).to.equal(0);
    });

    it('from "Mark all as read" too', async () => {
      const m = await mountCenter({ seed: 2, attrs: { 'mark-read': 'item' } });
      bellOf(m.root).focus();
      const opened = nextToggle(panelOf(m.root));
      await sendKeys({ press: 'Enter' });
      await opened;
      await m.settle();
      await chord(['Shift'], 'Tab');
      expect(focused(m.root)?.classList.contains('mark-all')).to.equal(true);
      const closed = nextToggle(panelOf(m.root));
      await chord(['Shift'], 'Tab');
      expect(isOpen(m.root)).to.equal(false);
      await closed;
      expect(focused(m.root)).to.equal(bellOf(m.root));
    });

    it('a click on the bell of an open panel still closes it (and does not reopen it)', async () => {
      const m = await mountCenter({ seed: 2 });
      let toggled = nextToggle(panelOf(m.root));
      await sendMouse({ type: 'click', position: center(bellOf(m.root)) });
      await toggled;
      await m.settle();
      expect(isOpen(m.root)).to.equal(true);
      expect(focusedItem(m)).to.equal(0);
      toggled = nextToggle(panelOf(m.root));
      await sendMouse({ type: 'click', position: center(bellOf(m.root)) });
      await toggled;
      await m.settle();
      expect(isOpen(m.root)).to.equal(false);
    });
  });

  describe('Alt+Shift+N', () => {
    it('brings the focus to the newest toast, and back to where it was', async () => {
      const m = await mountCenter({ attrs: { 'auto-hide-duration': '0' } });
      await m.notify({ title: 'Older' });
      await m.notify({ title: 'Newest' });
      const save = pageButton(m);
      await chord(['Alt', 'Shift'], 'KeyN');
      await m.settle();
      expect(focusedName(m.root)).to.equal('toast Newest');
      await chord(['Alt', 'Shift'], 'KeyN');
      expect(focusedName(m.root)).to.equal('page button Save');
      save.remove();
    });

    it('with no toast, goes to the bell', async () => {
      const m = await mountCenter();
      const save = pageButton(m);
      await chord(['Alt', 'Shift'], 'KeyN');
      expect(focusedName(m.root)).to.equal('bell');
      save.remove();
    });

    it('is left to the page when the page handles it, and to a center that shows toasts', async () => {
      const m = await mountCenter({ attrs: { 'no-toasts': '' } });
      const save = pageButton(m);
      await chord(['Alt', 'Shift'], 'KeyN');
      expect(focusedName(m.root)).to.equal('page button Save');
      expect(bellOf(m.root).hasAttribute('aria-keyshortcuts')).to.equal(false);
      m.el.noToasts = false;
      await m.settle();
      expect(bellOf(m.root).getAttribute('aria-keyshortcuts')).to.equal('Alt+Shift+N');
      save.addEventListener('keydown', (e) => e.preventDefault());
      await chord(['Alt', 'Shift'], 'KeyN');
      expect(focusedName(m.root)).to.equal('page button Save');
      save.remove();
    });
  });

  describe('Escape on a toast', () => {
    it('dismisses it; the last one gives the focus back to where Alt+Shift+N came from', async () => {
      const m = await mountCenter();
      await m.notify({ title: 'Pager', priority: 'urgent' });
      await m.notify({ title: 'Billing', priority: 'urgent' });
      const save = pageButton(m);
      await chord(['Alt', 'Shift'], 'KeyN');
      await m.settle();
      let escaped = false;
      document.addEventListener('keydown', (e) => (escaped = e.key === 'Escape'), { once: true });
      await sendKeys({ press: 'Escape' });
      await m.settle();
      expect(escaped).to.equal(false);
      expect(toastTitles(m.root)).to.deep.equal(['Pager']);
      expect(focusedName(m.root)).to.equal('toast Pager');
      await sendKeys({ press: 'Escape' });
      await m.settle();
      expect(toastTitles(m.root)).to.deep.equal([]);
      expect(focusedName(m.root)).to.equal('page button Save');
      // Dismissed is not read.
      expect(m.el.unread).to.equal(2);
      save.remove();
    });
  });
});
