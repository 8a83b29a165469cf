/**
 * <crm-collaborative-form> when the CRM's backend refuses a value (write-through answers
 * `entity.rejected`; the fake server's `entities.validate` plays the backend): the backend's
 * message shows under the field, which keeps the user's value and is marked `aria-invalid` with
 * the message as its description; nothing was applied; typing again clears the mark; axe passes.
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { MemoryOutboxStore } from '../../../../src/client/index.js';
import '../../../../src/elements/collaborative-form/define.js';
import type { CrmCollaborativeForm } from '../../../../src/elements/collaborative-form/crm-collaborative-form.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import {
  CUSTOMER,
  customerForm,
  formStyles,
} from '../../../../stories/collaborative-form.fixtures.js';
import {
  closeFakeConnections,
  fakeConnection,
  type FakeConnection,
} from '../../helpers/fake-connection.js';
import { expectAccessible } from '../../helpers/settled.js';
import type { CrmFormErrorEvent } from '../../../../src/events/collaborative-form-events.js';

const PHONE_MESSAGE = 'Enter a phone number with at least 7 digits';

async function mount() {
  const fake = await fakeConnection({ outbox: new MemoryOutboxStore() });
  fake.server.entities.put(CUSTOMER);
  // The CRM backend's rule: a phone needs 7 digits.
  fake.server.entities.validate = (fields) =>
    typeof fields['phone'] === 'string' && fields['phone'].replace(/\D/g, '').length < 7
      ? { phone: PHONE_MESSAGE }
      : undefined;
  const provider = await fixture<CrmRealtimeProvider>(
    html`<crm-realtime-provider .client=${fake.client}>
      ${formStyles}
      <crm-collaborative-form entity-type="customer" entity-id="42" .clock=${fake.clock}>
        ${customerForm()}
      </crm-collaborative-form>
    </crm-realtime-provider>`,
  );
  const el = provider.querySelector('crm-collaborative-form')!;
  await settle(fake, el);
  return { fake, el, form: el.querySelector('form')! };
}

async function settle(fake: FakeConnection, el: CrmCollaborativeForm) {
  for (let i = 0; i < 8; i++) {
    await fake.clock.flush();
    await el.updateComplete;
  }
}

function type(input: HTMLInputElement, value: string) {
  input.focus();
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

const statusText = (el: CrmCollaborativeForm) =>
  el.shadowRoot!.querySelector('[part~="status"]')?.textContent?.trim();

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
    await settle(fake, el);

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
    await settle(fake, el);
    expect(phone.getAttribute('aria-invalid')).to.equal('true');
    type(phone, '+44 20 7946 0999');
    await el.updateComplete;
    expect(phone.getAttribute('aria-invalid')).to.equal('false');
  });
});
