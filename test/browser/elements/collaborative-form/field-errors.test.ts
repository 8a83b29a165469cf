/**
 * <crm-collaborative-form> when the CRM's backend refuses a value (write-through answers
 * `entity.rejected`; the fake server's `entities.validate` plays the backend): the backend's
 * message shows under the field, which keeps the user's value and is marked `aria-invalid` with
 * the message as its description; nothing was applied; typing again clears the mark; axe passes.
 */
import { expect, oneEvent } from '@open-wc/testing';
import { CUSTOMER } from '../../../../stories/collaborative-form.fixtures.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { expectAccessible } from '../../helpers/settled.js';
import { mountForm, settle, statusText, type } from './fixture.js';
import type { CrmFormErrorEvent } from '../../../../src/events/collaborative-form-events.js';

const PHONE_MESSAGE = 'Enter a phone number with at least 7 digits';

/** The customer form; the CRM backend's rule: a phone needs 7 digits. */
const mount = () =>
  mountForm({
    prepare: (fake) => {
      fake.server.entities.validate = (fields) =>
        typeof fields['phone'] === 'string' && fields['phone'].replace(/\D/g, '').length < 7
          ? { phone: PHONE_MESSAGE }
          : undefined;
    },
  });

afterEach(() => closeFakeConnections());

describe('<crm-collaborative-form> with values the CRM backend refuses', () => {
  it('shows the message under the field, keeps the value, marks it invalid and described', async () => {
    const { fake, el, form } = await mount();
    const phone = el.querySelector<HTMLInputElement>('[name="phone"]')!;
    const before = phone.getAttribute('aria-describedby');
    type(phone, '12');
    const failed = oneEvent(el, 'crm-form-error') as unknown as Promise<CrmFormErrorEvent>;
    form.requestSubmit();
    const error = await failed;
    expect(error.error.code).to.equal('invalid');
    expect(error.error.fields).to.deep.equal({ phone: PHONE_MESSAGE });
    await settle({ fake, el });

    expect(phone.value).to.equal('12', 'the user’s value stays');
    expect(phone.getAttribute('aria-invalid')).to.equal('true');
    const message = el.querySelector<HTMLElement>('[data-crm-field-error="phone"]');
    expect(message?.textContent).to.equal(PHONE_MESSAGE);
    expect(message?.checkVisibility()).to.equal(true, 'visible');
    const described = (phone.getAttribute('aria-describedby') ?? '').split(' ');
    expect(described).to.include(message!.id);
    // Under the field: right after it in the page's markup.
    expect(phone.nextElementSibling).to.equal(message);
    expect(statusText(el)).to.equal('Not saved: check the marked field');
    expect(el.dirtyFields).to.deep.equal(['phone']);
    expect(fake.server.entities.get('customer', '42')?.fields['phone']).to.equal(
      CUSTOMER.fields['phone'],
    );
    expect(el.shadowRoot!.querySelector('[role="alert"]')).to.equal(null, 'no roll-back banner');
    await expectAccessible(el);

    // Correcting the value takes the mark away; saving it goes through.
    type(phone, '+44 20 7946 0999');
    await el.updateComplete;
    expect(phone.hasAttribute('aria-invalid')).to.equal(false);
    expect(phone.getAttribute('aria-describedby')).to.equal(before);
    expect(el.querySelector('[data-crm-field-error]')).to.equal(null);
    const saved = oneEvent(el, 'crm-form-saved');
    form.requestSubmit();
    await saved;
    expect(fake.server.entities.get('customer', '42')?.fields['phone']).to.equal(
      '+44 20 7946 0999',
    );
  });

  it('leaves the page’s own aria-invalid as it found it', async () => {
    const { fake, el, form } = await mount();
    const phone = el.querySelector<HTMLInputElement>('[name="phone"]')!;
    phone.setAttribute('aria-invalid', 'false');
    type(phone, '1');
    form.requestSubmit();
    await settle({ fake, el });
    expect(phone.getAttribute('aria-invalid')).to.equal('true');
    type(phone, '+44 20 7946 0999');
    await el.updateComplete;
    expect(phone.getAttribute('aria-invalid')).to.equal('false');
  });
});
