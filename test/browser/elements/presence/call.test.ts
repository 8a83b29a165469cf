/**
 * `<crm-presence callable>`: "Start a call with the people here" fires a cancelable request, and
 * someone in the room's call reads "In a call".
 */
import { expect, oneEvent } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import type { CrmPresenceCallEvent } from '../../../../src/events/huddle-events.js';
import { personText } from '../../../../src/elements/presence/person-text.js';
import { defaultPresenceMessages } from '../../../../src/elements/presence/presence-messages.js';
import { messageContext } from '../../../../src/i18n.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { expectAccessible } from '../../helpers/settled.js';
import { ANA, BEN, CARL, ROOM, mountPresence, nextFrame } from './fixture.js';

describe('<crm-presence callable>', () => {
  afterEach(() => closeFakeConnections());

  it('offers no call button without the attribute, or when alone', async () => {
    const plain = await mountPresence({ people: [BEN] });
    expect(plain.root.querySelector('[part~="call"]')).to.equal(null);
    const alone = await mountPresence({ attrs: { 'room-id': ROOM, callable: '' } });
    expect(alone.root.querySelector('[part~="call"]')).to.equal(null);
  });

  it('"Start a call" fires a cancelable crm-presence-call naming the others', async () => {
    const m = await mountPresence({ attrs: { 'room-id': ROOM, callable: '' }, people: [BEN] });
    const button = m.root.querySelector<HTMLButtonElement>('[part~="call"]')!;
    expect(button.textContent!.trim()).to.equal('Start a call with the people here');
    await expectAccessible(m.el);
    const fired = oneEvent(m.el, 'crm-presence-call');
    m.el.addEventListener('crm-presence-call', (e) => e.preventDefault(), { once: true });
    button.click();
    const event = (await fired) as unknown as CrmPresenceCallEvent;
    expect(event.cancelable).to.equal(true);
    expect(event.room).to.equal(ROOM);
    expect(event.people.map((p) => p.user.id)).to.deep.equal([BEN.id]);
  });

  it('the row is as tall as the avatars, call button or not: it keeps its height when someone joins', async () => {
    // Small avatars (the button's text alone is taller) on a page with tall lines (the row must
    // not sit on the text baseline).
    const attrs = {
      'room-id': ROOM,
      callable: '',
      style: '--crm-presence-size: 1.5rem; line-height: 1.6',
    };
    const alone = await mountPresence({ attrs });
    const withBen = await mountPresence({ attrs, people: [BEN] });
    expect(withBen.root.querySelector('[part~="call"]')).to.exist;
    const height = (el: Element) => el.getBoundingClientRect().height;
    // The row is as tall as an avatar, as a page reserves it (--crm-presence-size).
    expect(height(alone.el)).to.equal(24);
    expect(height(withBen.el)).to.equal(24);
  });

  describe('in a narrow container', () => {
    /** The text's line boxes, each either wholly inside the button or wholly clipped away. */
    function textLayout(button: HTMLElement): { shown: number; spilled: number } {
      const box = button.getBoundingClientRect();
      const clips = getComputedStyle(button).overflowX !== 'visible';
      const rects: DOMRect[] = [];
      const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent!.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        rects.push(...range.getClientRects());
      }
      let shown = 0;
      let spilled = 0;
      for (const r of rects) {
        const inside =
          r.left >= box.left - 0.5 &&
          r.right <= box.right + 0.5 &&
          r.top >= box.top - 0.5 &&
          r.bottom <= box.bottom + 0.5;
        const outside = r.top >= box.bottom - 0.5 || r.bottom <= box.top + 0.5;
        if (inside) shown++;
        else if (!(clips && outside)) spilled++;
      }
      return { shown, spilled };
    }

    async function mountIn(width: string, people = [BEN, CARL]) {
      const m = await mountPresence({ attrs: { 'room-id': ROOM, callable: '' }, people });
      // A row such as a page header: a label, the avatars, the page's own button.
      m.provider.style.cssText = `display: flex; gap: 12px; align-items: center; inline-size: ${width}`;
      const label = document.createElement('span');
      label.textContent = 'Here';
      label.style.whiteSpace = 'nowrap';
      m.el.before(label);
      await nextFrame();
      return m;
    }

    it('the button shrinks to a round icon button, named in full, and nothing spills', async () => {
      const m = await mountIn('12rem');
      const button = m.root.querySelector<HTMLElement>('[part~="call"]')!;
      await expectAccessible(m.el);
      // No text out of the button (it wrapped out of the pill, one word a line, over the page).
      expect(textLayout(button)).to.deep.equal({ shown: 0, spilled: 0 });
      const box = button.getBoundingClientRect();
      // One line of avatars and the button: the row keeps the avatars' height.
      expect(m.el.getBoundingClientRect().height).to.equal(32);
      // Round: as wide as tall (not an empty pill as wide as the room left).
      expect([box.width, box.height]).to.deep.equal([32, 32]);
      // Nothing outside the row, nothing out of the button.
      expect(m.provider.scrollWidth).to.be.at.most(m.provider.clientWidth);
      expect(box.right).to.be.at.most(m.provider.getBoundingClientRect().right + 0.5);
      // The name is still the whole sentence (and its tooltip says it).
      expect(button.textContent!.trim()).to.equal('Start a call with the people here');
      expect(button.title).to.equal('Start a call with the people here');
    });

    it('a phone with three avatars: a round handset, a pill again once the window is wide', async () => {
      await setViewport({ width: 375, height: 640 });
      try {
        const m = await mountIn('100%', [ANA, BEN, CARL]);
        const button = m.root.querySelector<HTMLElement>('[part~="call"]')!;
        const size = () => {
          const { width, height } = button.getBoundingClientRect();
          return [width, height];
        };
        expect(size()).to.deep.equal([32, 32]);
        expect(textLayout(button)).to.deep.equal({ shown: 0, spilled: 0 });
        expect(m.provider.scrollWidth).to.be.at.most(m.provider.clientWidth);
        await setViewport({ width: 1000, height: 640 });
        await nextFrame();
        expect(textLayout(button)).to.deep.equal({ shown: 1, spilled: 0 });
        expect(size()[0]).to.be.above(200);
        await setViewport({ width: 320, height: 640 });
        await nextFrame();
        expect(size()).to.deep.equal([32, 32]);
      } finally {
        await setViewport({ width: 800, height: 600 });
      }
    });

    it('with room, the label shows on one line in the pill', async () => {
      const m = await mountIn('40rem');
      const button = m.root.querySelector<HTMLElement>('[part~="call"]')!;
      expect(button.getBoundingClientRect().height).to.equal(32);
      expect(textLayout(button)).to.deep.equal({ shown: 1, spilled: 0 });
    });
  });

  it('someone in the call reads "In a call" unless they edit a field', () => {
    const c = messageContext('en');
    const person = {
      user: BEN,
      status: 'online' as const,
      activity: { kind: 'viewing' as const },
      connections: 1,
      devices: 1,
      since: 0,
      updatedAt: 0,
      inCall: true,
    };
    expect(personText(person, false, defaultPresenceMessages, c).label).to.equal(
      'Ben Lee: Online, In a call',
    );
    const editing = { ...person, activity: { kind: 'editing' as const, field: 'email' } };
    // The field isolated (U+2068 … U+2069) where it is drawn, as everywhere it goes into a sentence.
    expect(personText(editing, false, defaultPresenceMessages, c).doing).to.equal(
      'Editing \u2068Email\u2069',
    );
  });
});
