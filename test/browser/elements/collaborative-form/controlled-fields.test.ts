/**
 * <crm-collaborative-form controlled>: the page's framework binds the fields' values (React's
 * `value=`, Vue's `v-model`, Angular's forms), so the record the form writes must reach the
 * framework's state, or its next render puts the old value back and the next save writes it for
 * everyone.
 *
 * `bindLikeReact` binds a control as React 19 does: it wraps the element's own `value` (or
 * `checked`) setter to remember what it last wrote, and hears `input`/`change` (`click` for a
 * checkbox or radio) at the document, reporting a change only when the control shows something
 * else than it remembers. `bindLikeVue` is `v-model`: it hears `input` (text) or `change`
 * (checkbox, radio, select) and takes the control's value. The examples' tests run the real
 * frameworks; these pin the mechanism down.
 */
import { expect } from '@open-wc/testing';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { field, mountForm, settle, type, type MountedForm } from './fixture.js';

afterEach(() => closeFakeConnections());

const BEN = { id: 'ben', name: 'Ben Carter' };

type Checkable = HTMLInputElement;
const isCheckable = (el: HTMLElement) =>
  (el as Checkable).type === 'checkbox' || (el as Checkable).type === 'radio';

/** React's value tracking on one control; `heard` gets what React's `onChange` would. */
function bindLikeReact(el: HTMLElement, heard: (value: string | boolean) => void): void {
  const key = isCheckable(el) ? 'checked' : 'value';
  const own = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), key)!;
  const read = () => own.get!.call(el) as string | boolean;
  let remembered = String(read());
  Object.defineProperty(el, key, {
    configurable: true,
    get: read,
    set(value: unknown) {
      remembered = String(value);
      own.set!.call(el, value);
    },
  });
  const types = isCheckable(el)
    ? ['click']
    : el instanceof HTMLSelectElement
      ? ['change']
      : ['input', 'change'];
  for (const type of types) {
    document.addEventListener(type, (event) => {
      if (event.target !== el) return;
      if (el instanceof HTMLSelectElement) return heard(read());
      if (String(read()) === remembered) return;
      remembered = String(read());
      heard(read());
    });
  }
}

/** Vue's `v-model` on one control. */
function bindLikeVue(el: HTMLElement, heard: (value: string | boolean) => void): void {
  const type = isCheckable(el) || el instanceof HTMLSelectElement ? 'change' : 'input';
  el.addEventListener(type, () =>
    heard(isCheckable(el) ? (el as Checkable).checked : (el as HTMLInputElement).value),
  );
}

/** Every event of `types` each of the form's controls hears, as `name=value:type`. */
function recordEvents(m: MountedForm, types: readonly string[]): string[] {
  const seen: string[] = [];
  for (const type of types) {
    m.form.addEventListener(type, (event) => {
      const el = event.target as HTMLInputElement;
      seen.push(`${el.name}=${el.value}:${type}`);
    });
  }
  return seen;
}

describe('<crm-collaborative-form controlled>', () => {
  it("puts a remote change into React's state: text, checkbox and select", async () => {
    const m = await mountForm();
    m.el.controlled = true;
    const state: Record<string, unknown> = {};
    bindLikeReact(field(m.el, 'phone'), (v) => (state['phone'] = v));
    bindLikeReact(field(m.el, 'vip'), (v) => (state['vip'] = v));
    bindLikeReact(field(m.el, 'status'), (v) => (state['status'] = v));
    m.fake.server.entities.remoteUpdate(
      'customer',
      '42',
      { phone: '+44 20 0000 0001', vip: false, status: 'Customer' },
      BEN,
    );
    await settle(m);
    expect(state).to.deep.equal({ phone: '+44 20 0000 0001', vip: false, status: 'Customer' });
    expect(field(m.el, 'phone').value).to.equal('+44 20 0000 0001');
    expect(field(m.el, 'vip').checked).to.equal(false);
    // What the form wrote is the record, not a change of the user's.
    expect(m.el.dirtyFields).to.deep.equal([]);
  });

  it("puts a remote change into v-model's state; a radio losing its check is told nothing", async () => {
    const m = await mountForm();
    m.el.controlled = true;
    const state: Record<string, unknown> = {};
    bindLikeVue(field(m.el, 'notes'), (v) => (state['notes'] = v));
    const radios = [...m.el.querySelectorAll<HTMLInputElement>('[name="channel"]')];
    for (const radio of radios) bindLikeVue(radio, () => (state['channel'] = radio.value));
    const seen = recordEvents(m, ['click', 'input', 'change']);
    m.fake.server.entities.remoteUpdate(
      'customer',
      '42',
      { notes: 'Renewal signed', channel: 'visit' },
      BEN,
    );
    await settle(m);
    expect(state).to.deep.equal({ notes: 'Renewal signed', channel: 'visit' });
    expect(seen.filter((s) => s.startsWith('channel='))).to.deep.equal([
      'channel=visit:click',
      'channel=visit:input',
      'channel=visit:change',
    ]);
  });

  it('tells only the controls that changed, and saves nothing of its own in save-mode="change"', async () => {
    const m = await mountForm({ saveMode: 'change' });
    m.el.controlled = true;
    const seen = recordEvents(m, ['click', 'input', 'change']);
    m.fake.server.entities.remoteUpdate('customer', '42', { email: 'ben@changed.example' }, BEN);
    await settle(m);
    expect(seen).to.deep.equal([
      'email=ben@changed.example:input',
      'email=ben@changed.example:change',
    ]);
    await m.fake.clock.advance(5_000);
    await settle(m);
    expect(m.fake.server.received('entity.update')).to.deep.equal([]);
    expect(m.el.dirtyFields).to.deep.equal([]);

    // The user's change saves `save-delay` after it, however many remote writes come meanwhile.
    type(field<HTMLTextAreaElement>(m.el, 'notes'), 'Call back on Monday');
    await m.fake.clock.advance(300);
    m.fake.server.entities.remoteUpdate('customer', '42', { email: 'ben@again.example' }, BEN);
    await settle(m);
    await m.fake.clock.advance(100);
    await settle(m);
    expect(m.fake.server.received('entity.update').map((f) => f.fields)).to.deep.equal([
      { notes: 'Call back on Monday' },
    ]);
  });

  it("the user's edit after a remote one is theirs, and saves", async () => {
    const m = await mountForm();
    m.el.controlled = true;
    const phone = field(m.el, 'phone');
    let state: unknown;
    bindLikeReact(phone, (v) => (state = v));
    m.fake.server.entities.remoteUpdate('customer', '42', { phone: '+44 20 0000 0001' }, BEN);
    await settle(m);
    // The user types as React sees it: the browser's own setter, then `input`.
    phone.focus();
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(
      phone,
      '+44 20 0000 0002',
    );
    phone.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    expect(state).to.equal('+44 20 0000 0002');
    expect(m.el.dirtyFields).to.deep.equal(['phone']);
    m.form.requestSubmit();
    await settle(m);
    expect(m.fake.server.entities.get('customer', '42')?.fields['phone']).to.equal(
      '+44 20 0000 0002',
    );
  });

  it('without controlled, writes the record and dispatches nothing (a legacy page hears no events)', async () => {
    const m = await mountForm();
    const seen = recordEvents(m, ['click', 'input', 'change']);
    let state: unknown = 'untold';
    bindLikeReact(field(m.el, 'phone'), (v) => (state = v));
    m.fake.server.entities.remoteUpdate(
      'customer',
      '42',
      { phone: '+44 20 0000 0001', vip: false },
      BEN,
    );
    await settle(m);
    expect(field(m.el, 'phone').value).to.equal('+44 20 0000 0001');
    expect(seen).to.deep.equal([]);
    expect(state).to.equal('untold');
  });
});
