/**
 * <crm-collaborative-form> around a plain legacy form, inside a provider on the fake server (which
 * applies the reference server's concurrency rules) and a manual clock: loading, presence, remote
 * changes, saving, rollback, conflicts, merges, keyboard, axe, and letting go.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import { MemoryOutboxStore } from '../../../../src/client/index.js';
import '../../../../src/elements/collaborative-form/define.js';
import type { CrmCollaborativeForm } from '../../../../src/elements/collaborative-form/crm-collaborative-form.js';
import { avatarColor } from '../../../../src/elements/shared/avatar.js';
import '../../../../src/elements/realtime-provider/define.js';
import { DEMO_USER, FakeSocket } from '../../../../src/testing/index.js';
import {
  BEN,
  CHLOE,
  CUSTOMER,
  customerForm,
  type DemoRating,
} from '../../../../stories/collaborative-form.fixtures.js';
import {
  closeFakeConnections,
  fakeConnection,
  recordWarnings,
} from '../../helpers/fake-connection.js';
import { expectAccessible } from '../../helpers/settled.js';
import { field, mountForm, settle, statusText, submitPrevented, type, tabsOf } from './fixture.js';

const ROOM = 'customer:42';

/** The form as most tests use it: saving on submit, named "Northwind Logistics". */
const mount = ({ saveMode = 'submit', entityLabel = 'Northwind Logistics' } = {}) =>
  mountForm({ saveMode, entityLabel });

const shadow = (el: CrmCollaborativeForm) => el.shadowRoot!;
/** The next `name` event of `el`, typed from the event map. */
const next = <K extends keyof HTMLElementEventMap>(
  el: HTMLElement,
  name: K,
): Promise<HTMLElementEventMap[K]> =>
  oneEvent(el, name) as unknown as Promise<HTMLElementEventMap[K]>;
const dialogOf = (el: CrmCollaborativeForm) => shadow(el).querySelector('crm-conflict-dialog');

/** What assistive technology reads as the field's description. */
function descriptionOf(input: HTMLElement): string {
  const ids = (input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  return ids
    .map((id) => document.getElementById(id)?.textContent?.trim() ?? '')
    .filter(Boolean)
    .join(' ');
}

afterEach(async () => {
  closeFakeConnections();
  await emulateMedia({ reducedMotion: 'no-preference' });
});

describe('<crm-collaborative-form>', () => {
  describe('defaults and attributes', () => {
    it('has its documented defaults and maps attributes to properties', async () => {
      const el = await fixture<CrmCollaborativeForm>(
        html`<crm-collaborative-form></crm-collaborative-form>`,
      );
      expect(el.formId).to.equal('');
      expect(el.entityType).to.equal('');
      expect(el.entityId).to.equal('');
      expect(el.saveMode).to.equal('submit');
      expect(el.saveDelay).to.equal(400);
      expect(el.status).to.equal('unavailable');
      el.setAttribute('form-id', 'f');
      el.setAttribute('entity-type', 'call');
      el.setAttribute('entity-id', 'c-1');
      el.setAttribute('save-mode', 'change');
      el.setAttribute('save-delay', '250');
      el.setAttribute('entity-label', 'A call');
      expect([
        el.formId,
        el.entityType,
        el.entityId,
        el.saveMode,
        el.saveDelay,
        el.entityLabel,
      ]).to.deep.equal(['f', 'call', 'c-1', 'change', 250, 'A call']);
    });
  });

  describe('compact', () => {
    it('shows the status line only when it needs the user, and keeps it for screen readers', async () => {
      const { fake, el, form } = await mount();
      el.compact = true;
      await el.updateComplete;
      expect(el.hasAttribute('compact')).to.equal(true);
      const bar = shadow(el).querySelector<HTMLElement>('[part~="status-bar"]')!;
      const shown = () => bar.getBoundingClientRect().height > 2;
      expect(shown()).to.equal(false);
      expect(statusText(el)).to.equal('Up to date');
      fake.server.refuseConnections(true);
      fake.server.dropConnections();
      await settle({ fake, el });
      type(field(el, 'phone'), '+44 5');
      form.requestSubmit();
      await settle({ fake, el });
      expect(statusText(el)).to.equal('1 change waiting offline');
      expect(shown()).to.equal(true);
    });
  });

  describe('loading', () => {
    it('keeps the status line quiet until the record is shown, then speaks its changes', async () => {
      const { fake, el } = await mountForm({ prepare: (f) => f.server.setLatency(1000) });
      const line = () => shadow(el).querySelector('[part~="status"]')!;
      expect(statusText(el)).to.equal('Loading…');
      // Each form of a page saying "Up to date" as it loads would be noise.
      expect(line().hasAttribute('role')).to.equal(false);
      for (let i = 0; i < 10 && statusText(el) === 'Loading…'; i++) {
        await fake.clock.advance(1000);
        await settle({ fake, el });
      }
      expect(statusText(el)).to.equal('Up to date');
      expect(line().getAttribute('role')).to.equal('status');
    });

    it('puts the entity into native fields of every kind and a form-associated element', async () => {
      const { el } = await mount();
      expect(el.status).to.equal('idle');
      expect(statusText(el)).to.equal('Up to date');
      expect(field(el, 'name').value).to.equal('Margaret Holloway');
      expect(field(el, 'email').value).to.equal('m.holloway@northwind.example');
      expect(field<HTMLSelectElement>(el, 'status').value).to.equal('Qualified');
      expect(field(el, 'value').value).to.equal('48000');
      expect(field(el, 'renewal').value).to.equal('2025-09-30');
      expect(field(el, 'vip').checked).to.equal(true);
      const channel = [...el.querySelectorAll<HTMLInputElement>('[name="channel"]')];
      expect(channel.map((r) => r.checked)).to.deep.equal([false, true, false]);
      const products = [...el.querySelectorAll<HTMLInputElement>('[name="products"]')];
      expect(products.map((c) => c.checked)).to.deep.equal([true, true, false]);
      const regions = field<HTMLSelectElement>(el, 'regions');
      expect([...regions.selectedOptions].map((o) => o.value)).to.deep.equal(['uk']);
      expect(field<HTMLTextAreaElement>(el, 'notes').value).to.contain('two competitors');
      expect(field<DemoRating>(el, 'rating').value).to.equal(4);
      expect(el.fieldNames).to.include.members(['name', 'channel', 'products', 'rating']);
    });

    it('takes a form named by form-id elsewhere in the page, fields and submit', async () => {
      const fake = await fakeConnection({ outbox: new MemoryOutboxStore() });
      fake.server.entities.put(CUSTOMER);
      const page = await fixture<HTMLDivElement>(
        html`<div>
          <crm-realtime-provider .client=${fake.client}>
            <crm-collaborative-form
              form-id="legacy"
              entity-type="customer"
              entity-id="42"
              .clock=${fake.clock}
            ></crm-collaborative-form>
          </crm-realtime-provider>
          <form id="legacy">
            <label for="x-email">Email</label><input id="x-email" name="email" type="email" />
            <button>Save</button>
          </form>
        </div>`,
      );
      const el = page.querySelector('crm-collaborative-form')!;
      await settle({ fake, el });
      const email = page.querySelector<HTMLInputElement>('#x-email')!;
      expect(email.value).to.equal('m.holloway@northwind.example');
      type(email, 'outside@northwind.example');
      page.querySelector<HTMLFormElement>('#legacy')!.requestSubmit();
      await settle({ fake, el });
      expect(fake.server.entities.get('customer', '42')!.fields['email']).to.equal(
        'outside@northwind.example',
      );
      const activity = fake.server.received('presence').at(-1)?.state.activity;
      expect(activity).to.deep.equal({ kind: 'editing', field: 'email' });
    });

    it('puts the live record back on reset, not the HTML defaults', async () => {
      const { fake, el, form } = await mount();
      fake.server.entities.remoteUpdate('customer', '42', { name: 'Renamed by Ben' }, BEN);
      await settle({ fake, el });
      type(field(el, 'name'), 'Half-typed');
      type(field(el, 'phone'), '+44 9');
      form.reset();
      await new Promise((resolve) => setTimeout(resolve, 10));
      await settle({ fake, el });
      expect(field(el, 'name').value).to.equal('Renamed by Ben');
      expect(field(el, 'phone').value).to.equal('+44 20 7946 0321');
      expect(el.dirtyFields).to.deep.equal([]);
    });

    it('follows another entity id', async () => {
      const { fake, el } = await mount();
      fake.server.entities.put({
        type: 'customer',
        id: '43',
        fields: { name: 'Jonas Weber', email: 'jonas@brightline.example' },
      });
      // The user is in the phone field when the page moves to another record.
      field(el, 'phone').focus();
      await settle({ fake, el });
      el.entityId = '43';
      await settle({ fake, el });
      expect(field(el, 'name').value).to.equal('Jonas Weber');
      expect(field(el, 'email').value).to.equal('jonas@brightline.example');
      // Nothing of customer 42 stays on screen under customer 43: what 43 has no value for is
      // empty, the focused field included.
      expect(field(el, 'phone').value).to.equal('');
      expect(field(el, 'notes').value).to.equal('');
      expect(field<HTMLSelectElement>(el, 'status').value).to.equal('');
      expect(field(el, 'value').value).to.equal('');
      expect(field(el, 'vip').checked).to.equal(false);
      const products = el.querySelectorAll<HTMLInputElement>('[name="products"]');
      expect([...products].filter((p) => p.checked)).to.have.length(0);
      expect(el.dirtyFields).to.deep.equal([]);
      expect(fake.client.heldRooms().has(ROOM)).to.equal(false);
      expect(fake.client.heldRooms().has('customer:43')).to.equal(true);
      // And back: 42's values return.
      el.entityId = '42';
      await settle({ fake, el });
      expect(field(el, 'phone').value).to.equal('+44 20 7946 0321');
      expect(field(el, 'vip').checked).to.equal(true);
    });

    it('takes fields added later', async () => {
      const { fake, el, form } = await mount();
      const added = document.createElement('input');
      added.name = 'city';
      form.append(added);
      fake.server.entities.remoteUpdate('customer', '42', { city: 'London' }, BEN);
      await settle({ fake, el });
      expect(added.value).to.equal('London');
      expect(el.fieldNames).to.include('city');
    });
  });

  describe('presence', () => {
    it('reports focus as editing that field and blur as viewing', async () => {
      const { fake, el } = await mount();
      const activities = () =>
        fake.server
          .received('presence')
          .filter((f) => f.room === ROOM)
          .map((f) => (f.state.activity.kind === 'editing' ? f.state.activity.field : 'viewing'));
      field(el, 'email').focus();
      await settle({ fake, el });
      expect(activities().at(-1)).to.equal('email');
      // Moving between fields says "editing" for the next one, never "viewing" in between.
      field(el, 'phone').focus();
      await settle({ fake, el });
      expect(activities().slice(-2)).to.deep.equal(['email', 'phone']);
      field(el, 'phone').blur();
      await settle({ fake, el });
      expect(activities().at(-1)).to.equal('viewing');
      // The others see it as the server aggregates it.
      expect(
        fake.server.people(ROOM).find((p) => p.user.id === DEMO_USER.id)?.activity,
      ).to.deep.equal({ kind: 'viewing' });
    });

    it('shows who else edits a field: ring, name tab and an accessible description', async () => {
      const { fake, el } = await mount();
      fake.server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'email' } });
      await settle({ fake, el });
      const email = field(el, 'email');
      expect(email.getAttribute('data-crm-editing')).to.equal('Ben Carter');
      expect(email.style.getPropertyValue('--crm-editor-color')).to.equal(avatarColor('ben'));
      expect(getComputedStyle(email).boxShadow).to.contain('0px 0px 0px 2px');
      expect(tabsOf(el, 'email')).to.deep.equal(['Ben Carter']);
      expect(descriptionOf(email)).to.equal('Ben Carter is editing this field.');
      // The tab sits on the field's top edge, at its end.
      const tab = shadow(el).querySelector<HTMLElement>('.tabs[data-field="email"]')!;
      const t = tab.getBoundingClientRect();
      const f = email.getBoundingClientRect();
      expect(Math.abs(t.bottom - f.top)).to.be.below(1.5);
      expect(Math.abs(t.right - f.right)).to.be.below(1.5);

      // A second person on the same field; then both move on.
      fake.server.addPerson(ROOM, CHLOE, { activity: { kind: 'editing', field: 'email' } });
      await settle({ fake, el });
      expect(tabsOf(el, 'email')).to.deep.equal(['Ben Carter', 'Chloé Martin']);
      expect(descriptionOf(email)).to.equal('Ben Carter and Chloé Martin are editing this field.');
      fake.server.setPersonActivity(ROOM, 'ben', { kind: 'viewing' });
      fake.server.removePerson(ROOM, 'chloe');
      await settle({ fake, el });
      expect(email.hasAttribute('data-crm-editing')).to.equal(false);
      expect(email.hasAttribute('aria-describedby')).to.equal(false);
      expect(tabsOf(el, 'email')).to.deep.equal([]);
    });

    it('name tabs follow a field scrolled inside a container, and hide when it is out of view', async () => {
      const { fake, el, form } = await mount();
      // The form scrolls inside a fixed-height panel, as in a dialog or a side sheet.
      const panel = document.createElement('div');
      panel.style.cssText = 'height: 160px; overflow: auto;';
      form.before(panel);
      panel.append(form);
      fake.server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'email' } });
      await settle({ fake, el });
      const email = field(el, 'email');
      const tab = shadow(el).querySelector<HTMLElement>('.tabs[data-field="email"]')!;
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(null)));
      const gap = () =>
        Math.abs(tab.getBoundingClientRect().bottom - email.getBoundingClientRect().top);
      expect(tab.hidden).to.equal(false);
      expect(gap()).to.be.below(1.5);

      // A little: the field is still in view, lower by 20px; its tab moves with it.
      panel.scrollTop = 20;
      await oneEvent(panel, 'scroll');
      await frame();
      await frame();
      expect(tab.hidden).to.equal(false);
      expect(gap()).to.be.below(1.5);

      // Far: the field is above the panel's top edge; its tab must not float over other fields.
      panel.scrollTop = panel.scrollHeight;
      await oneEvent(panel, 'scroll');
      await frame();
      await frame();
      expect(email.getBoundingClientRect().top).to.be.below(panel.getBoundingClientRect().top);
      expect(tab.hidden).to.equal(true);

      // Back: shown again, in place.
      panel.scrollTop = 0;
      await oneEvent(panel, 'scroll');
      await frame();
      await frame();
      expect(tab.hidden).to.equal(false);
      expect(gap()).to.be.below(1.5);
    });

    it("marks a radio group on its fieldset and keeps the page's own descriptions", async () => {
      const { fake, el } = await mount();
      const phone = field(el, 'phone');
      phone.setAttribute('aria-describedby', 'page-hint');
      fake.server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'channel' } });
      fake.server.addPerson(ROOM, CHLOE, { activity: { kind: 'editing', field: 'phone' } });
      await settle({ fake, el });
      const fieldset = field(el, 'channel').closest('fieldset')!;
      expect(fieldset.getAttribute('data-crm-editing')).to.equal('Ben Carter');
      for (const radio of el.querySelectorAll<HTMLInputElement>('[name="channel"]')) {
        expect(descriptionOf(radio)).to.equal('Ben Carter is editing this field.');
      }
      expect(phone.getAttribute('aria-describedby')!.split(' ')[0]).to.equal('page-hint');
      fake.server.removePerson(ROOM, 'chloe');
      await settle({ fake, el });
      expect(phone.getAttribute('aria-describedby')).to.equal('page-hint');
    });

    it('announces someone starting to edit the field the user is in', async () => {
      const { fake, el } = await mount();
      field(el, 'notes').focus();
      fake.server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'notes' } });
      await settle({ fake, el });
      const live = shadow(el).querySelector('[aria-live="polite"]:not([role])');
      expect(live?.textContent?.trim()).to.equal('Ben Carter is now editing Notes too.');
    });

    it("names a field by its label's text, not the comments a framework renders in it", async () => {
      const { fake, el } = await mount();
      // The stories' form is rendered by Lit (its labels hold binding markers); Vue and Angular
      // leave comments of their own.
      const label = el.querySelector('label[for="f-notes"]')!;
      label.prepend(document.createComment('bindings={"ng-reflect-ng-if": "true"}'));
      label.append(document.createComment('v-if'));
      field(el, 'notes').focus();
      fake.server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'notes' } });
      await settle({ fake, el });
      const live = shadow(el).querySelector('[aria-live="polite"]:not([role])');
      expect(live?.textContent?.trim()).to.equal('Ben Carter is now editing Notes too.');
    });
  });

  describe('remote changes', () => {
    it('apply at once to untouched fields, with a highlight; never under the cursor', async () => {
      const { fake, el } = await mount();
      const phone = field(el, 'phone');
      const email = field(el, 'email');
      email.focus();
      fake.server.entities.remoteUpdate(
        'customer',
        '42',
        { phone: '+44 20 0000 0000', email: 'ben@changed.example' },
        BEN,
      );
      await settle({ fake, el });
      expect(phone.value).to.equal('+44 20 0000 0000');
      expect(phone.hasAttribute('data-crm-updated')).to.equal(true);
      expect(email.value).to.equal('m.holloway@northwind.example');
      // The focused field says someone changed it meanwhile.
      expect(email.hasAttribute('data-crm-held')).to.equal(true);
      expect(tabsOf(el, 'email')).to.deep.equal(['Changed by Ben Carter']);
      expect(descriptionOf(email)).to.contain(
        'Ben Carter changed this field while you were editing',
      );
      // Both said at once: the field written, and the one held back under the cursor.
      const live = shadow(el).querySelector('[aria-live="polite"]:not([role])');
      expect(live?.textContent?.trim()).to.equal(
        'Ben Carter changed Phone. Ben Carter changed Email while you were editing; your text ' +
          'stays, and saving asks which version to keep.',
      );
      await fake.clock.advance(1600);
      expect(phone.hasAttribute('data-crm-updated')).to.equal(false);
      // Leaving the field without changing it shows the other person's value.
      email.blur();
      await settle({ fake, el });
      expect(email.value).to.equal('ben@changed.example');
      expect(email.hasAttribute('data-crm-held')).to.equal(false);
    });

    it('announce a change held back in the field the user edits, once', async () => {
      const { fake, el } = await mount();
      const email = field(el, 'email');
      type(email, 'mine@example.com', false);
      fake.server.entities.remoteUpdate('customer', '42', { email: 'ben@changed.example' }, BEN);
      await settle({ fake, el });
      const live = () =>
        shadow(el).querySelector('[aria-live="polite"]:not([role])')?.textContent?.trim();
      expect(live()).to.equal(
        'Ben Carter changed Email while you were editing; your text stays, and saving asks ' +
          'which version to keep.',
      );
      // Another change elsewhere says only that one.
      fake.server.entities.remoteUpdate('customer', '42', { phone: '+44 20 0000 0001' }, BEN);
      await settle({ fake, el });
      expect(live()).to.equal('Ben Carter changed Phone.');
    });

    it('start a running highlight over without laying the page out', async () => {
      const { fake, el } = await mount();
      const phone = field(el, 'phone');
      let layoutReads = 0;
      // Reading a box's size is what makes the browser lay the page out on the spot.
      Object.defineProperty(phone, 'offsetWidth', {
        configurable: true,
        get: () => {
          layoutReads++;
          return 0;
        },
      });
      // Long enough that the browser's own animation is still running at every check, however
      // slow the machine (the mark itself goes on the element's clock, the fake one).
      phone.style.setProperty('--crm-collaborative-form-highlight-duration', '600s');
      const animationName = () =>
        phone.getAnimations().map((a) => (a as CSSAnimation).animationName);
      fake.server.entities.remoteUpdate('customer', '42', { phone: '+44 1' }, BEN);
      await settle({ fake, el });
      expect(animationName()).to.deep.equal(['crm-field-updated']);
      await fake.clock.advance(1000);
      fake.server.entities.remoteUpdate('customer', '42', { phone: '+44 2' }, BEN);
      await settle({ fake, el });
      // A new animation: the highlight runs its whole length again.
      expect(animationName()).to.deep.equal(['crm-field-updated-again']);
      await fake.clock.advance(1000);
      fake.server.entities.remoteUpdate('customer', '42', { phone: '+44 3' }, BEN);
      await settle({ fake, el });
      expect(animationName()).to.deep.equal(['crm-field-updated']);
      expect(layoutReads).to.equal(0);
      // Its whole length after the last change, not after the first.
      await fake.clock.advance(1599);
      expect(phone.hasAttribute('data-crm-updated')).to.equal(true);
      await fake.clock.advance(1);
      expect(phone.hasAttribute('data-crm-updated')).to.equal(false);
    });

    it('keep a field the user changed but left', async () => {
      const { fake, el } = await mount();
      const phone = field(el, 'phone');
      type(phone, '+1 555 0100');
      phone.blur();
      fake.server.entities.remoteUpdate('customer', '42', { phone: '+44 1', name: 'M. H.' }, BEN);
      await settle({ fake, el });
      expect(phone.value).to.equal('+1 555 0100');
      expect(field(el, 'name').value).to.equal('M. H.');
      expect(el.dirtyFields).to.deep.equal(['phone']);
    });

    it('do not flash under reduced motion', async () => {
      await emulateMedia({ reducedMotion: 'reduce' });
      const { fake, el } = await mount();
      fake.server.entities.remoteUpdate('customer', '42', { phone: '+44 2' }, BEN);
      await settle({ fake, el });
      expect(field(el, 'phone').value).to.equal('+44 2');
      expect(field(el, 'phone').hasAttribute('data-crm-updated')).to.equal(false);
    });

    it('tell the page what changed', async () => {
      const { fake, el } = await mount();
      const event = next(el, 'crm-form-change');
      fake.server.entities.remoteUpdate('customer', '42', { status: 'Customer' }, BEN);
      await settle({ fake, el });
      const { changed, source, data } = await event;
      expect(changed).to.deep.equal(['status']);
      expect(source).to.equal('remote');
      expect(data['status']).to.equal('Customer');
      expect(field<HTMLSelectElement>(el, 'status').value).to.equal('Customer');
    });
  });

  describe('saving', () => {
    it('sends the changed fields on submit: shown at once, then confirmed', async () => {
      const { fake, el, form } = await mount();
      fake.server.setLatency(50);
      type(field(el, 'email'), 'margaret@northwind.example');
      type(field(el, 'value'), '52000');
      expect(statusText(el)).to.equal('Up to date');
      await el.updateComplete;
      expect(statusText(el)).to.equal('2 unsaved changes');
      const saveRequest = next(el, 'crm-form-save');
      form.requestSubmit();
      const request = await saveRequest;
      expect(request.fields).to.deep.equal({ email: 'margaret@northwind.example', value: 52000 });
      await el.updateComplete;
      expect(el.status).to.equal('saving');
      expect(statusText(el)).to.equal('Saving…');
      expect(tabsOf(el, 'email')).to.deep.equal(['Saving…']);
      expect(field(el, 'email').getAttribute('data-crm-saving')).to.equal('pending');
      expect(el.data['email']).to.equal('margaret@northwind.example');
      expect(fake.server.entities.get('customer', '42')?.version).to.equal(1);

      const saved = next(el, 'crm-form-saved');
      await fake.clock.advance(200);
      const confirmed = await saved;
      expect(confirmed.version).to.equal(2);
      await settle({ fake, el });
      expect(statusText(el)).to.equal('Saved');
      expect(tabsOf(el, 'email')).to.deep.equal([]);
      expect(field(el, 'email').hasAttribute('data-crm-saving')).to.equal(false);
      const stored = fake.server.entities.get('customer', '42')!;
      expect(stored.version).to.equal(2);
      expect(stored.fields['email']).to.equal('margaret@northwind.example');
      expect(stored.fields['value']).to.equal(52000);
      expect(stored.fields['name']).to.equal('Margaret Holloway');
      expect(fake.server.received('entity.update')).to.have.length(1);
    });

    it("sends the update during the submit event's dispatch, before it renders the pending state", async () => {
      const { el, form } = await mount();
      type(field(el, 'email'), 'margaret@northwind.example');
      await el.updateComplete;
      // What leaves the page's socket, as it leaves (the fake server reads it after its latency).
      const sent: string[] = [];
      const send = FakeSocket.prototype.send;
      FakeSocket.prototype.send = function (this: FakeSocket, data: string) {
        if (data.includes('"entity.update"')) sent.push(data);
        send.call(this, data);
      };
      try {
        let sentWhenDispatched = -1;
        let renderedWhenDispatched = true;
        // A bubbling listener on the document runs after the element's capturing one.
        const afterForm = () => {
          sentWhenDispatched = sent.length;
          renderedWhenDispatched = field(el, 'email').hasAttribute('data-crm-saving');
        };
        document.addEventListener('submit', afterForm, { once: true });
        form.requestSubmit();
        expect(sentWhenDispatched).to.equal(1, 'the frame left within the submit event');
        expect(renderedWhenDispatched).to.equal(false, 'the pending state rendered after it');
        await el.updateComplete;
        expect(field(el, 'email').getAttribute('data-crm-saving')).to.equal('pending');
      } finally {
        FakeSocket.prototype.send = send;
      }
    });

    it('sends checkbox groups, radios, multiple selects and custom elements as JSON', async () => {
      const { fake, el } = await mount();
      const driver = el.querySelector<HTMLInputElement>('[name="products"][value="driver"]')!;
      driver.click();
      el.querySelector<HTMLInputElement>('[name="channel"][value="visit"]')!.click();
      field(el, 'vip').click();
      const regions = field<HTMLSelectElement>(el, 'regions');
      regions.options[2]!.selected = true;
      regions.dispatchEvent(new Event('change', { bubbles: true }));
      const rating = field<DemoRating>(el, 'rating');
      rating.focus();
      await sendKeys({ press: 'ArrowRight' });
      expect(await el.save()).to.have.property('state', 'confirmed');
      const stored = fake.server.entities.get('customer', '42')!.fields;
      expect(stored['products']).to.deep.equal(['fleet', 'tracking', 'driver']);
      expect(stored['channel']).to.equal('visit');
      expect(stored['vip']).to.equal(false);
      expect(stored['regions']).to.deep.equal(['uk', 'us']);
      expect(stored['rating']).to.equal(5);
    });

    it('lets the page veto a save', async () => {
      const { fake, el, form } = await mount();
      el.addEventListener('crm-form-save', (e) => e.preventDefault(), { once: true });
      type(field(el, 'email'), 'not@yet.example');
      form.requestSubmit();
      await settle({ fake, el });
      expect(fake.server.received('entity.update')).to.have.length(0);
      expect(el.dirtyFields).to.deep.equal(['email']);
      expect(statusText(el)).to.equal('Unsaved change');
    });

    it('shows a tab in full wherever its width falls between two pixels', async () => {
      // The group was capped at its width rounded to a whole pixel: 92.17 px wide, capped at 92,
      // "Not saved" read "Not sav…" with room to spare. Each size below gives another fraction.
      const cut: string[] = [];
      for (const size of [13, 13.3, 13.6, 14.1, 14.4, 14.7, 15.2, 15.5]) {
        const { fake, el, form } = await mount();
        el.style.fontSize = `${size}px`;
        fake.server.entities.authorize = (user, _e, access) =>
          access === 'read' || user.id !== DEMO_USER.id;
        type(field(el, 'email'), 'nope@northwind.example');
        const failed = next(el, 'crm-form-error');
        form.requestSubmit();
        await failed;
        await settle({ fake, el });
        const text = shadow(el).querySelector<HTMLElement>('.tabs[data-field="email"] .tab-text')!;
        // Whole pixels (scrollWidth) hide a cut of a fraction of one: the text's own box tells.
        const range = document.createRange();
        range.selectNodeContents(text);
        const overflow = range.getBoundingClientRect().width - text.getBoundingClientRect().width;
        if (overflow > 0.01) cut.push(`${size}px: ${overflow.toFixed(2)} px`);
        el.remove();
      }
      expect(cut).to.deep.equal([]);
    });

    it('rolls a refused save back and says so, with the edits one click away', async () => {
      const { fake, el, form } = await mount();
      fake.server.entities.authorize = (user, _e, access) =>
        access === 'read' || user.id !== DEMO_USER.id;
      const email = field(el, 'email');
      type(email, 'nope@northwind.example');
      const failed = next(el, 'crm-form-error');
      form.requestSubmit();
      const error = await failed;
      expect(error.phase).to.equal('save');
      expect(error.error.code).to.equal('forbidden');
      expect(error.fields).to.deep.equal({ email: 'nope@northwind.example' });
      await settle({ fake, el });
      // Rolled back even though the focus is still in the field (submitted with Enter).
      expect(email.value).to.equal('m.holloway@northwind.example');
      expect(email.hasAttribute('data-crm-error')).to.equal(true);
      expect(tabsOf(el, 'email')).to.deep.equal(['Not saved']);
      expect(statusText(el)).to.equal('Not saved');
      const alert = shadow(el).querySelector('[role="alert"]');
      expect(alert?.textContent?.replace(/\s+/g, ' ').trim()).to.contain(
        'Could not save Email: you may not change this record. The saved value is shown again.',
      );
      shadow(el).querySelector<HTMLButtonElement>('[part~="restore"]')!.click();
      await el.updateComplete;
      expect(email.value).to.equal('nope@northwind.example');
      expect(el.dirtyFields).to.deep.equal(['email']);
      expect(shadow(el).querySelector('[role="alert"]')).to.equal(null);
      expect(email.hasAttribute('data-crm-error')).to.equal(false);
    });

    it('saves shortly after each change with save-mode="change"', async () => {
      const { fake, el } = await mount({ saveMode: 'change' });
      type(field(el, 'phone'), '+44 20 1111 2222');
      await settle({ fake, el });
      expect(fake.server.received('entity.update')).to.have.length(0);
      type(field(el, 'name'), 'Margaret H.');
      await fake.clock.advance(399);
      expect(fake.server.received('entity.update')).to.have.length(0);
      await fake.clock.advance(1);
      await settle({ fake, el });
      const updates = fake.server.received('entity.update');
      expect(updates).to.have.length(1);
      expect(updates[0]!.fields).to.deep.equal({ phone: '+44 20 1111 2222', name: 'Margaret H.' });
      expect(statusText(el)).to.equal('Saved');
    });

    it('queues saves offline, says how many wait, and sends them once on return', async () => {
      const { fake, el, form } = await mount();
      fake.server.refuseConnections(true);
      fake.server.dropConnections();
      await settle({ fake, el });
      type(field(el, 'phone'), '+44 1');
      form.requestSubmit();
      type(field(el, 'name'), 'Maggie');
      form.requestSubmit();
      await settle({ fake, el });
      expect(statusText(el)).to.equal('2 changes waiting offline');
      expect(tabsOf(el, 'phone')).to.deep.equal(['Waiting offline']);
      fake.server.refuseConnections(false);
      await fake.clock.advance(30_000);
      await settle({ fake, el });
      expect(statusText(el)).to.equal('Saved');
      const stored = fake.server.entities.get('customer', '42')!;
      expect(stored.version).to.equal(3);
      expect(stored.fields['phone']).to.equal('+44 1');
      expect(stored.fields['name']).to.equal('Maggie');
    });

    it('queues a save at once when the browser goes offline, never showing "Saving…"', async () => {
      const { fake, el, form } = await mount();
      fake.server.blackhole(true); // the network is gone and the socket has not noticed
      fake.environment.setOnline(false);
      type(field(el, 'phone'), '+44 2');
      form.requestSubmit();
      await settle({ fake, el }); // no time passes: the heartbeat has not had its 10 s
      expect(statusText(el)).to.equal('1 change waiting offline');
      expect(fake.server.received('entity.update')).to.have.length(0);
      fake.server.blackhole(false);
      fake.environment.setOnline(true);
      // No backoff wait, no time on the test's clock: `online` reconnects at once. The resend
      // waits for the browser's Web Locks, real tasks a busy machine may delay past a few rounds.
      await waitUntil(
        async () => {
          await settle({ fake, el });
          return statusText(el) === 'Saved';
        },
        'saved once back online',
        { timeout: 10_000 },
      );
      expect(fake.server.entities.get('customer', '42')!.fields['phone']).to.equal('+44 2');
    });

    it('leaves "Saving…" for "waiting offline" when the link died unnoticed, in seconds', async () => {
      const { fake, el, form } = await mount();
      await fake.clock.advance(5_000); // the form has been open a while: the link is quiet
      fake.server.blackhole(true); // the Wi-Fi dropped: no close, no frames
      type(field(el, 'phone'), '+44 3');
      form.requestSubmit();
      await settle({ fake, el });
      expect(statusText(el)).to.equal('Saving…');
      await fake.clock.advance(5_000); // the probe's deadline, not the 15 s request timeout
      await settle({ fake, el });
      expect(fake.client.status.state).to.equal('reconnecting');
      expect(statusText(el)).to.equal('1 change waiting offline');
      expect(tabsOf(el, 'phone')).to.deep.equal(['Waiting offline']);
      fake.server.blackhole(false);
      await fake.clock.advance(30_000);
      await settle({ fake, el });
      expect(statusText(el)).to.equal('Saved');
      expect(fake.server.received('entity.update')).to.have.length(1);
      expect(fake.server.entities.get('customer', '42')!.fields['phone']).to.equal('+44 3');
    });

    it("leaves the page's own submit alone without a provider", async () => {
      const el = await fixture<CrmCollaborativeForm>(
        html`<crm-collaborative-form entity-type="customer" entity-id="42"
          >${customerForm()}</crm-collaborative-form
        >`,
      );
      field(el, 'name').value = 'Plain';
      expect(submitPrevented(el.querySelector('form')!)).to.equal(false);
      expect(el.status).to.equal('unavailable');
      expect(statusText(el)).to.equal('Not connected');
    });
  });

  describe('values a script sets', () => {
    it('count as changed at once, are saved, and the save warns once naming the field', async () => {
      // What a framework that controls its inputs does on a re-render: its own state, no event.
      const warnings = recordWarnings();
      try {
        const { fake, el, form } = await mount();
        const phone = field(el, 'phone');
        phone.value = '';
        expect(el.dirtyFields).to.deep.equal(['phone']);
        type(field(el, 'email'), 'typed@northwind.example');
        form.requestSubmit();
        await settle({ fake, el });
        expect(fake.server.entities.get('customer', '42')!.fields['phone']).to.equal('');
        const said = warnings.messages.filter((w) => w.includes('no input or change event'));
        expect(said).to.have.length(1);
        expect(said[0]).to.contain('"phone"').and.contain('uncontrolled');
        expect(warnings.messages.join('\n')).to.not.contain('"email"');
        phone.value = '+44 1';
        form.requestSubmit();
        await settle({ fake, el });
        expect(
          warnings.messages.filter((w) => w.includes('no input or change event')),
        ).to.have.length(1);
      } finally {
        warnings.restore();
      }
    });
  });

  describe('an entity the client refuses', () => {
    it('says it could not load the record, warns once, and stays a plain form', async () => {
      const warnings = recordWarnings();
      try {
        const m = await mountForm();
        m.el.entityId = 'not an id!';
        await settle(m);
        m.el.requestUpdate();
        await settle(m);
        expect(m.el.status).to.equal('load-error');
        expect(statusText(m.el)).to.equal('Could not load this record');
        const said = warnings.messages.filter((w) => w.includes('not an id!'));
        expect(said).to.have.length(1);
        expect(said[0]).to.contain('<crm-collaborative-form> cannot follow');
        expect(submitPrevented(m.form), 'the page submits the form itself').to.equal(false);
      } finally {
        warnings.restore();
      }
    });
  });

  describe('conflicts', () => {
    /** The user edits `mine`; Ben saves `theirs` to the same fields first; the user submits. */
    async function conflictOn(
      mine: Record<string, string>,
      theirs: Record<string, string>,
      options: Parameters<typeof mount>[0] = {},
    ) {
      const mounted = await mount(options);
      const { fake, el, form } = mounted;
      for (const [name, value] of Object.entries(mine)) type(field(el, name), value);
      fake.server.entities.remoteUpdate('customer', '42', theirs, BEN);
      await settle({ fake, el });
      const conflict = next(el, 'crm-form-conflict');
      form.requestSubmit();
      await conflict;
      await settle({ fake, el });
      const dialog = dialogOf(el)!;
      await dialog.updateComplete;
      return { ...mounted, dialog };
    }
    const radio = (dialog: Element, index: number, side: 'mine' | 'theirs') =>
      dialog.shadowRoot!.querySelector<HTMLInputElement>(
        `input[name="f${index}"][value="${side}"]`,
      )!;
    const button = (dialog: Element, part: string) =>
      dialog.shadowRoot!.querySelector<HTMLButtonElement>(`[part~="${part}"]`)!;

    it('opens the dialog with mine, theirs, the value before, and who', async () => {
      const { el, dialog } = await conflictOn(
        { email: 'mine@northwind.example' },
        { email: 'ben@northwind.example' },
      );
      expect(dialog.open).to.equal(true);
      expect(dialog.conflictedFields).to.deep.equal(['email']);
      expect(dialog.localData).to.deep.equal({ email: 'mine@northwind.example' });
      expect(dialog.remoteData).to.deep.equal({ email: 'ben@northwind.example' });
      expect(dialog.baseData).to.deep.equal({ email: 'm.holloway@northwind.example' });
      expect(dialog.remoteAuthor?.name).to.equal('Ben Carter');
      expect(dialog.fieldLabels).to.deep.equal({ email: 'Email' });
      expect(dialog.entityLabel).to.equal('Northwind Logistics');
      expect(field(el, 'email').value).to.equal('mine@northwind.example');
      expect(statusText(el)).to.equal('Conflict: choose which version to keep');
      expect(field(el, 'email').hasAttribute('data-crm-conflict')).to.equal(true);
      // The error ring, as a refused field has (only a fieldset takes it as its border).
      expect(getComputedStyle(field(el, 'email')).boxShadow).to.contain('0px 0px 0px 2px');
      expect(tabsOf(el, 'email')).to.deep.equal(['Conflict']);
      expect(descriptionOf(field(el, 'email'))).to.contain('Someone else saved this field too');
    });

    it('without entity-label, names the record as the feed and notifications do', async () => {
      // A customer is its company (Ben's save gave it one), as in its activity items.
      const { dialog } = await conflictOn(
        { email: 'mine@northwind.example' },
        { email: 'ben@northwind.example', company: 'Northwind Logistics' },
        { entityLabel: '' },
      );
      expect(dialog.entityLabel).to.equal('Northwind Logistics');
      expect(dialog.shadowRoot!.querySelector('[part~="description"]')?.textContent).to.contain(
        'Northwind Logistics',
      );
    });

    it('"theirs" stores and shows theirs', async () => {
      const { fake, el, dialog } = await conflictOn(
        { email: 'mine@northwind.example' },
        { email: 'ben@northwind.example' },
      );
      radio(dialog, 0, 'theirs').click();
      await dialog.updateComplete;
      button(dialog, 'button-primary').click();
      await settle({ fake, el });
      expect(fake.server.entities.get('customer', '42')!.fields['email']).to.equal(
        'ben@northwind.example',
      );
      expect(field(el, 'email').value).to.equal('ben@northwind.example');
      expect(el.status).to.not.equal('conflict');
      expect(dialogOf(el)).to.equal(null);
      expect(field(el, 'email').hasAttribute('data-crm-conflict')).to.equal(false);
    });

    it('"mine" stores mine over theirs', async () => {
      const { fake, el, dialog } = await conflictOn(
        { email: 'mine@northwind.example' },
        { email: 'ben@northwind.example' },
      );
      const saved = next(el, 'crm-form-saved');
      button(dialog, 'button-primary').click();
      expect((await saved).fields).to.deep.equal({ email: 'mine@northwind.example' });
      await settle({ fake, el });
      const stored = fake.server.entities.get('customer', '42')!;
      expect(stored.fields['email']).to.equal('mine@northwind.example');
      expect(stored.version).to.equal(3);
      expect(field(el, 'email').value).to.equal('mine@northwind.example');
      expect(statusText(el)).to.equal('Saved');
    });

    it('per field: each field stores the side chosen for it', async () => {
      const { fake, el, dialog } = await conflictOn(
        { email: 'mine@northwind.example', phone: '+1 mine', notes: 'only mine' },
        { email: 'ben@northwind.example', phone: '+44 ben' },
      );
      expect(dialog.conflictedFields).to.deep.equal(['email', 'phone']);
      radio(dialog, 1, 'theirs').click();
      await dialog.updateComplete;
      button(dialog, 'button-primary').click();
      await settle({ fake, el });
      const stored = fake.server.entities.get('customer', '42')!.fields;
      expect(stored['email']).to.equal('mine@northwind.example');
      expect(stored['phone']).to.equal('+44 ben');
      // The field nobody else touched went along.
      expect(stored['notes']).to.equal('only mine');
      expect(field(el, 'phone').value).to.equal('+44 ben');
    });

    it('"take all theirs" keeps only the fields nobody else changed', async () => {
      const { fake, el, dialog } = await conflictOn(
        { email: 'mine@northwind.example', phone: '+1 mine', notes: 'only mine' },
        { email: 'ben@northwind.example', phone: '+44 ben' },
      );
      button(dialog, 'button-theirs').click();
      await settle({ fake, el });
      const stored = fake.server.entities.get('customer', '42')!.fields;
      expect(stored['email']).to.equal('ben@northwind.example');
      expect(stored['phone']).to.equal('+44 ben');
      expect(stored['notes']).to.equal('only mine');
    });

    it('merges disjoint fields without a dialog', async () => {
      const { fake, el, form } = await mount();
      let conflicts = 0;
      el.addEventListener('crm-form-conflict', () => conflicts++);
      type(field(el, 'email'), 'mine@northwind.example');
      fake.server.entities.remoteUpdate('customer', '42', { phone: '+44 ben' }, BEN);
      await settle({ fake, el });
      expect(field(el, 'phone').value).to.equal('+44 ben');
      form.requestSubmit();
      await settle({ fake, el });
      expect(conflicts).to.equal(0);
      expect(dialogOf(el)).to.equal(null);
      const stored = fake.server.entities.get('customer', '42')!;
      expect(stored.fields['email']).to.equal('mine@northwind.example');
      expect(stored.fields['phone']).to.equal('+44 ben');
      expect(stored.version).to.equal(3);
    });

    it('lets the page take a conflict over', async () => {
      const mounted = await mount();
      const { fake, el, form } = mounted;
      el.addEventListener('crm-form-conflict', (e) => {
        e.preventDefault();
        void e.conflict.resolve({ email: 'page decided' });
      });
      type(field(el, 'email'), 'mine@x.example');
      fake.server.entities.remoteUpdate('customer', '42', { email: 'ben@x.example' }, BEN);
      await settle({ fake, el });
      form.requestSubmit();
      await settle({ fake, el });
      expect(dialogOf(el)?.open ?? false).to.equal(false);
      expect(fake.server.entities.get('customer', '42')!.fields['email']).to.equal('page decided');
    });
  });

  describe('keyboard', () => {
    describe('Tab and typing', () => {
      it("moves through the page's fields in order and says which one the user edits", async () => {
        const { fake, el } = await mount();
        field(el, 'name').focus();
        await sendKeys({ press: 'Tab' });
        expect(document.activeElement).to.equal(field(el, 'email'));
        await settle({ fake, el });
        const last = fake.server.received('presence').at(-1);
        expect(last?.state.activity).to.deep.equal({ kind: 'editing', field: 'email' });
      });
    });

    describe('Enter', () => {
      it('in a text field saves what was typed', async () => {
        const { fake, el } = await mount();
        const phone = field(el, 'phone');
        phone.focus();
        phone.select();
        await sendKeys({ type: '+44 7700 900123' });
        await sendKeys({ press: 'Enter' });
        await settle({ fake, el });
        expect(fake.server.entities.get('customer', '42')!.fields['phone']).to.equal(
          '+44 7700 900123',
        );
        expect(document.activeElement).to.equal(phone);
      });
    });

    describe('Escape', () => {
      it('in the conflict dialog keeps the edits; "Resolve…" brings it back', async () => {
        const { fake, el, form } = await mount();
        type(field(el, 'email'), 'mine@northwind.example');
        fake.server.entities.remoteUpdate('customer', '42', { email: 'ben@x.example' }, BEN);
        await settle({ fake, el });
        form.requestSubmit();
        await settle({ fake, el });
        const dialog = dialogOf(el)!;
        expect(dialog.open).to.equal(true);
        await sendKeys({ press: 'Escape' });
        await settle({ fake, el });
        expect(dialog.open).to.equal(false);
        expect(field(el, 'email').value).to.equal('mine@northwind.example');
        expect(el.status).to.equal('conflict');
        expect(tabsOf(el, 'email')).to.deep.equal(['Conflict']);
        const resolve = shadow(el).querySelector<HTMLButtonElement>('[part~="resolve"]')!;
        resolve.focus();
        await sendKeys({ press: 'Enter' });
        await settle({ fake, el });
        expect(dialogOf(el)!.open).to.equal(true);
        // The page behind has scrolled the form out of view.
        document.body.style.paddingBlockEnd = '4000px';
        window.scrollTo(0, el.getBoundingClientRect().bottom + window.scrollY + 500);
        // Enter keeps "yours", the preselected side.
        await sendKeys({ press: 'Enter' });
        await settle({ fake, el });
        expect(fake.server.entities.get('customer', '42')!.fields['email']).to.equal(
          'mine@northwind.example',
        );
        // "Resolve…" is gone with the conflict: the focus goes to the field, not to the page,
        // and the field comes into view.
        expect(document.activeElement).to.equal(field(el, 'email'));
        const box = field(el, 'email').getBoundingClientRect();
        document.body.style.paddingBlockEnd = '';
        expect(box.top >= 0 && box.bottom <= window.innerHeight, `field at ${box.top}`).to.equal(
          true,
        );
      });
    });
  });

  // axe walks the whole form and its dialog, once their entrance animations have ended.
  describe('accessibility', () => {
    it('passes axe when idle', async function () {
      const { el } = await mount();
      await expectAccessible(el);
    });

    it('passes axe with someone editing a field', async function () {
      const { fake, el } = await mount();
      fake.server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'email' } });
      fake.server.addPerson(ROOM, CHLOE, { activity: { kind: 'editing', field: 'channel' } });
      await settle({ fake, el });
      await expectAccessible(el);
    });

    it('passes axe while saving', async function () {
      const { fake, el, form } = await mount();
      fake.server.setLatency(100);
      type(field(el, 'phone'), '+44 3');
      form.requestSubmit();
      await el.updateComplete;
      expect(el.status).to.equal('saving');
      await expectAccessible(el);
    });

    it('passes axe after a refused save', async function () {
      const { fake, el, form } = await mount();
      fake.server.entities.authorize = (user, _e, access) =>
        access === 'read' || user.id !== DEMO_USER.id;
      type(field(el, 'phone'), '+44 4');
      form.requestSubmit();
      await settle({ fake, el });
      expect(shadow(el).querySelector('[role="alert"]')).to.not.equal(null);
      await expectAccessible(el);
    });

    it('passes axe in the dark theme, with someone editing and a refused save', async function () {
      document.documentElement.dataset['crmTheme'] = 'dark';
      try {
        const { fake, el, form } = await mount();
        fake.server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'email' } });
        fake.server.entities.authorize = (user, _e, access) =>
          access === 'read' || user.id !== DEMO_USER.id;
        type(field(el, 'phone'), '+44 6');
        form.requestSubmit();
        await settle({ fake, el });
        expect(tabsOf(el, 'phone')).to.deep.equal(['Not saved']);
        await expectAccessible(el);
      } finally {
        delete document.documentElement.dataset['crmTheme'];
      }
    });

    it('passes axe with the conflict dialog open', async function () {
      const { fake, el, form } = await mount();
      type(field<HTMLTextAreaElement>(el, 'notes'), 'mine');
      fake.server.entities.remoteUpdate('customer', '42', { notes: 'theirs' }, BEN);
      await settle({ fake, el });
      form.requestSubmit();
      await settle({ fake, el });
      expect(dialogOf(el)!.open).to.equal(true);
      await expectAccessible(el);
    });
  });

  describe('leaving the page', () => {
    it('lets go of the entity and presence, and takes its marks off the fields', async () => {
      const { fake, el } = await mount();
      fake.server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'email' } });
      field(el, 'phone').focus();
      await settle({ fake, el });
      const email = field(el, 'email');
      expect(email.hasAttribute('data-crm-editing')).to.equal(true);
      expect(fake.client.heldRooms().has(ROOM)).to.equal(true);
      const parent = el.parentElement!;
      el.remove();
      await settle({ fake, el });
      expect(fake.client.heldRooms().has(ROOM)).to.equal(false);
      expect(email.hasAttribute('data-crm-editing')).to.equal(false);
      expect(email.hasAttribute('aria-describedby')).to.equal(false);
      expect(email.style.getPropertyValue('--crm-editor-color')).to.equal('');
      expect(el.querySelector('[data-crm-field-note]')).to.equal(null);
      // Nothing reaches the fields any more.
      fake.server.entities.remoteUpdate('customer', '42', { email: 'after@x.example' }, BEN);
      await settle({ fake, el });
      expect(email.value).to.equal('m.holloway@northwind.example');
      // Back in the page, it follows the entity again.
      parent.append(el);
      await settle({ fake, el });
      expect(email.value).to.equal('after@x.example');
      expect(email.getAttribute('data-crm-editing')).to.equal('Ben Carter');
    });
  });
});
