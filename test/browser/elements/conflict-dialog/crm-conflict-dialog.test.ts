import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import '../../../../src/elements/conflict-dialog/define.js';
import { CrmConflictDialog } from '../../../../src/elements/conflict-dialog/crm-conflict-dialog.js';
import {
  CrmConflictCancelEvent,
  CrmConflictResolveEvent,
} from '../../../../src/events/conflict-events.js';
import { ManualClock } from '../../../../src/testing/manual-clock.js';
import {
  ANA,
  HOSTILE,
  oneField,
  oneFieldConflicts,
  severalFields,
  type ConflictFixture,
} from '../../../../stories/conflict-dialog.fixtures.js';
import { expectAccessible } from '../../helpers/settled.js';

// ---- helpers -------------------------------------------------------------------------------

/** A page with a button (the opener) and a closed dialog showing `data`. */
async function mount(data: ConflictFixture = oneField, lang = 'en') {
  const page = await fixture<HTMLDivElement>(
    html`<div lang=${lang}>
      <button id="opener" type="button">Edit</button>
      <crm-conflict-dialog
        entity-label=${data.entityLabel}
        .localData=${data.localData}
        .remoteData=${data.remoteData}
        .baseData=${data.baseData}
        .conflictedFields=${data.conflictedFields}
        .fieldLabels=${data.fieldLabels}
        .remoteAuthor=${ANA}
      ></crm-conflict-dialog>
    </div>`,
  );
  const el = page.querySelector('crm-conflict-dialog')!;
  const opener = page.querySelector<HTMLButtonElement>('#opener')!;
  await el.updateComplete;
  return { el, opener };
}

/** Focus the opener, then open the dialog, as a page does after a failed save. */
async function openFrom(el: CrmConflictDialog, opener: HTMLElement) {
  opener.focus();
  el.open = true;
  await el.updateComplete;
}

const root = (el: CrmConflictDialog) => el.shadowRoot!;
const dialog = (el: CrmConflictDialog) => root(el).querySelector('dialog')!;
const part = <T extends Element = HTMLElement>(el: CrmConflictDialog, name: string) =>
  root(el).querySelector<T>(`[part~="${name}"]`)!;
const parts = (el: CrmConflictDialog, name: string) => [
  ...root(el).querySelectorAll<HTMLElement>(`[part~="${name}"]`),
];
const radio = (el: CrmConflictDialog, index: number, side: 'mine' | 'theirs') =>
  root(el).querySelector<HTMLInputElement>(`input[name="f${index}"][value="${side}"]`)!;
const focused = (el: CrmConflictDialog) => root(el).activeElement;
const text = (node: Element | null | undefined) => node?.textContent?.replace(/\s+/g, ' ').trim();

/** The next `name` event of `el`, typed from the event map. */
const next = <K extends 'crm-conflict-resolve' | 'crm-conflict-cancel'>(
  el: HTMLElement,
  name: K,
): Promise<HTMLElementEventMap[K]> =>
  oneEvent(el, name) as unknown as Promise<HTMLElementEventMap[K]>;

/** Resolve through a click and return the event (not prevented). */
async function resolveBy(el: CrmConflictDialog, button: string) {
  const event = next(el, 'crm-conflict-resolve');
  part(el, button).click();
  return await event;
}

afterEach(() => {
  // A modal left open would make the next test's page inert.
  for (const d of document.querySelectorAll('crm-conflict-dialog')) d.open = false;
});

// ---- tests ---------------------------------------------------------------------------------

describe('<crm-conflict-dialog>', () => {
  describe('defaults', () => {
    it('is a registered, closed dialog with empty data', async () => {
      const el = await fixture<CrmConflictDialog>(
        html`<crm-conflict-dialog></crm-conflict-dialog>`,
      );
      expect(el).to.be.instanceOf(CrmConflictDialog);
      expect(el.open).to.equal(false);
      expect(el.hasAttribute('open')).to.equal(false);
      expect(el.localData).to.deep.equal({});
      expect(el.remoteData).to.deep.equal({});
      expect(el.baseData).to.deep.equal({});
      expect(el.conflictedFields).to.deep.equal([]);
      expect(el.fields).to.deep.equal([]);
      expect(el.remoteAuthor).to.equal(undefined);
      expect(el.entityLabel).to.equal('');
      expect(dialog(el).open).to.equal(false);
      expect(dialog(el).getAttribute('aria-labelledby')).to.equal('title');
      expect(dialog(el).getAttribute('aria-describedby')).to.equal('description');
    });

    it('takes the fields that differ when conflictedFields is empty', async () => {
      const el = await fixture<CrmConflictDialog>(
        html`<crm-conflict-dialog
          .localData=${{ a: 1, b: 'same', c: [1] }}
          .remoteData=${{ a: 2, b: 'same', c: [1, 2] }}
        ></crm-conflict-dialog>`,
      );
      expect(el.fields).to.deep.equal(['a', 'c']);
      expect(parts(el, 'field')).to.have.length(2);
    });
  });

  describe('properties and attributes', () => {
    it('reflects open, and reads entity-label and remote-changed-at', async () => {
      const { el } = await mount();
      el.setAttribute('entity-label', 'Customer Globex');
      el.setAttribute('remote-changed-at', '1700000000000');
      el.setAttribute('open', '');
      await el.updateComplete;
      expect(el.open).to.equal(true);
      expect(el.entityLabel).to.equal('Customer Globex');
      expect(el.remoteChangedAt).to.equal(1_700_000_000_000);
      expect(text(part(el, 'description'))).to.contain('Customer Globex');
      el.open = false;
      await el.updateComplete;
      expect(el.hasAttribute('open')).to.equal(false);
    });

    it('shows each field with its label, the base value, mine and theirs', async () => {
      const { el } = await mount(severalFields);
      const fields = parts(el, 'field');
      expect(fields).to.have.length(severalFields.conflictedFields.length);
      const labels = parts(el, 'field-label').map(text);
      // fieldLabels first, then the humanized field name.
      expect(labels.slice(0, 3)).to.deep.equal(['Name', 'Annual revenue', 'VIP']);
      expect(labels).to.include('Integrations');
      const first = fields[0]!;
      expect(text(first.querySelector('[part~="base"]'))).to.equal('Was Acme Corp');
      expect(text(first.querySelector('[part~="option-mine"] [part~="value"]'))).to.equal(
        'Acme Corporation',
      );
      expect(text(first.querySelector('[part~="option-theirs"] [part~="value"]'))).to.equal(
        'Acme Corp Ltd',
      );
      expect(text(part(el, 'author'))).to.contain('Ana Ortiz');
    });

    it('leaves the "was" line out when the base is unknown', async () => {
      const { el } = await mount({ ...oneField, baseData: {} });
      expect(parts(el, 'base')).to.have.length(0);
    });

    it('derives everything from the conflicts of an entity.conflict answer', async () => {
      const el = await fixture<CrmConflictDialog>(
        html`<crm-conflict-dialog></crm-conflict-dialog>`,
      );
      const at = Date.now() - 5 * 60_000;
      el.conflicts = oneFieldConflicts(at);
      await el.updateComplete;
      expect(el.conflictedFields).to.deep.equal(['email']);
      expect(el.localData).to.deep.equal({ email: 'orders@acme.example' });
      expect(el.remoteData).to.deep.equal({ email: 'purchasing@acme.example' });
      expect(el.baseData).to.deep.equal({ email: 'sales@acme.example' });
      expect(el.remoteAuthor).to.deep.equal(ANA);
      expect(el.remoteChangedAt).to.equal(at);
      expect(el.conflicts).to.have.length(1);
      expect(text(part(el, 'field-label'))).to.equal('Email');
    });

    it('shows when the remote change happened, relative, with the absolute time in <time>', async () => {
      const clock = new ManualClock();
      const { el } = await mount(oneField);
      el.clock = clock;
      el.remoteChangedAt = clock.now() - 3 * 60_000;
      await el.updateComplete;
      const time = part<HTMLTimeElement>(el, 'time');
      expect(time.localName).to.equal('time');
      expect(time.dateTime).to.equal(new Date(clock.now() - 3 * 60_000).toISOString());
      expect(text(time)).to.equal('3 minutes ago');
      expect(time.title).to.match(/2025/);
    });

    it('keeps the relative time fresh while open, and stops when closed', async () => {
      const clock = new ManualClock();
      const { el, opener } = await mount(oneField);
      el.clock = clock;
      el.remoteChangedAt = clock.now();
      await openFrom(el, opener);
      expect(text(part(el, 'time'))).to.equal('now');
      await clock.advance(2 * 60_000);
      await el.updateComplete;
      expect(text(part(el, 'time'))).to.equal('2 minutes ago');
      el.open = false;
      await el.updateComplete;
      expect(clock.pending).to.equal(0);
    });

    it('speaks the page language and takes translated messages', async () => {
      const { el } = await mount(severalFields, 'de');
      el.messages = { mine: () => 'Meine', keepAllMine: () => 'Alle meine behalten' };
      await el.updateComplete;
      const revenue = parts(el, 'field')[1]!;
      expect(text(revenue.querySelector('[part~="option-mine"] [part~="value"]'))).to.equal(
        '1.250.000',
      );
      expect(text(part(el, 'option-title'))).to.equal('Meine');
      expect(text(part(el, 'button-mine'))).to.equal('Alle meine behalten');
      // Entries left out stay English.
      expect(text(part(el, 'button-cancel'))).to.equal('Cancel');
    });
  });

  describe('opening and closing', () => {
    it('opens as a modal in the top layer with showModal, and closes with close', async () => {
      const { el, opener } = await mount();
      let modal = 0;
      const original = HTMLDialogElement.prototype.showModal;
      dialog(el).showModal = function () {
        modal += 1;
        original.call(this);
      };
      await openFrom(el, opener);
      expect(modal).to.equal(1);
      expect(dialog(el).open).to.equal(true);
      expect(dialog(el).matches(':modal')).to.equal(true);
      el.open = false;
      await el.updateComplete;
      expect(dialog(el).open).to.equal(false);
    });

    it('opens when added to the page already open', async () => {
      const el = await fixture<CrmConflictDialog>(
        html`<crm-conflict-dialog
          open
          .conflicts=${oneFieldConflicts(Date.now())}
        ></crm-conflict-dialog>`,
      );
      expect(dialog(el).matches(':modal')).to.equal(true);
    });

    it('moves focus into the dialog and gives it back to the opener on close', async () => {
      const { el, opener } = await mount();
      await openFrom(el, opener);
      expect(document.activeElement).to.equal(el);
      expect(focused(el)).to.equal(radio(el, 0, 'mine'));
      await resolveBy(el, 'button-primary');
      expect(dialog(el).open).to.equal(false);
      expect(document.activeElement).to.equal(opener);
    });

    it('animates its opening, except under reduced motion', async () => {
      try {
        await emulateMedia({ reducedMotion: 'no-preference' });
        const { el, opener } = await mount();
        await openFrom(el, opener);
        expect(dialog(el).getAnimations().length).to.be.greaterThan(0);
        el.open = false;
        await el.updateComplete;
        await emulateMedia({ reducedMotion: 'reduce' });
        await openFrom(el, opener);
        expect(dialog(el).getAnimations()).to.have.length(0);
      } finally {
        await emulateMedia({ reducedMotion: 'no-preference' });
      }
    });

    it('follows a close it did not ask for (a script closing the <dialog>)', async () => {
      const { el, opener } = await mount();
      await openFrom(el, opener);
      dialog(el).close();
      await oneEvent(dialog(el), 'close');
      await el.updateComplete;
      expect(el.open).to.equal(false);
      expect(el.hasAttribute('open')).to.equal(false);
      expect(document.activeElement).to.equal(opener);
    });

    it('gives the focus back when removed while open', async () => {
      const { el, opener } = await mount();
      await openFrom(el, opener);
      el.remove();
      expect(document.activeElement).to.equal(opener);
    });
  });

  describe('resolution', () => {
    it('"Keep all mine" saves my values over theirs, with my other changes', async () => {
      const { el, opener } = await mount(severalFields);
      await openFrom(el, opener);
      const event = await resolveBy(el, 'button-mine');
      expect(event).to.be.instanceOf(CrmConflictResolveEvent);
      expect(event.bubbles && event.composed && event.cancelable).to.equal(true);
      expect(event.resolution).to.equal('mine');
      expect(Object.values(event.choices).every((c) => c === 'mine')).to.equal(true);
      expect(event.merged).to.deep.equal({
        ...severalFields.localData,
        owner: 'Ben Lee', // a field only they have stays
      });
      expect(el.open).to.equal(false);
    });

    it('reaches listeners on the document (bubbles, composed)', async () => {
      const { el, opener } = await mount();
      await openFrom(el, opener);
      const seen: string[] = [];
      const listener = (e: Event) => seen.push(e.type);
      document.addEventListener('crm-conflict-resolve', listener);
      try {
        part(el, 'button-primary').click();
      } finally {
        document.removeEventListener('crm-conflict-resolve', listener);
      }
      expect(seen).to.deep.equal(['crm-conflict-resolve']);
    });

    it('"Take all theirs" saves their values, keeping my non-conflicted change', async () => {
      const { el, opener } = await mount(severalFields);
      await openFrom(el, opener);
      const event = await resolveBy(el, 'button-theirs');
      expect(event.resolution).to.equal('theirs');
      expect(event.merged).to.deep.equal({
        ...severalFields.remoteData,
        phone: '+44 113 496 0123', // mine, not in conflict
      });
    });

    it('a choice per field saves a mix', async () => {
      const { el, opener } = await mount(severalFields);
      await openFrom(el, opener);
      radio(el, 1, 'theirs').click(); // annualRevenue
      radio(el, 4, 'theirs').click(); // address
      await el.updateComplete;
      expect(text(part(el, 'summary'))).to.equal('6 yours, 2 theirs');
      const event = await resolveBy(el, 'button-primary');
      expect(event.resolution).to.equal('merged');
      expect(event.choices['annualRevenue']).to.equal('theirs');
      expect(event.choices['name']).to.equal('mine');
      expect(event.merged['annualRevenue']).to.equal(1_310_000.5);
      expect(event.merged['address']).to.deep.equal(severalFields.remoteData['address']);
      expect(event.merged['name']).to.equal('Acme Corporation');
      expect(event.merged['vip']).to.equal(true);
      expect(event.merged['phone']).to.equal('+44 113 496 0123');
      expect(event.merged['owner']).to.equal('Ben Lee');
    });

    it('never reverts their change with a stale copy of a field I did not touch', async () => {
      const { el, opener } = await mount({
        ...oneField,
        localData: { email: 'orders@acme.example', phone: '111', city: 'Leeds' },
        remoteData: { email: 'purchasing@acme.example', phone: '222', city: 'York' },
        baseData: { email: 'sales@acme.example', phone: '111' },
      });
      await openFrom(el, opener);
      const event = await resolveBy(el, 'button-primary');
      expect(event.resolution).to.equal('mine');
      // phone: mine equals the base, so it is not my change; city: base unknown, mine is kept.
      expect(event.merged).to.deep.equal({
        email: 'orders@acme.example',
        phone: '222',
        city: 'Leeds',
      });
    });

    it('stays open with the same choices when the page refuses the resolution', async () => {
      const { el, opener } = await mount(severalFields);
      await openFrom(el, opener);
      el.addEventListener('crm-conflict-resolve', (e) => e.preventDefault(), { once: true });
      radio(el, 0, 'theirs').click();
      await el.updateComplete;
      part(el, 'button-primary').click();
      await el.updateComplete;
      expect(el.open).to.equal(true);
      expect(dialog(el).matches(':modal')).to.equal(true);
      expect(radio(el, 0, 'theirs').checked).to.equal(true);
      expect(document.activeElement).to.equal(el);
    });

    it('preselects mine on every field, again on every opening', async () => {
      const { el, opener } = await mount(severalFields);
      await openFrom(el, opener);
      radio(el, 2, 'theirs').click();
      el.open = false;
      await el.updateComplete;
      await openFrom(el, opener);
      for (let i = 0; i < severalFields.conflictedFields.length; i++) {
        expect(radio(el, i, 'mine').checked, `field ${i}`).to.equal(true);
      }
      expect(el.merged['vip']).to.equal(true);
    });
  });

  describe('cancel', () => {
    it('the Cancel button sends a cancelable request and closes when not refused', async () => {
      const { el, opener } = await mount();
      await openFrom(el, opener);
      const event = next(el, 'crm-conflict-cancel');
      part(el, 'button-cancel').click();
      const cancel = await event;
      expect(cancel).to.be.instanceOf(CrmConflictCancelEvent);
      expect(cancel.source).to.equal('cancel-button');
      expect(cancel.cancelable && cancel.bubbles && cancel.composed).to.equal(true);
      expect(el.open).to.equal(false);
      expect(dialog(el).open).to.equal(false);
      expect(document.activeElement).to.equal(opener);
    });

    it('stays open when the page refuses the cancel', async () => {
      const { el, opener } = await mount();
      await openFrom(el, opener);
      el.addEventListener('crm-conflict-cancel', (e) => e.preventDefault(), { once: true });
      part(el, 'button-cancel').click();
      await el.updateComplete;
      expect(el.open).to.equal(true);
      expect(dialog(el).open).to.equal(true);
    });
  });

  describe('keyboard', () => {
    describe('Escape', () => {
      it('requests cancel and closes when not refused', async () => {
        const { el, opener } = await mount();
        await openFrom(el, opener);
        const event = next(el, 'crm-conflict-cancel');
        await sendKeys({ press: 'Escape' });
        expect((await event).source).to.equal('escape');
        await el.updateComplete;
        expect(el.open).to.equal(false);
        expect(dialog(el).open).to.equal(false);
        expect(document.activeElement).to.equal(opener);
      });

      it('keeps the dialog open when the request is refused, even when pressed twice', async () => {
        const { el, opener } = await mount();
        await openFrom(el, opener);
        let requests = 0;
        el.addEventListener('crm-conflict-cancel', (e) => {
          requests += 1;
          e.preventDefault();
        });
        await sendKeys({ press: 'Escape' });
        await el.updateComplete;
        expect(dialog(el).open).to.equal(true);
        // A second Escape without a click between may not be refusable by the platform: the
        // element then reopens the dialog itself.
        await sendKeys({ press: 'Escape' });
        await new Promise((r) => requestAnimationFrame(r));
        await el.updateComplete;
        expect(requests).to.equal(2);
        expect(el.open).to.equal(true);
        expect(dialog(el).matches(':modal')).to.equal(true);
      });
    });

    describe('Tab', () => {
      it('cycles through the choices and buttons without leaving the dialog', async () => {
        const { el, opener } = await mount(severalFields);
        await openFrom(el, opener);
        const stops: (Element | null)[] = [focused(el)];
        for (let i = 0; i < severalFields.conflictedFields.length + 4; i++) {
          await sendKeys({ press: 'Tab' });
          expect(document.activeElement, `Tab ${i + 1}`).to.equal(el);
          stops.push(focused(el));
        }
        const fields = severalFields.conflictedFields.length;
        expect(stops.slice(0, fields)).to.deep.equal(
          severalFields.conflictedFields.map((_f, i) => radio(el, i, 'mine')),
        );
        expect(stops.slice(fields, fields + 4)).to.deep.equal([
          part(el, 'button-mine'),
          part(el, 'button-theirs'),
          part(el, 'button-cancel'),
          part(el, 'button-primary'),
        ]);
        // … and round again.
        expect(stops[fields + 4]).to.equal(radio(el, 0, 'mine'));
      });

      it('Shift+Tab from the first stop goes to the last', async () => {
        const { el, opener } = await mount(oneField);
        await openFrom(el, opener);
        await sendKeys({ down: 'Shift' });
        await sendKeys({ press: 'Tab' });
        await sendKeys({ up: 'Shift' });
        expect(focused(el)).to.equal(part(el, 'button-primary'));
        await sendKeys({ press: 'Tab' });
        expect(focused(el)).to.equal(radio(el, 0, 'mine'));
      });
    });

    describe('in a browser without checkVisibility (Safari before 17.4)', () => {
      const own = Object.getOwnPropertyDescriptor(Element.prototype, 'checkVisibility');
      beforeEach(() => {
        delete (Element.prototype as Partial<Element>).checkVisibility;
      });
      afterEach(() => {
        if (own) Object.defineProperty(Element.prototype, 'checkVisibility', own);
      });

      it('Tab still cycles within the dialog (here with a button the page hides)', async () => {
        const style = document.createElement('style');
        style.textContent = 'crm-conflict-dialog::part(button-primary) { display: none; }';
        document.head.append(style);
        try {
          const { el, opener } = await mount(oneField);
          await openFrom(el, opener);
          await sendKeys({ down: 'Shift' });
          await sendKeys({ press: 'Tab' });
          await sendKeys({ up: 'Shift' });
          expect(focused(el)).to.equal(part(el, 'button-cancel'));
          await sendKeys({ press: 'Tab' });
          expect(focused(el)).to.equal(radio(el, 0, 'mine'));
        } finally {
          style.remove();
        }
      });
    });

    describe('arrow keys', () => {
      it('switch the choice of the focused field', async () => {
        const { el, opener } = await mount(severalFields);
        await openFrom(el, opener);
        await sendKeys({ press: 'ArrowRight' });
        await el.updateComplete;
        expect(focused(el)).to.equal(radio(el, 0, 'theirs'));
        expect(radio(el, 0, 'theirs').checked).to.equal(true);
        expect(part(el, 'option-selected')).to.equal(radio(el, 0, 'theirs').closest('label'));
        expect(el.merged['name']).to.equal('Acme Corp Ltd');
        expect(radio(el, 1, 'mine').checked).to.equal(true);
        await sendKeys({ press: 'ArrowLeft' });
        await el.updateComplete;
        expect(el.merged['name']).to.equal('Acme Corporation');
      });
    });

    describe('Enter', () => {
      it('on the primary button resolves with the choices', async () => {
        const { el, opener } = await mount(oneField);
        await openFrom(el, opener);
        await sendKeys({ press: 'ArrowDown' });
        part(el, 'button-primary').focus();
        const event = next(el, 'crm-conflict-resolve');
        await sendKeys({ press: 'Enter' });
        const resolved = await event;
        expect(resolved.resolution).to.equal('theirs');
        expect(resolved.merged['email']).to.equal('purchasing@acme.example');
        expect(el.open).to.equal(false);
      });

      it('right after opening keeps my work', async () => {
        const { el, opener } = await mount(oneField);
        await openFrom(el, opener);
        const event = next(el, 'crm-conflict-resolve');
        await sendKeys({ press: 'Enter' });
        const resolved = await event;
        expect(resolved.resolution).to.equal('mine');
        expect(resolved.merged['email']).to.equal('orders@acme.example');
      });
    });
  });

  describe('values', () => {
    const valueOf = (el: CrmConflictDialog, index: number, side: 'mine' | 'theirs') =>
      radio(el, index, side).closest('label')!.querySelector('[part~="value"]')!;

    it('shows every JSON type readably, as text', async () => {
      const { el } = await mount(severalFields);
      const v = (i: number, side: 'mine' | 'theirs') => text(valueOf(el, i, side));
      expect(v(0, 'mine')).to.equal('Acme Corporation');
      expect(v(1, 'theirs')).to.equal('1,310,000.5');
      expect(v(2, 'mine')).to.equal('Yes');
      expect(v(2, 'theirs')).to.equal('No');
      expect(v(3, 'mine')).to.equal('retail, emea, priority');
      expect(valueOf(el, 4, 'theirs').querySelector('dl')).to.exist;
      expect(v(4, 'theirs')).to.equal('street: 40 Quay Street city: Manchester postcode: M3 3JE');
      const date = valueOf(el, 5, 'mine').querySelector('time')!;
      expect(date.dateTime).to.equal('2025-06-30');
      expect(text(date)).to.equal('Jun 30, 2025');
      expect(v(6, 'mine')).to.equal('— Empty');
      expect(valueOf(el, 6, 'mine').querySelector('[aria-hidden="true"]')?.textContent).to.equal(
        '—',
      );
      expect(v(7, 'mine')).to.contain('erp.id: AC-1001');
      expect(text(parts(el, 'base')[2])).to.equal('Was — Empty');
    });

    it('falls back to indented JSON for deep values, and keeps lines of long text', async () => {
      const deep = { rows: [{ a: { b: 1 } }] };
      const { el } = await mount({
        ...oneField,
        localData: { data: deep, note: 'one\ntwo' },
        remoteData: { data: { rows: [] }, note: 'one' },
        baseData: {},
        conflictedFields: ['data', 'note'],
      });
      const pre = valueOf(el, 0, 'mine').querySelector('pre')!;
      expect(pre.textContent).to.equal(JSON.stringify(deep, null, 2));
      const note = valueOf(el, 1, 'mine').querySelector('.text')!;
      expect(note.textContent).to.equal('one\ntwo');
      expect(getComputedStyle(note).whiteSpace).to.equal('pre-wrap');
    });

    it('marks the changed words, against the base', async () => {
      const { el } = await mount(severalFields);
      const marks = [...valueOf(el, 0, 'mine').querySelectorAll('mark')].map((m) => m.textContent);
      expect(marks).to.deep.equal(['Corporation']);
      const theirs = [...valueOf(el, 0, 'theirs').querySelectorAll('mark')].map(
        (m) => m.textContent,
      );
      expect(theirs).to.deep.equal(['Ltd']);
      // Everything differs: nothing to point at.
      expect(valueOf(el, 1, 'mine').querySelector('mark')).to.equal(null);
    });

    it('renders markup in values as literal text, never as elements', async () => {
      const w = window as { __pwned?: boolean };
      delete w.__pwned;
      const { el, opener } = await mount({
        ...oneField,
        localData: { email: HOSTILE, [HOSTILE]: 1 },
        remoteData: { email: { html: HOSTILE } },
        baseData: { email: [HOSTILE] },
        fieldLabels: { email: HOSTILE },
        entityLabel: HOSTILE,
      });
      el.remoteAuthor = { id: 'x', name: HOSTILE, avatarUrl: 'javascript:alert(1)' };
      await openFrom(el, opener);
      expect(root(el).querySelector('img')).to.equal(null);
      expect(text(valueOf(el, 0, 'mine'))).to.equal(HOSTILE);
      expect(text(valueOf(el, 0, 'theirs'))).to.equal(`html: ${HOSTILE}`);
      expect(text(part(el, 'field-label'))).to.equal(HOSTILE);
      expect(text(part(el, 'description'))).to.contain(HOSTILE);
      expect(text(part(el, 'author'))).to.contain(HOSTILE);
      expect(w.__pwned).to.equal(undefined);
    });

    it('ignores bad input with a warning instead of throwing', async () => {
      const warn = console.warn;
      const warnings: unknown[] = [];
      console.warn = (...args: unknown[]) => warnings.push(args);
      try {
        const el = await fixture<CrmConflictDialog>(
          html`<crm-conflict-dialog></crm-conflict-dialog>`,
        );
        el.localData = 'nope' as never;
        el.conflictedFields = 'email' as never;
        el.conflicts = null as never;
        await el.updateComplete;
        expect(el.fields).to.deep.equal([]);
        expect(warnings.length).to.be.greaterThan(0);
      } finally {
        console.warn = warn;
      }
    });
  });

  describe('accessibility', () => {
    it('describes each field group by its value before ("Was …")', async () => {
      const { el } = await mount(oneField);
      const field = part(el, 'field');
      const base = root(el).getElementById(field.getAttribute('aria-describedby')!);
      expect(text(base)).to.equal('Was sales@acme.example');
    });

    it("shows the author's picture only from a safe URL, as decoration", async () => {
      const { el } = await mount(oneField);
      const png =
        'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
      el.remoteAuthor = { ...ANA, avatarUrl: png };
      await el.updateComplete;
      const img = part(el, 'avatar').querySelector('img')!;
      expect(img.getAttribute('src')).to.equal(png);
      expect(img.alt).to.equal('');
      expect(part(el, 'avatar').getAttribute('aria-hidden')).to.equal('true');
      el.remoteAuthor = { ...ANA, avatarUrl: 'javascript:alert(1)' };
      await el.updateComplete;
      expect(part(el, 'avatar').querySelector('img')).to.equal(null);
      expect(text(part(el, 'avatar'))).to.equal('AO');
    });

    it('passes axe when open with one field', async () => {
      const { el, opener } = await mount(oneField);
      await openFrom(el, opener);
      await expectAccessible(el);
    });

    it('passes axe when open with several fields', async () => {
      const { el, opener } = await mount(severalFields);
      await openFrom(el, opener);
      await expectAccessible(el);
    });

    it('names each radio by its side and describes it by its value, in a named group', async () => {
      const { el } = await mount(oneField);
      const field = part(el, 'field');
      expect(field.localName).to.equal('fieldset');
      expect(text(field.querySelector('legend'))).to.equal('E-mail');
      const mine = radio(el, 0, 'mine');
      const name = root(el).getElementById(mine.getAttribute('aria-labelledby')!);
      expect(text(name)).to.equal('Yours');
      const described = mine
        .getAttribute('aria-describedby')!
        .split(' ')
        .map((id) => text(root(el).getElementById(id)));
      expect(described).to.deep.equal(['Not saved yet', 'orders@acme.example']);
    });
  });
});
