/**
 * A submit saves the fields the user changed, and only those: a stored value the page's controls
 * have no way to show (a status its <select> offers no option for, a choice missing from a radio
 * group, an item a checkbox group has no box for, text in a number input) is never saved back
 * changed, while a value a script sets in a control that shows its value is saved like the user's.
 */
import { expect, oneEvent } from '@open-wc/testing';
import type { CrmFormSaveEvent } from '../../../../src/events/collaborative-form-events.js';
import { BEN, CUSTOMER } from '../../../../stories/collaborative-form.fixtures.js';
import { closeFakeConnections, recordWarnings } from '../../helpers/fake-connection.js';
import { field, mountForm, settle, type } from './fixture.js';

afterEach(() => closeFakeConnections());

/** The customer form on a record holding `fields` on top of the usual customer. */
const mountWith = (fields: Record<string, unknown>) =>
  mountForm({
    prepare: (fake) =>
      fake.server.entities.put({
        ...CUSTOMER,
        fields: { ...CUSTOMER.fields, ...fields } as typeof CUSTOMER.fields,
      }),
  });

/** A status the page's <select name="status"> has no option for (another team added it). */
const withUnlistedStatus = () => mountWith({ status: 'Churned' });

/** Submit and return what `crm-form-save` was about to save. */
async function submitted(mounted: Awaited<ReturnType<typeof mountForm>>) {
  const saving = oneEvent(mounted.el, 'crm-form-save') as unknown as Promise<CrmFormSaveEvent>;
  mounted.form.requestSubmit();
  const { fields } = await saving;
  await settle(mounted);
  return fields;
}

const stored = (m: Awaited<ReturnType<typeof mountForm>>) =>
  m.fake.server.entities.get('customer', '42')!.fields;

describe('<crm-collaborative-form> values its controls cannot show', () => {
  describe('a <select> without an option for the stored value', () => {
    it('saves only the field the user changed and keeps the stored status', async () => {
      const m = await withUnlistedStatus();
      expect(m.el.dirtyFields).to.deep.equal([]);
      type(field(m.el, 'phone'), '+44 20 7946 0999');
      expect(await submitted(m)).to.deep.equal({ phone: '+44 20 7946 0999' });
      expect(stored(m)['status']).to.equal('Churned');
      expect(stored(m)['phone']).to.equal('+44 20 7946 0999');
      expect(m.el.dirtyFields).to.deep.equal([]);
    });

    it('shows the stored value in a disabled option, not as a blank', async () => {
      const m = await withUnlistedStatus();
      const select = field<HTMLSelectElement>(m.el, 'status');
      expect(select.value).to.equal('Churned');
      const shown = select.selectedOptions[0]!;
      expect(shown.textContent).to.equal('Churned');
      expect(shown.disabled).to.equal(true);
      // The page's options are all still there, in their order, before it.
      expect([...select.options].map((o) => o.value)).to.deep.equal([
        'Lead',
        'Qualified',
        'Customer',
        'At risk',
        'Churned',
      ]);
    });

    it('saves an option the user picks; the added option goes when a listed value arrives', async () => {
      const m = await withUnlistedStatus();
      const select = field<HTMLSelectElement>(m.el, 'status');
      select.focus();
      select.value = 'Customer';
      select.dispatchEvent(new Event('input', { bubbles: true }));
      select.dispatchEvent(new Event('change', { bubbles: true }));
      expect(m.el.dirtyFields).to.deep.equal(['status']);
      expect(await submitted(m)).to.deep.equal({ status: 'Customer' });
      expect(stored(m)['status']).to.equal('Customer');
      expect([...select.options].some((o) => o.disabled)).to.equal(false);
      // Someone sets an unlisted value again: it shows, disabled, and goes when the element leaves.
      select.blur();
      m.fake.server.entities.remoteUpdate('customer', '42', { status: 'Dormant' }, BEN);
      await settle(m);
      expect(select.value).to.equal('Dormant');
      m.el.remove();
      expect([...select.options].map((o) => o.value)).to.deep.equal([
        'Lead',
        'Qualified',
        'Customer',
        'At risk',
      ]);
    });

    it('warns once, naming the field and the value', async () => {
      const warnings = recordWarnings();
      try {
        // A value of its own: each is said once per page, and the tests above said theirs.
        const m = await mountWith({ status: 'On hold' });
        // Another change to the record does not warn again.
        m.fake.server.entities.remoteUpdate('customer', '42', { phone: '+44 1' }, BEN);
        await settle(m);
        const said = warnings.messages.filter((w) => w.includes('"status"'));
        expect(said).to.have.length(1);
        expect(said[0]).to.match(/^crm-realtime: <crm-collaborative-form> /);
        expect(said[0]).to.contain('"On hold"');
      } finally {
        warnings.restore();
      }
    });
  });

  describe('other controls', () => {
    it('a radio group without that choice: not saved unless the user picks one', async () => {
      const m = await mountWith({ channel: 'fax' });
      const radios = [...m.el.querySelectorAll<HTMLInputElement>('[name="channel"]')];
      expect(radios.some((r) => r.checked)).to.equal(false);
      expect(m.el.dirtyFields).to.deep.equal([]);
      type(field(m.el, 'phone'), '+44 2');
      expect(await submitted(m)).to.deep.equal({ phone: '+44 2' });
      expect(stored(m)['channel']).to.equal('fax');
      radios[0]!.click();
      expect(await submitted(m)).to.deep.equal({ channel: 'email' });
    });

    it('a checkbox group keeps the items it has no box for, also when the user changes it', async () => {
      const m = await mountWith({ products: ['fleet', 'legacy-gps'] });
      type(field(m.el, 'phone'), '+44 3');
      expect(await submitted(m)).to.deep.equal({ phone: '+44 3' });
      const tracking = m.el.querySelector<HTMLInputElement>('[name="products"][value="tracking"]')!;
      tracking.click();
      expect(await submitted(m)).to.deep.equal({
        products: ['fleet', 'tracking', 'legacy-gps'],
      });
      expect(stored(m)['products']).to.deep.equal(['fleet', 'tracking', 'legacy-gps']);
    });

    it('a multiple select keeps the items it has no option for', async () => {
      const m = await mountWith({ regions: ['uk', 'apac'] });
      type(field(m.el, 'phone'), '+44 4');
      expect(await submitted(m)).to.deep.equal({ phone: '+44 4' });
      const regions = field<HTMLSelectElement>(m.el, 'regions');
      regions.focus();
      regions.options[1]!.selected = true;
      regions.dispatchEvent(new Event('change', { bubbles: true }));
      expect(await submitted(m)).to.deep.equal({ regions: ['uk', 'eu', 'apac'] });
    });

    it('a number input given text, and a date input given an instant, are not saved untouched', async () => {
      const m = await mountWith({ value: 'about 50k', renewal: '2025-09-30T10:00:00.000Z' });
      expect(field(m.el, 'value').value).to.equal('');
      expect(m.el.dirtyFields).to.deep.equal([]);
      type(field(m.el, 'phone'), '+44 5');
      expect(await submitted(m)).to.deep.equal({ phone: '+44 5' });
      expect(stored(m)['value']).to.equal('about 50k');
      expect(stored(m)['renewal']).to.equal('2025-09-30T10:00:00.000Z');
      type(field(m.el, 'value'), '52000');
      expect(await submitted(m)).to.deep.equal({ value: 52000 });
    });

    it('a text, checkbox and textarea the user changes and changes back are not saved', async () => {
      const m = await mountForm();
      type(field(m.el, 'name'), 'Someone else');
      type(field(m.el, 'name'), 'Margaret Holloway');
      field(m.el, 'vip').click();
      field(m.el, 'vip').click();
      type(field<HTMLTextAreaElement>(m.el, 'notes'), 'New notes');
      expect(m.el.dirtyFields).to.deep.equal(['notes']);
      expect(await submitted(m)).to.deep.equal({ notes: 'New notes' });
    });
  });

  describe('values set by script', () => {
    it("are saved like the user's, where the control shows what it was given", async () => {
      const m = await mountForm();
      field(m.el, 'email').value = 'script@northwind.example';
      type(field(m.el, 'phone'), '+44 6');
      expect(await submitted(m)).to.deep.equal({
        email: 'script@northwind.example',
        phone: '+44 6',
      });
    });
  });
});
