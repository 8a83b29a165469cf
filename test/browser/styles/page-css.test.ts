/**
 * A legacy CRM page's own global CSS reaches the widgets through inheritance: selectors stop at a
 * shadow root, inherited properties do not. The text settings a page typically puts on `body`
 * (an uppercase, letter-spaced, centred, unwrapped, bold italic Tahoma with a text shadow and an
 * indent) must leave every element as designed: the same computed text settings in every shadow
 * tree as on a page with no CSS of its own. Direction and visibility stay inherited on purpose.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../../src/define.js';
import { oneField } from '../../../stories/conflict-dialog.fixtures.js';
import { closeFakeConnections, fakeConnection } from '../helpers/fake-connection.js';
import { animationsSettled } from '../helpers/settled.js';
import { field, mountForm, settle } from '../elements/collaborative-form/fixture.js';

/** Typical legacy-page body text settings, every inherited one a widget could pick up. */
const PAGE_CSS = `
  .legacy-page {
    font: italic small-caps bold 11px/1 Tahoma, Verdana, sans-serif;
    color: #333;
    letter-spacing: 0.05em;
    word-spacing: 4px;
    text-transform: uppercase;
    text-align: center;
    text-indent: 20px;
    text-shadow: 1px 1px 0 #f0f;
    white-space: nowrap;
  }
`;

/** The inherited text properties compared, as `getComputedStyle` names them. */
const PROPERTIES = [
  'fontFamily',
  'fontSize',
  'fontStyle',
  'fontWeight',
  'fontVariantCaps',
  'lineHeight',
  'letterSpacing',
  'wordSpacing',
  'textTransform',
  'textAlign',
  'textIndent',
  'textShadow',
  'whiteSpace',
] as const;

/** Every element in `root`'s shadow trees (the light DOM belongs to the page). */
function shadowElements(root: Element): Element[] {
  const found: Element[] = [];
  const walk = (node: Element | ShadowRoot) => {
    for (const child of node.querySelectorAll('*')) {
      if (node instanceof ShadowRoot) found.push(child);
      if (child.shadowRoot) walk(child.shadowRoot);
    }
  };
  walk(root);
  return found;
}

/**
 * One line per shadow element: its place and its computed text settings. Slots are left out: what
 * they show is the page's own content (the collaborative form's), in the page's settings.
 */
function textSettings(root: Element): string[] {
  return shadowElements(root)
    .filter((node) => node.localName !== 'slot')
    .map((node) => {
      const style = getComputedStyle(node);
      const where = `${node.localName}${node.className ? '.' + String(node.className) : ''}`;
      return `${where} ${PROPERTIES.map((p) => `${p}=${style[p]}`).join(' ')}`;
    });
}

/** Every kit element with content (people, a notification, activity, an open dialog). */
async function mountAll() {
  const fake = await fakeConnection();
  fake.server.addPerson('customer:42', { id: 'ben', name: 'Ben Carter' });
  fake.server.notify({ target: { user: fake.client.user!.id }, type: 'info', title: 'Call back' });
  fake.server.appendActivity({
    kind: 'entity.updated',
    actor: { id: 'ben', name: 'Ben Carter' },
    entity: { type: 'customer', id: '42', label: 'Acme Corp' },
    changes: [{ field: 'email', from: 'sales@acme.example', to: 'orders@acme.example' }],
  });
  const wrapper = await fixture<HTMLElement>(html`
    <div>
      <style>
        ${PAGE_CSS}
      </style>
      <crm-realtime-provider .client=${fake.client}>
        <crm-connection-status></crm-connection-status>
        <crm-presence room-id="customer:42"></crm-presence>
        <crm-notification-center></crm-notification-center>
        <crm-activity-feed></crm-activity-feed>
        <crm-huddle room-id="customer:42"></crm-huddle>
        <form id="f"><input name="email" /></form>
        <crm-collaborative-form
          form-id="f"
          entity-type="customer"
          entity-id="42"
        ></crm-collaborative-form>
        <crm-conflict-dialog
          entity-label=${oneField.entityLabel}
          .localData=${oneField.localData}
          .remoteData=${oneField.remoteData}
          .baseData=${oneField.baseData}
          .conflictedFields=${oneField.conflictedFields}
          .fieldLabels=${oneField.fieldLabels}
          open
        ></crm-conflict-dialog>
      </crm-realtime-provider>
    </div>
  `);
  await fake.clock.flush();
  await animationsSettled(wrapper);
  return wrapper;
}

describe("a legacy page's global CSS", () => {
  afterEach(() => closeFakeConnections());

  it("leaves every element's text settings as designed (inherited body text settings)", async () => {
    const wrapper = await mountAll();
    const clean = textSettings(wrapper);
    expect(clean.length).to.be.greaterThan(100);

    wrapper.classList.add('legacy-page');
    const hostile = textSettings(wrapper);
    expect(hostile.filter((line, i) => line !== clean[i])).to.deep.equal([]);
  });

  it("still inherits the page's direction and visibility", async () => {
    const wrapper = await mountAll();
    wrapper.dir = 'rtl';
    wrapper.style.visibility = 'hidden';
    const inside = shadowElements(wrapper);
    const name = (node: Element) => `${node.localName}.${String(node.className)}`;
    // Values of the people's own (names, field values) set their own direction (`dir`).
    const ownDirection = (n: Element) => n.closest('[dir]') !== null;
    const ltr = inside.filter((n) => !ownDirection(n) && getComputedStyle(n).direction !== 'rtl');
    expect(ltr.map(name)).to.deep.equal([]);
    // The platform shows a modal dialog whatever its ancestors' visibility.
    const shown = inside.filter(
      (n) => !n.closest('dialog:modal') && getComputedStyle(n).visibility !== 'hidden',
    );
    expect(shown.map(name)).to.deep.equal([]);
  });

  it("leaves the page's own form inside a collaborative form in the page's text settings", async () => {
    const fake = await fakeConnection();
    const wrapper = await fixture<HTMLElement>(html`
      <div class="legacy-page">
        <style>
          ${PAGE_CSS}
        </style>
        <label id="outside">Outside</label>
        <crm-realtime-provider .client=${fake.client}>
          <crm-collaborative-form entity-type="customer" entity-id="42">
            <form>
              <label id="inside">Email <input name="email" /></label>
            </form>
          </crm-collaborative-form>
        </crm-realtime-provider>
      </div>
    `);
    await fake.clock.flush();
    const settings = (el: Element) => {
      const style = getComputedStyle(el);
      return PROPERTIES.map((p) => `${p}=${style[p]}`);
    };
    const inside = wrapper.querySelector('#inside')!;
    expect(settings(inside)).to.deep.equal(settings(wrapper.querySelector('#outside')!));
    // …while the form's own status keeps the kit's.
    const form = wrapper.querySelector('crm-collaborative-form')!;
    const status = form.shadowRoot!.querySelector('[part~="status"]')!;
    expect(getComputedStyle(status).textTransform).to.equal('none');
    expect(getComputedStyle(status).fontFamily).to.contain('system-ui');
  });

  it("keeps the ring of who edits a field on the page's focused input (Bootstrap 3's focus glow)", async () => {
    const style = document.createElement('style');
    style.textContent = `.form-control:focus { outline: 0; box-shadow: 0 0 8px rgb(102 175 233 / 0.6); }`;
    document.head.append(style);
    try {
      const { fake, el } = await mountForm();
      const email = field(el, 'email');
      email.classList.add('form-control');
      fake.server.addPerson(
        'customer:42',
        { id: 'ben', name: 'Ben Carter' },
        {
          activity: { kind: 'editing', field: 'email' },
        },
      );
      await settle({ fake, el });
      email.focus();
      expect(email.matches(':focus')).to.equal(true);
      expect(getComputedStyle(email).boxShadow).to.contain('0px 0px 0px 2px');
    } finally {
      style.remove();
    }
  });

  it("keeps the form's hidden notes hidden under a page rule that displays every span", async () => {
    const style = document.createElement('style');
    style.textContent = `span { display: inline-block; }`;
    document.head.append(style);
    try {
      const { fake, el } = await mountForm();
      fake.server.addPerson(
        'customer:42',
        { id: 'ben', name: 'Ben Carter' },
        {
          activity: { kind: 'editing', field: 'email' },
        },
      );
      await settle({ fake, el });
      const notes = [...el.querySelectorAll('[data-crm-field-note]')];
      expect(notes.length).to.be.greaterThan(0);
      for (const note of notes) {
        expect(note.getClientRects().length, note.textContent ?? '').to.equal(0);
      }
    } finally {
      style.remove();
    }
  });

  it("with a 62.5% root font size, the README's zoom rule gives the designed sizes and places", async () => {
    const fake = await fakeConnection();
    fake.server.notify({
      target: { user: fake.client.user!.id },
      type: 'info',
      title: 'Call back',
    });
    const page = await fixture<HTMLElement>(html`
      <crm-realtime-provider .client=${fake.client}>
        <!-- A flex row: no text of the page's (spaces in its font size) moves the widgets. -->
        <div style="display: flex; gap: 8px">
          <crm-connection-status></crm-connection-status>
          <crm-presence room-id="customer:42"></crm-presence>
          <crm-notification-center no-toasts></crm-notification-center>
        </div>
      </crm-realtime-provider>
    `);
    fake.server.addPerson('customer:42', { id: 'ben', name: 'Ben Carter' });
    await fake.clock.flush();
    await animationsSettled(page);
    const center = page.querySelector('crm-notification-center')!;
    const boxes = async () => {
      center.show();
      await animationsSettled(page);
      const panel = center.shadowRoot!.querySelector('[part~="panel"]')!;
      const rects = [
        ...['crm-connection-status', 'crm-presence', 'crm-notification-center'].map((tag) =>
          page.querySelector(tag)!.getBoundingClientRect(),
        ),
        panel.getBoundingClientRect(),
      ];
      center.hide();
      await animationsSettled(page);
      const bell = rects[2]!;
      const opened = rects[3]!;
      // Sizes, and where the panel opened next to the bell.
      return [
        ...rects.map((r) => [r.width, r.height].map(Math.round).join('x')),
        [opened.left - bell.left, opened.top - bell.bottom].map(Math.round).join(','),
      ];
    };
    const designed = await boxes();
    expect(designed[3], 'the panel opened').not.to.equal('0x0');

    const style = document.createElement('style');
    style.textContent = `html { font-size: 62.5%; }`;
    document.head.append(style);
    try {
      const shrunk = await boxes();
      expect(shrunk, 'rem sizes follow the root').not.to.deep.equal(designed);
      style.textContent += `
        crm-connection-status, crm-presence, crm-notification-center { zoom: 1.6; }`;
      expect(await boxes()).to.deep.equal(designed);
    } finally {
      style.remove();
    }
  });
});
