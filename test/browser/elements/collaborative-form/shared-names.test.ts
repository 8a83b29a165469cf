/**
 * Controls sharing a name show one field (a legacy page that repeats a field, say in a summary
 * row and in the detail table): the record goes into each, and what the user types into any of
 * them is what the field holds and saves, not what the first of them still shows.
 */
import { expect, oneEvent } from '@open-wc/testing';
import type { CrmFormSaveEvent } from '../../../../src/events/collaborative-form-events.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { mountForm, settle, type } from './fixture.js';

afterEach(() => closeFakeConnections());

/** A second control named like an existing one, added to the page's form, once picked up. */
async function withCopy(markup: string) {
  const m = await mountForm();
  m.form.insertAdjacentHTML('beforeend', markup);
  await settle(m);
  return m;
}

async function submitted(m: Awaited<ReturnType<typeof mountForm>>) {
  const saving = oneEvent(m.el, 'crm-form-save') as unknown as Promise<CrmFormSaveEvent>;
  m.form.requestSubmit();
  const { fields } = await saving;
  await settle(m);
  return fields;
}

describe('<crm-collaborative-form> controls sharing a name', () => {
  it('saves what the user typed into the second text input of a name', async () => {
    const m = await withCopy('<input id="phone-copy" name="phone" type="tel" />');
    const [first, copy] = m.form.querySelectorAll<HTMLInputElement>('[name="phone"]');
    expect(copy!.value).to.equal(first!.value);
    type(copy!, '+44 20 7946 0999');
    expect(first!.value).to.equal('+44 20 7946 0999');
    expect(m.el.dirtyFields).to.deep.equal(['phone']);
    expect(await submitted(m)).to.deep.equal({ phone: '+44 20 7946 0999' });
    expect(m.fake.server.entities.get('customer', '42')!.fields['phone']).to.equal(
      '+44 20 7946 0999',
    );
  });

  it('saves the options picked in the second multiple select of a name', async () => {
    const m = await withCopy(
      '<select name="regions" multiple><option value="uk">UK</option><option value="us">US</option></select>',
    );
    const [first, copy] = m.form.querySelectorAll<HTMLSelectElement>('[name="regions"]');
    for (const option of copy!.options) option.selected = option.value === 'us';
    copy!.dispatchEvent(new Event('change', { bubbles: true }));
    expect([...first!.selectedOptions].map((o) => o.value)).to.deep.equal(['us']);
    expect(await submitted(m))
      .to.have.property('regions')
      .that.deep.equals(['us']);
  });
});
