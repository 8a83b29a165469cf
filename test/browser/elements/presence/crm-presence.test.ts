/**
 * `<crm-presence>` against the fake server: defaults, attributes, overflow, keyboard (one describe
 * per key), live arrivals and departures, batched announcements, safety of avatar URLs, cleanup on
 * removal, and axe in every state.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { emulateMedia, resetMouse, sendKeys, sendMouse } from '@web/test-runner-commands';
import { CrmPresence } from '../../../../src/elements/presence/crm-presence.js';
import type { CrmPresenceChangeEvent } from '../../../../src/events/presence-events.js';
import { DEMO_USER } from '../../../../src/testing/index.js';
import {
  closeFakeConnections,
  goReconnecting,
  recordWarnings,
  resetNoProviderWarning,
} from '../../helpers/fake-connection.js';
import {
  ANA,
  BEN,
  CARL,
  DANA,
  ROOM,
  avatarNames,
  avatars,
  crowd,
  finishAnimations,
  focusIn,
  liveRegion,
  mountPresence,
  nextToggle,
  overflowButton,
  panel,
} from './fixture.js';
import { accessibleNames } from '../../helpers/accessibility-tree.js';
import { expectAccessible } from '../../helpers/settled.js';
import { noUpdateAfterUpdate } from '../../helpers/lit-warnings.js';
import { drawnLeftToRight } from '../shared/reading-order.js';

/** `text` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE. */
const iso = (text: string) => `\u2068${text}\u2069`;

afterEach(async () => {
  closeFakeConnections();
  await emulateMedia({ reducedMotion: 'no-preference' });
});

noUpdateAfterUpdate('crm-presence');

describe('crm-presence', () => {
  describe('defaults', () => {
    it('has the documented defaults', () => {
      const el = new CrmPresence();
      expect(el.roomId).to.equal('');
      expect(el.showCurrentUser).to.equal(false);
      expect(el.maxVisible).to.equal(5);
      expect(el.position).to.equal(undefined);
    });

    it('follows the page when room-id is empty', async () => {
      const m = await mountPresence({ attrs: {} });
      const room = `page:${location.pathname.replace(/[^A-Za-z0-9_\-.:/@#]/g, '_')}`;
      expect(m.el.room).to.equal(room);
      expect(m.server.received('join').map((f) => f.room)).to.deep.equal([room]);
    });

    it('shows the other people, not the current user', async () => {
      const m = await mountPresence({ people: [ANA, BEN] });
      expect(avatarNames(m.root)).to.deep.equal(['Ana Ortiz', 'Ben Lee']);
      expect(m.el.people.map((p) => p.user.id)).to.include(DEMO_USER.id);
    });

    it('says so when nobody else is here', async () => {
      const m = await mountPresence();
      expect(avatars(m.root).length).to.equal(0);
      expect(m.root.querySelector('[part~="note"]')?.textContent).to.contain('Only you here');
    });
  });

  describe('properties and attributes', () => {
    it('room-id ↔ roomId, and a new room is followed', async () => {
      const m = await mountPresence({ people: [ANA] });
      expect(m.el.roomId).to.equal(ROOM);
      m.server.addPerson('customer:7', BEN);
      m.el.setAttribute('room-id', 'customer:7');
      await m.settle();
      expect(m.el.roomId).to.equal('customer:7');
      expect(avatarNames(m.root)).to.deep.equal(['Ben Lee']);
      expect(m.server.received('leave').map((f) => f.room)).to.deep.equal([ROOM]);
    });

    it('show-current-user ↔ showCurrentUser puts the current user first', async () => {
      const m = await mountPresence({ people: [ANA] });
      m.el.setAttribute('show-current-user', '');
      await m.settle();
      expect(m.el.showCurrentUser).to.equal(true);
      expect(avatarNames(m.root)).to.deep.equal([`${DEMO_USER.name} (You)`, 'Ana Ortiz']);
    });

    it('max-visible ↔ maxVisible', async () => {
      const m = await mountPresence({
        people: crowd(4),
        attrs: { 'room-id': ROOM, 'max-visible': '2' },
      });
      expect(m.el.maxVisible).to.equal(2);
      expect(avatars(m.root)).to.have.length(2);
      m.el.maxVisible = 3;
      await m.settle();
      expect(avatars(m.root)).to.have.length(3);
    });

    it('position is reflected, for CSS', async () => {
      const warnings = recordWarnings();
      try {
        const m = await mountPresence({ people: [ANA] });
        m.el.position = 'floating';
        await m.settle();
        expect(m.el.getAttribute('position')).to.equal('floating');
        expect(getComputedStyle(m.el).position).to.equal('fixed');
        m.el.setAttribute('position', 'top-right');
        await m.settle();
        expect(m.el.position).to.equal('top-right');
        m.el.removeAttribute('position');
        await m.settle();
        expect(getComputedStyle(m.el).position).to.equal('static');
        // Removed is inline, not a bad value to warn about.
        expect(warnings.messages.filter((w) => w.includes('position='))).to.deep.equal([]);
      } finally {
        warnings.restore();
      }
    });

    it('a room-id the client refuses warns once, shows no endless loading, and recovers', async () => {
      const warnings = recordWarnings();
      // What the console is given: an Error among them is shown with its whole stack trace.
      const given: unknown[][] = [];
      const record = console.warn;
      console.warn = (...args: unknown[]) => {
        given.push(args);
        record(...args);
      };
      try {
        const m = await mountPresence({
          people: [ANA],
          room: ROOM,
          attrs: { 'room-id': 'not a room!' },
        });
        m.el.requestUpdate();
        await m.settle();
        // Compared as markup: a failure then prints what is shown, not a live element.
        const shown = m.root.querySelector('[part~="base"]')!.outerHTML;
        expect(shown).to.not.contain('aria-busy');
        expect(shown).to.not.contain('skeleton');
        const said = warnings.messages.filter((w) => w.includes('not a room!'));
        expect(said).to.have.length(1);
        expect(said[0]).to.contain('<crm-presence> cannot follow room');
        // The reason in one line, not an error object with its stack trace.
        expect(given.flat().filter((arg) => typeof arg !== 'string')).to.deep.equal([]);
        m.el.roomId = ROOM;
        await m.settle();
        expect(avatarNames(m.root)).to.deep.equal(['Ana Ortiz']);
      } finally {
        warnings.restore();
      }
    });

    it('a bad max-visible warns once and falls back to 5', async () => {
      const warnings = recordWarnings();
      try {
        const m = await mountPresence({
          people: crowd(8),
          attrs: { 'room-id': ROOM, 'max-visible': 'lots' },
        });
        expect(avatars(m.root)).to.have.length(5);
        m.el.maxVisible = -1;
        await m.settle();
        m.el.requestUpdate();
        await m.settle();
        expect(avatars(m.root)).to.have.length(5);
        expect(warnings.messages.filter((w) => w.includes('max-visible="-1"'))).to.have.length(1);
        // As written, not as the number it failed to be.
        expect(warnings.messages.filter((w) => w.includes('max-visible="lots"'))).to.have.length(1);
        expect(warnings.messages.filter((w) => w.includes('NaN'))).to.deep.equal([]);
      } finally {
        warnings.restore();
      }
    });

    it('an unknown position warns and stays inline', async () => {
      const warnings = recordWarnings();
      try {
        const m = await mountPresence({ attrs: { 'room-id': ROOM, position: 'middle' } });
        expect(getComputedStyle(m.el).position).to.equal('static');
        expect(warnings.messages.some((w) => w.includes('position="middle"'))).to.equal(true);
      } finally {
        warnings.restore();
      }
    });
  });

  describe('people', () => {
    it('shows state with more than colour: label, status part and shape', async () => {
      const m = await mountPresence({ people: [[ANA, { status: 'away' }]] });
      const [avatar] = avatars(m.root);
      expect(avatar!.getAttribute('aria-label')).to.equal('Ana Ortiz: Away, Viewing');
      expect(avatar!.querySelectorAll('[part~="status-away"]').length).to.equal(1);
    });

    it('marks someone editing, with the field name', async () => {
      const m = await mountPresence({
        people: [[ANA, { activity: { kind: 'editing', field: 'email' } }]],
      });
      const [avatar] = avatars(m.root);
      expect(avatar!.querySelectorAll('[part~="editing"]').length).to.equal(1);
      expect(avatar!.getAttribute('aria-label')).to.contain('Editing Email');
    });

    it('shows one avatar for several tabs, and says how many', async () => {
      const m = await mountPresence({ people: [[BEN, { connections: 3, devices: 1 }]] });
      expect(avatars(m.root)).to.have.length(1);
      expect(avatars(m.root)[0]!.getAttribute('aria-label')).to.contain('3 tabs');
    });

    it('shows a picture for a safe URL and initials when it fails to load', async () => {
      const broken = 'data:image/png;base64,AAAA';
      const m = await mountPresence({ people: [ANA] });
      // The picture may fail before a test could look, so record every <img> that is rendered.
      const rendered: string[] = [];
      const failed = new Promise((resolve) => m.root.addEventListener('error', resolve, true));
      new MutationObserver((records) => {
        for (const r of records) {
          for (const node of r.addedNodes) {
            if (node instanceof HTMLElement) {
              const imgs = node.matches('img') ? [node] : [...node.querySelectorAll('img')];
              rendered.push(...imgs.map((img) => img.getAttribute('src')!));
            }
          }
        }
      }).observe(m.root, { childList: true, subtree: true });
      m.server.updatePerson(ROOM, ANA.id, { user: { ...ANA, avatarUrl: broken } });
      await m.settle();
      await failed;
      await m.settle();
      expect(rendered).to.deep.equal([broken]);
      expect(m.root.querySelectorAll('.list img').length).to.equal(0);
      expect(m.root.querySelector('[part~="initials"]')?.textContent).to.equal('AO');
    });

    it('never renders an unsafe avatar URL', async () => {
      const m = await mountPresence({ people: [ANA] });
      // A broken server bypasses validation; the client drops the frame, nothing reaches the DOM.
      m.server.sendRaw(
        JSON.stringify({
          type: 'presence.diff',
          room: ROOM,
          upsert: [
            {
              user: { id: 'u-evil', name: 'Eve', avatarUrl: 'javascript:alert(1)' },
              status: 'online',
              activity: { kind: 'viewing' },
              connections: 1,
              devices: 1,
              since: 1,
              updatedAt: 1,
            },
          ],
          remove: [],
        }),
      );
      await m.settle();
      expect(m.root.innerHTML).not.to.contain('javascript:');
      expect(m.root.querySelectorAll('img').length).to.equal(0);
      // And a URL the schema lets through but the browser cannot parse is not rendered either.
      m.server.addPerson(ROOM, { id: 'u-odd', name: 'Odd Url', avatarUrl: 'https://' });
      await m.settle();
      expect(m.root.querySelectorAll('img').length).to.equal(0);
      expect(avatarNames(m.root)).to.include('Odd Url');
    });
  });

  describe('field names: the labels people see on the form, not the keys', () => {
    /** The accessible name of the avatar of the person `id`. */
    const labelOf = (m: { root: ShadowRoot }, id: string) =>
      m.root.querySelector(`.list .avatar[data-id="${id}"]`)!.getAttribute('aria-label');

    const editing = (field: string) => ({ activity: { kind: 'editing' as const, field } });

    it("a customer's fields are named as the CRM's customer form labels them", async () => {
      const m = await mountPresence({ people: [[BEN, editing('name')]] });
      expect(labelOf(m, BEN.id)).to.equal('Ben Lee: Online, Editing Contact');
      for (const [field, label] of [
        ['nextStep', 'Next step'],
        ['value', 'Annual value (EUR)'],
      ]) {
        m.server.setPersonActivity(ROOM, BEN.id, editing(field!).activity);
        await m.settle();
        expect(labelOf(m, BEN.id)).to.equal(`Ben Lee: Online, Editing ${label}`);
      }
      // The tooltip, drawn, says the same, the label isolated from the sentence.
      avatars(m.root)[0]!.dispatchEvent(new PointerEvent('pointerenter'));
      await m.settle();
      expect(m.root.querySelector('[part~="tooltip"]')!.textContent).to.contain(
        `Editing ${iso('Annual value (EUR)')}`,
      );
    });

    it('a field no form label is known for is named in words', async () => {
      const m = await mountPresence({
        attrs: { 'room-id': 'deal:7' },
        people: [[BEN, editing('nextCallAt')]],
      });
      expect(labelOf(m, BEN.id)).to.equal('Ben Lee: Online, Editing Next call at');
    });

    it('fieldLabels names fields as the page does; a field it leaves out or blank, by default', async () => {
      const m = await mountPresence({
        people: [
          [BEN, editing('nextStep')],
          [ANA, editing('name')],
        ],
      });
      expect(m.el.fieldLabels).to.deep.equal({});
      m.el.fieldLabels = { nextStep: 'Follow-up', name: '  ' };
      await m.settle();
      expect(labelOf(m, BEN.id)).to.equal('Ben Lee: Online, Editing Follow-up');
      expect(labelOf(m, ANA.id)).to.equal('Ana Ortiz: Online, Editing Contact');
      // Only the page's own entries count: a field called `constructor` is not a function's text.
      m.server.setPersonActivity(ROOM, ANA.id, editing('constructor').activity);
      await m.settle();
      expect(labelOf(m, ANA.id)).to.equal('Ana Ortiz: Online, Editing Constructor');
    });

    it("the fieldName message names what fieldLabels leaves out, for the room's entity type", async () => {
      const m = await mountPresence({
        people: [
          [BEN, editing('email')],
          [ANA, editing('phone')],
        ],
      });
      const asked: (string | undefined)[] = [];
      m.el.messages = {
        fieldName: (field, _c, type) => {
          asked.push(type);
          return ({ email: 'E-Mail', phone: 'Telefon' } as Record<string, string>)[field] ?? field;
        },
      };
      m.el.fieldLabels = { phone: 'Mobil' };
      await m.settle();
      expect(labelOf(m, BEN.id)).to.equal('Ben Lee: Online, Editing E-Mail');
      expect(labelOf(m, ANA.id)).to.equal('Ana Ortiz: Online, Editing Mobil');
      expect(new Set(asked)).to.deep.equal(new Set(['customer']));
    });

    it('fieldLabels that is not an object warns once and names fields by default', async () => {
      const warnings = recordWarnings();
      try {
        const m = await mountPresence({ people: [[BEN, editing('name')]] });
        m.el.fieldLabels = 'Contact' as unknown as Record<string, string>;
        await m.settle();
        m.el.requestUpdate();
        await m.settle();
        expect(labelOf(m, BEN.id)).to.equal('Ben Lee: Online, Editing Contact');
        expect(warnings.messages.filter((w) => w.includes('fieldLabels'))).to.have.length(1);
      } finally {
        warnings.restore();
      }
    });
  });

  describe('overflow', () => {
    it('collapses the rest into "+N" with a label that says what it does', async () => {
      const m = await mountPresence({ people: crowd(8) });
      expect(avatars(m.root)).to.have.length(5);
      const button = overflowButton(m.root)!;
      expect(button.textContent!.trim()).to.equal('+3');
      expect(button.getAttribute('aria-label')).to.equal('3 more, show all 8 people');
      expect(button.getAttribute('aria-expanded')).to.equal('false');
    });

    it('counts the whole of a room larger than the server lists in "+N"', async () => {
      // 60 others and the viewer: the server lists the first 50 and says there are 61.
      const m = await mountPresence({ people: crowd(60) });
      expect(avatars(m.root)).to.have.length(5);
      const button = overflowButton(m.root)!;
      expect(button.textContent!.trim()).to.equal('+55');
      expect(button.getAttribute('aria-label')).to.equal('55 more, show all 60 people');
    });

    it('has no "+N" when everyone fits', async () => {
      const m = await mountPresence({ people: crowd(5) });
      expect(m.root.querySelectorAll('.overflow').length).to.equal(0);
    });

    it('opens a list of everyone with their state and tab count', async () => {
      const people = crowd(6);
      const m = await mountPresence({
        people: [...people.slice(0, 5), [people[5]!, { status: 'away', connections: 2 }]],
      });
      const toggled = nextToggle(panel(m.root)!);
      overflowButton(m.root)!.click();
      await toggled;
      await m.settle();
      expect(overflowButton(m.root)!.getAttribute('aria-expanded')).to.equal('true');
      const rows = [...panel(m.root)!.querySelectorAll('[part~="row"]')];
      expect(rows).to.have.length(6);
      expect(rows[5]!.getAttribute('aria-label')).to.equal('Person 6: Away, Viewing, 2 tabs');
      expect(rows[5]!.textContent).to.contain('2 tabs');
      expect(panel(m.root)!.querySelector('[part~="panel-heading"]')!.textContent).to.equal(
        '6 people here',
      );
    });

    it('is named in the words of its heading, not the capitals they are drawn in', async () => {
      const m = await mountPresence({ people: crowd(6) });
      const toggled = nextToggle(panel(m.root)!);
      overflowButton(m.root)!.click();
      await toggled;
      await m.settle();
      const heading = panel(m.root)!.querySelector('[part~="panel-heading"]')!;
      expect(getComputedStyle(heading).textTransform, 'the look is kept').to.equal('uppercase');
      const names = await accessibleNames();
      expect(names).to.deep.include({ role: 'group', name: '6 people here' });
      expect(names.filter(({ name }) => name.includes('PEOPLE'))).to.deep.equal([]);
    });
  });

  describe('names and fields written right to left, or with direction marks', () => {
    it('cannot turn the rest of the sentence around (a right-to-left override in them)', async () => {
      // U+202E RIGHT-TO-LEFT OVERRIDE: every character after it is drawn right to left, the
      // sentence's own words too, unless the name or field is isolated from them.
      const eve = { id: 'u-eve', name: 'Eve \u202Eevil' };
      const m = await mountPresence({
        user: eve,
        attrs: { 'room-id': ROOM, 'show-current-user': '', 'max-visible': '1' },
        people: [[BEN, { activity: { kind: 'editing', field: '\u202Eemail' }, connections: 2 }]],
      });
      const toggled = nextToggle(panel(m.root)!);
      overflowButton(m.root)!.click();
      await toggled;
      await m.settle();
      const [self, ben] = [...panel(m.root)!.querySelectorAll('[part~="row"]')];
      // "Eve evil" then "You"; "Online · Editing email · 2 tabs", each word the right way round.
      expect(drawnLeftToRight(self!, 'You')).to.equal(true);
      expect(drawnLeftToRight(ben!, '2 tabs')).to.equal(true);
      // The tooltip: "Eve evil (You)".
      avatars(m.root)[0]!.dispatchEvent(new PointerEvent('pointerenter'));
      await m.settle();
      expect(drawnLeftToRight(m.root.querySelector('[part~="tooltip"]')!, '(You)')).to.equal(true);
      // Spoken, the label stays plain text: pages and the end-to-end tests match on it.
      expect(self!.getAttribute('aria-label')).to.equal('Eve \u202Eevil (You): Online, Viewing');
    });

    it('a stray closing isolate in a name cannot end its isolation early', async () => {
      // U+2069 then U+202E: without balancing, the name's own U+2069 would close the isolate and
      // let the override that follows reach "(You)".
      const m = await mountPresence({
        user: { id: 'u-eve', name: 'Eve \u2069\u202Eevil' },
        attrs: { 'room-id': ROOM, 'show-current-user': '' },
        people: [BEN],
      });
      avatars(m.root)[0]!.dispatchEvent(new PointerEvent('pointerenter'));
      await m.settle();
      expect(drawnLeftToRight(m.root.querySelector('[part~="tooltip"]')!, '(You)')).to.equal(true);
    });
  });

  describe('the tooltip and the list of everyone load on first need', () => {
    const sheets = (m: { root: ShadowRoot }) => m.root.adoptedStyleSheets.length;

    it('a row nobody points at has not loaded them; a hover does, and shows the tooltip', async () => {
      const m = await mountPresence({ people: [ANA, BEN] });
      const before = sheets(m);
      expect(panel(m.root) === null, 'the list is not rendered yet').to.equal(true);
      expect(m.root.querySelector('[part~="tooltip"]')!.childElementCount).to.equal(0);
      avatars(m.root)[0]!.dispatchEvent(new PointerEvent('pointerenter'));
      await m.settle();
      expect(sheets(m)).to.be.above(before);
      const tooltip = m.root.querySelector<HTMLElement>('[part~="tooltip"]')!;
      expect(tooltip.matches(':popover-open')).to.equal(true);
      expect(getComputedStyle(tooltip).position).to.equal('fixed');
      expect(tooltip.textContent).to.contain('Ana Ortiz');
    });

    it('a pointer gone before they arrived shows no tooltip', async () => {
      const m = await mountPresence({ people: [ANA] });
      const avatar = avatars(m.root)[0]!;
      avatar.dispatchEvent(new PointerEvent('pointerenter'));
      avatar.dispatchEvent(new PointerEvent('pointerleave'));
      await m.settle();
      const tooltip = m.root.querySelector<HTMLElement>('[part~="tooltip"]')!;
      expect(tooltip.matches(':popover-open')).to.equal(false);
    });

    it('someone behind "+N" loads the list at once', async () => {
      const m = await mountPresence({ people: crowd(7) });
      expect(panel(m.root) !== null, 'the list is rendered').to.equal(true);
      expect(getComputedStyle(panel(m.root)!).position).to.equal('fixed');
    });

    it('a click on "+N" before the list arrived opens it once it is here', async () => {
      const m = await mountPresence({ people: crowd(5) });
      expect(panel(m.root) === null, 'the list is not rendered yet').to.equal(true);
      // The update that first shows "+N" fires this event; the list's code is still on its way.
      m.el.addEventListener(
        'crm-presence-change',
        () => {
          expect(panel(m.root) === null, 'the list is not rendered yet').to.equal(true);
          overflowButton(m.root)!.click();
        },
        { once: true },
      );
      m.server.addPerson(ROOM, DANA);
      await m.settle();
      await waitUntil(() => panel(m.root)?.matches(':popover-open'), 'the list did not open');
      expect(overflowButton(m.root)!.getAttribute('aria-expanded')).to.equal('true');
    });
  });

  describe('keyboard', () => {
    async function mountBetweenButtons(count: number) {
      const m = await mountPresence({ people: crowd(count) });
      const before = document.createElement('button');
      before.textContent = 'before';
      const after = document.createElement('button');
      after.textContent = 'after';
      m.provider.before(before);
      m.provider.after(after);
      return { ...m, before, after };
    }

    describe('Tab', () => {
      it('stops once on the avatars, once on "+N", then leaves', async () => {
        const m = await mountBetweenButtons(7);
        m.before.focus();
        await sendKeys({ press: 'Tab' });
        expect(focusIn(m)).to.equal('avatar:Person 1');
        await sendKeys({ press: 'Tab' });
        expect(focusIn(m)).to.equal('overflow');
        await sendKeys({ press: 'Tab' });
        expect(focusIn(m)).to.equal('button:after');
      });

      it('comes back to the avatar last used (roving tabindex)', async () => {
        const m = await mountBetweenButtons(3);
        avatars(m.root)[0]!.focus();
        await sendKeys({ press: 'ArrowRight' });
        await sendKeys({ press: 'ArrowRight' });
        await sendKeys({ press: 'Tab' });
        expect(focusIn(m)).to.equal('button:after');
        await sendKeys({ down: 'Shift' });
        await sendKeys({ press: 'Tab' });
        await sendKeys({ up: 'Shift' });
        expect(focusIn(m)).to.equal('avatar:Person 3');
        expect(avatars(m.root).map((a) => a.tabIndex)).to.deep.equal([-1, -1, 0]);
      });

      it('shows the tooltip of the focused avatar', async () => {
        const m = await mountPresence({ people: [[ANA, { connections: 2 }]] });
        avatars(m.root)[0]!.focus();
        await m.settle();
        const tooltip = m.root.querySelector<HTMLElement>('[part~="tooltip"]')!;
        expect(tooltip.matches(':popover-open')).to.equal(true);
        const lines = [
          ...tooltip.querySelectorAll('[part~="tooltip-name"], [part~="tooltip-detail"]'),
        ];
        expect(lines.map((line) => line.textContent!.trim())).to.deep.equal([
          'Ana Ortiz',
          'Online · Viewing',
          '2 tabs',
        ]);
        avatars(m.root)[0]!.blur();
        await m.settle();
        expect(tooltip.matches(':popover-open')).to.equal(false);
      });

      it('leaving the list of everyone closes it', async () => {
        const m = await mountBetweenButtons(7);
        overflowButton(m.root)!.focus();
        const opened = nextToggle(panel(m.root)!);
        await sendKeys({ press: 'Enter' });
        await opened;
        await sendKeys({ press: 'Tab' });
        await m.settle();
        expect(panel(m.root)!.matches(':popover-open')).to.equal(false);
        expect(focusIn(m)).to.equal('button:after');
      });
    });

    describe('Arrow keys', () => {
      it('move between avatars and onto "+N", and stop at the ends', async () => {
        const m = await mountBetweenButtons(7);
        avatars(m.root)[0]!.focus();
        await sendKeys({ press: 'ArrowLeft' });
        expect(focusIn(m)).to.equal('avatar:Person 1');
        await sendKeys({ press: 'ArrowRight' });
        expect(focusIn(m)).to.equal('avatar:Person 2');
        await sendKeys({ press: 'End' });
        expect(focusIn(m)).to.equal('overflow');
        await sendKeys({ press: 'ArrowLeft' });
        expect(focusIn(m)).to.equal('avatar:Person 5');
        await sendKeys({ press: 'Home' });
        expect(focusIn(m)).to.equal('avatar:Person 1');
      });

      it('keep the focus in the row when the focused person leaves', async () => {
        const m = await mountBetweenButtons(3);
        avatars(m.root)[1]!.focus();
        m.server.removePerson(ROOM, 'u-2');
        await m.settle();
        expect(focusIn(m)).to.equal('avatar:Person 3');
        // The row's one Tab stop went with the focus, in the same render (the file's check of
        // Lit's update-after-update warning fails otherwise).
        expect(avatars(m.root).map((a) => a.tabIndex)).to.deep.equal([-1, 0]);
        await finishAnimations(m);
        await sendKeys({ press: 'ArrowLeft' });
        expect(focusIn(m)).to.equal('avatar:Person 1');
      });

      it('follow the writing direction on a right-to-left page', async () => {
        const m = await mountBetweenButtons(3);
        m.provider.parentElement!.setAttribute('dir', 'rtl');
        avatars(m.root)[0]!.focus();
        await sendKeys({ press: 'ArrowLeft' });
        expect(focusIn(m)).to.equal('avatar:Person 2');
      });

      it('move in the list of everyone', async () => {
        const m = await mountBetweenButtons(7);
        overflowButton(m.root)!.focus();
        const toggled = nextToggle(panel(m.root)!);
        await sendKeys({ press: 'Enter' });
        await toggled;
        const rows = () => [...panel(m.root)!.querySelectorAll<HTMLElement>('[part~="row"]')];
        expect(focusIn(m)).to.equal('row:Person 1');
        await sendKeys({ press: 'ArrowDown' });
        expect(focusIn(m)).to.equal('row:Person 2');
        await sendKeys({ press: 'End' });
        expect(focusIn(m)).to.equal('row:Person 7');
        await sendKeys({ press: 'ArrowDown' });
        expect(focusIn(m)).to.equal('row:Person 7');
        await sendKeys({ press: 'ArrowUp' });
        expect(focusIn(m)).to.equal('row:Person 6');
        await sendKeys({ press: 'Home' });
        expect(focusIn(m)).to.equal('row:Person 1');
        expect(
          rows()
            .map((r) => r.tabIndex)
            .filter((t) => t === 0),
        ).to.have.length(1);
      });
    });

    describe('Enter and Space', () => {
      for (const key of ['Enter', 'Space']) {
        it(`${key} on "+N" opens the list and focuses the first person`, async () => {
          const m = await mountBetweenButtons(7);
          overflowButton(m.root)!.focus();
          const toggled = nextToggle(panel(m.root)!);
          await sendKeys({ press: key });
          await toggled;
          await m.settle();
          expect(panel(m.root)!.matches(':popover-open')).to.equal(true);
          expect(overflowButton(m.root)!.getAttribute('aria-expanded')).to.equal('true');
          expect(focusIn(m)).to.equal('row:Person 1');
        });
      }
    });

    describe('Escape', () => {
      it('closes the list and returns the focus to "+N"', async () => {
        const m = await mountBetweenButtons(7);
        overflowButton(m.root)!.focus();
        const opened = nextToggle(panel(m.root)!);
        await sendKeys({ press: 'Enter' });
        await opened;
        await sendKeys({ press: 'ArrowDown' });
        await sendKeys({ press: 'Escape' });
        await m.settle();
        expect(panel(m.root)!.matches(':popover-open')).to.equal(false);
        expect(focusIn(m)).to.equal('overflow');
        expect(overflowButton(m.root)!.getAttribute('aria-expanded')).to.equal('false');
      });

      it('hides the tooltip and keeps the focus on the avatar', async () => {
        const m = await mountBetweenButtons(2);
        avatars(m.root)[0]!.focus();
        await m.settle();
        const tooltip = m.root.querySelector<HTMLElement>('[part~="tooltip"]')!;
        expect(tooltip.matches(':popover-open')).to.equal(true);
        await sendKeys({ press: 'Escape' });
        await m.settle();
        expect(tooltip.matches(':popover-open')).to.equal(false);
        expect(focusIn(m)).to.equal('avatar:Person 1');
      });
    });
  });

  describe('pointer', () => {
    it('shows the tooltip on hover, keeps it while moving onto it, hides it after', async () => {
      const m = await mountPresence({
        people: [[ANA, { activity: { kind: 'editing', field: 'email' } }]],
      });
      const center = (el: Element) => {
        const r = el.getBoundingClientRect();
        return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)] as [
          number,
          number,
        ];
      };
      const tooltip = m.root.querySelector<HTMLElement>('[part~="tooltip"]')!;
      await sendMouse({ type: 'move', position: center(avatars(m.root)[0]!) });
      await m.settle();
      expect(tooltip.matches(':popover-open')).to.equal(true);
      expect(tooltip.textContent).to.contain(`Editing ${iso('Email')}`);
      await sendMouse({ type: 'move', position: center(tooltip) });
      await m.settle();
      expect(tooltip.matches(':popover-open')).to.equal(true);
      await sendMouse({ type: 'move', position: [2, 2] });
      await m.settle();
      expect(tooltip.matches(':popover-open')).to.equal(false);
      await resetMouse();
    });
  });

  describe('live updates', () => {
    it('shows arrivals as they happen, animated, and fires crm-presence-change', async () => {
      const m = await mountPresence({ people: [ANA] });
      const event = oneEvent(m.el, 'crm-presence-change') as Promise<CrmPresenceChangeEvent>;
      m.server.addPerson(ROOM, BEN);
      await m.settle();
      const { arrived, left, room, bubbles, composed } = await event;
      expect([room, bubbles, composed]).to.deep.equal([ROOM, true, true]);
      expect(arrived.map((p) => p.user.id)).to.deep.equal([BEN.id]);
      expect(left).to.deep.equal([]);
      expect(avatarNames(m.root)).to.deep.equal(['Ana Ortiz', 'Ben Lee']);
      const item = m.root.querySelector(`.item[data-id="${BEN.id}"]`)!;
      expect(item.classList.contains('entering')).to.equal(true);
      expect(item.getAnimations().map((a) => (a as CSSAnimation).animationName)).to.include(
        'crm-presence-in',
      );
      await finishAnimations(m);
      expect(item.classList.contains('entering')).to.equal(false);
    });

    it('animates a departure out, then removes the avatar', async () => {
      const m = await mountPresence({ people: [ANA, BEN, CARL] });
      const event = oneEvent(m.el, 'crm-presence-change') as Promise<CrmPresenceChangeEvent>;
      m.server.removePerson(ROOM, BEN.id);
      await m.settle();
      expect((await event).left.map((p) => p.user.id)).to.deep.equal([BEN.id]);
      const leaving = m.root.querySelector<HTMLElement>(`.item[data-id="${BEN.id}"]`)!;
      expect(leaving.classList.contains('leaving')).to.equal(true);
      expect(leaving.getAttribute('aria-hidden')).to.equal('true');
      expect(avatarNames(m.root)).to.deep.equal(['Ana Ortiz', 'Carl Jung']);
      await finishAnimations(m);
      expect(m.root.querySelectorAll(`.item[data-id="${BEN.id}"]`).length).to.equal(0);
    });

    it('does not animate under prefers-reduced-motion', async () => {
      await emulateMedia({ reducedMotion: 'reduce' });
      const m = await mountPresence({ people: [ANA, BEN] });
      m.server.addPerson(ROOM, CARL);
      m.server.removePerson(ROOM, BEN.id);
      await m.settle();
      expect(m.root.querySelectorAll('.entering, .leaving').length).to.equal(0);
      expect(m.root.getAnimations().length).to.equal(0);
      expect(avatarNames(m.root)).to.deep.equal(['Ana Ortiz', 'Carl Jung']);
    });

    it('fires crm-presence-change when someone changes state', async () => {
      const m = await mountPresence({ people: [ANA] });
      const event = oneEvent(m.el, 'crm-presence-change') as Promise<CrmPresenceChangeEvent>;
      m.server.setPersonActivity(ROOM, ANA.id, { kind: 'editing', field: 'phone' });
      await m.settle();
      const { changed, arrived, people } = await event;
      expect(changed.map((p) => p.activity)).to.deep.equal([{ kind: 'editing', field: 'phone' }]);
      expect(arrived).to.deep.equal([]);
      expect(people.map((p) => p.user.id)).to.include(ANA.id);
    });

    it('shows the current user away after their tab was hidden for a minute', async () => {
      const m = await mountPresence({ attrs: { 'room-id': ROOM, 'show-current-user': '' } });
      expect(avatars(m.root)[0]!.getAttribute('aria-label')).to.equal(
        `${DEMO_USER.name} (You): Online, Viewing`,
      );
      m.environment.setVisible(false);
      await m.clock.advance(60_000);
      await m.settle();
      expect(avatars(m.root)[0]!.getAttribute('aria-label')).to.equal(
        `${DEMO_USER.name} (You): Away, Viewing`,
      );
    });

    it('does not fire for the first snapshot', async () => {
      let fired = 0;
      const listener = () => (fired += 1);
      document.addEventListener('crm-presence-change', listener);
      try {
        await mountPresence({ people: [ANA, BEN] });
        expect(fired).to.equal(0);
      } finally {
        document.removeEventListener('crm-presence-change', listener);
      }
    });

    it('keeps the people on screen while reconnecting, and says so', async () => {
      const m = await mountPresence({ people: [ANA, BEN] });
      await goReconnecting(m);
      await m.settle();
      expect(avatarNames(m.root)).to.deep.equal(['Ana Ortiz', 'Ben Lee']);
      expect(m.root.querySelector('.base')!.classList.contains('reconnecting')).to.equal(true);
      expect(m.root.textContent).to.contain('Reconnecting…');
      m.server.refuseConnections(false);
      await m.clock.advance(60_000);
      await m.settle();
      expect(m.root.querySelector('.base')!.classList.contains('reconnecting')).to.equal(false);
      expect(avatarNames(m.root)).to.deep.equal(['Ana Ortiz', 'Ben Lee']);
    });
  });

  describe('announcements', () => {
    it('batch many changes into one message', async () => {
      const m = await mountPresence({ people: [CARL] });
      m.server.addPerson(ROOM, ANA);
      await m.settle();
      m.server.addPerson(ROOM, BEN);
      await m.settle();
      m.server.removePerson(ROOM, CARL.id);
      await m.settle();
      expect(liveRegion(m.root).textContent!.trim()).to.equal('');
      await m.clock.advance(1000);
      await m.settle();
      // The names plainly: the isolates that set them apart where they are drawn are not spoken.
      expect(liveRegion(m.root).textContent!.trim()).to.equal(
        'Ana Ortiz and Ben Lee joined. Carl Jung left',
      );
    });

    it('carry no directional controls, not even those of a name', async () => {
      const m = await mountPresence();
      m.server.addPerson(ROOM, { id: 'u-eve', name: 'Eve \u2069\u202Eevil' });
      await m.settle();
      await m.clock.advance(1000);
      await m.settle();
      const said = liveRegion(m.root).textContent!.trim();
      expect(said).to.equal('Eve evil joined');
      expect(said).not.to.match(/[\u202a-\u202e\u2066-\u2069]/u);
    });

    it('say nothing for the current user, nor for state changes', async () => {
      const m = await mountPresence({ people: [ANA] });
      m.server.setPersonStatus(ROOM, ANA.id, 'away');
      await m.settle();
      await m.clock.advance(1000);
      await m.settle();
      expect(liveRegion(m.root).textContent!.trim()).to.equal('');
    });

    it('are polite and atomic', async () => {
      const m = await mountPresence();
      const region = liveRegion(m.root);
      expect(region.getAttribute('aria-live')).to.equal('polite');
      expect(region.getAttribute('aria-atomic')).to.equal('true');
    });

    it('can be translated, with lists in the page language', async () => {
      const m = await mountPresence({ people: [CARL] });
      m.provider.setAttribute('lang', 'de');
      m.el.messages = { joined: (names, c) => `${c.list(names)} sind da` };
      m.server.addPerson(ROOM, ANA);
      m.server.addPerson(ROOM, BEN);
      await m.settle();
      await m.clock.advance(1000);
      await m.settle();
      expect(liveRegion(m.root).textContent!.trim()).to.equal('Ana Ortiz und Ben Lee sind da');
    });
  });

  describe('cleanup', () => {
    it('leaves the room and drops its listener when removed', async () => {
      const m = await mountPresence({ people: [ANA] });
      expect(m.client.heldRooms().get(ROOM)).to.equal(1);
      m.el.remove();
      await m.settle();
      expect(m.client.heldRooms().has(ROOM)).to.equal(false);
      expect(m.server.received('leave').map((f) => f.room)).to.deep.equal([ROOM]);
    });

    it('stops its announcement timer when removed', async () => {
      const m = await mountPresence({ people: [ANA] });
      m.server.addPerson(ROOM, BEN);
      await m.settle();
      m.el.remove();
      await m.settle();
      await m.clock.advance(1000);
      await m.el.updateComplete;
      expect(liveRegion(m.root).textContent!.trim()).to.equal('');
    });
  });

  describe('without a provider', () => {
    it('shows a quiet "Not connected" and warns once', async () => {
      resetNoProviderWarning();
      const warnings = recordWarnings();
      try {
        const el = await fixture<CrmPresence>(html`<crm-presence></crm-presence>`);
        await fixture<CrmPresence>(html`<crm-presence></crm-presence>`);
        // The warning waits for the page's load and a task, in case a provider arrives late.
        await waitUntil(() => warnings.messages.length > 0, 'a warning is logged');
        expect(el.shadowRoot!.textContent).to.contain('Not connected');
        expect(warnings.messages.filter((w) => w.includes('crm-presence'))).to.have.length(1);
        await expectAccessible(el);
      } finally {
        warnings.restore();
      }
    });
  });

  describe('axe', () => {
    it('alone', async () => {
      const m = await mountPresence();
      await expectAccessible(m.el);
    });

    it('a few people', async () => {
      const m = await mountPresence({ people: [ANA, BEN, CARL] });
      await expectAccessible(m.el);
    });

    it('someone away, someone editing, several tabs', async () => {
      const m = await mountPresence({
        people: [
          [ANA, { status: 'away' }],
          [BEN, { activity: { kind: 'editing', field: 'email' } }],
          [CARL, { connections: 3, devices: 2 }],
          [DANA, { status: 'offline' }],
        ],
        attrs: { 'room-id': ROOM, 'show-current-user': '' },
      });
      await expectAccessible(m.el);
    });

    it('overflow, with the list open and a tooltip shown', async () => {
      const m = await mountPresence({ people: crowd(9) });
      avatars(m.root)[0]!.focus();
      const toggled = nextToggle(panel(m.root)!);
      overflowButton(m.root)!.click();
      await toggled;
      // Judge the settled look, not a frame of the opening fade.
      await finishAnimations(m);
      expect(panel(m.root)!.matches(':popover-open')).to.equal(true);
      await expectAccessible(m.el);
    });

    it('waiting for the first snapshot', async () => {
      const m = await mountPresence({ open: false, people: [ANA] });
      const base = m.root.querySelector('[part~="base"]')!;
      expect(base.getAttribute('aria-busy')).to.equal('true');
      expect(m.root.querySelectorAll('.skeleton').length).to.equal(3);
      expect(m.root.textContent).to.contain('Loading who is here…');
      await expectAccessible(m.el);
    });

    it('reconnecting', async () => {
      const m = await mountPresence({ people: [ANA] });
      await goReconnecting(m);
      await m.settle();
      await expectAccessible(m.el);
    });
  });
});
