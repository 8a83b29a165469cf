/**
 * Where the field tabs go: never over the field's own label (or legend) nor over what lies above
 * the field, on a phone (375 px, the stories' card) as on a desktop, left to right and right to
 * left; on the field's top edge at its end when there is room, shortened or hanging into the
 * field's corner when there is not.
 */
import { expect } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import type { CrmCollaborativeForm } from '../../../../src/elements/collaborative-form/crm-collaborative-form.js';
import { placeTabs } from '../../../../src/elements/collaborative-form/tab-placement.js';
import { BEN, CHLOE } from '../../../../stories/collaborative-form.fixtures.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { field, mountForm, settle, type } from './fixture.js';

const ROOM = 'customer:42';

type Rect = Pick<DOMRect, 'left' | 'right' | 'top' | 'bottom'>;

const overlaps = (a: Rect, b: Rect) =>
  a.left < b.right - 0.5 &&
  b.left < a.right - 0.5 &&
  a.top < b.bottom - 0.5 &&
  b.top < a.bottom - 0.5;

/** The boxes of the text drawn inside `el` (a label's words, not its whole line). */
function textRects(el: Element): DOMRect[] {
  const range = document.createRange();
  range.selectNodeContents(el);
  return [...range.getClientRects()].filter((r) => r.width > 1 && r.height > 1);
}

const tabsBox = (el: CrmCollaborativeForm, name: string) => {
  const tabs = el.shadowRoot!.querySelector<HTMLElement>(`.tabs[data-field="${name}"]`);
  expect(tabs, `tabs on ${name}`).to.exist;
  expect(tabs!.hidden).to.equal(false);
  return tabs!.getBoundingClientRect();
};

/** The customer form as the stories show it: in a card, 1.5rem of padding in a 1rem margin. */
async function mountPhone({ dir = 'ltr' } = {}) {
  await setViewport({ width: 375, height: 800 });
  const mounted = await mountForm();
  mounted.provider.dir = dir;
  mounted.el.style.maxInlineSize = 'calc(100vw - 5rem)';
  mounted.el.style.marginInline = '2.5rem';
  await settle(mounted);
  return mounted;
}

/** Status saved while offline: its tab says "Waiting offline". */
async function statusWaitingOffline(mounted: Awaited<ReturnType<typeof mountForm>>) {
  const { fake, el, form } = mounted;
  fake.server.refuseConnections(true);
  fake.server.dropConnections();
  await settle(mounted);
  type(field(el, 'status'), 'Customer');
  form.requestSubmit();
  await settle(mounted);
  expect(el.shadowRoot!.querySelector('.tabs[data-field="status"]')?.textContent).to.contain(
    'Waiting offline',
  );
}

afterEach(async () => {
  closeFakeConnections();
  await setViewport({ width: 800, height: 600 });
});

describe('<crm-collaborative-form> tab placement', () => {
  describe('at 375 px', () => {
    it('"Waiting offline" leaves the STATUS label visible', async () => {
      const mounted = await mountPhone();
      await statusWaitingOffline(mounted);
      const tab = tabsBox(mounted.el, 'status');
      const label = mounted.el.querySelector('label[for="f-status"]')!;
      for (const r of textRects(label))
        expect(overlaps(tab, r), 'tab over the label').to.equal(false);
      // Still on the field's top edge, at its end.
      const select = field(mounted.el, 'status').getBoundingClientRect();
      expect(Math.abs(tab.right - select.right)).to.be.below(1.5);
      expect(Math.abs(tab.bottom - select.top)).to.be.below(1.5);
    });

    it('right to left too: the tab goes to the left end, the label stays visible', async () => {
      const mounted = await mountPhone({ dir: 'rtl' });
      await statusWaitingOffline(mounted);
      const tab = tabsBox(mounted.el, 'status');
      const label = mounted.el.querySelector('label[for="f-status"]')!;
      for (const r of textRects(label))
        expect(overlaps(tab, r), 'tab over the label').to.equal(false);
      const select = field(mounted.el, 'status').getBoundingClientRect();
      expect(Math.abs(tab.left - select.left)).to.be.below(1.5);
    });

    it('a page flipping to right to left moves the tab to the left end at once', async () => {
      const mounted = await mountPhone();
      await statusWaitingOffline(mounted);
      const select = field(mounted.el, 'status').getBoundingClientRect();
      expect(Math.abs(tabsBox(mounted.el, 'status').right - select.right)).to.be.below(1.5);
      mounted.provider.dir = 'rtl'; // nothing else changes: no save, no resize, no scroll
      // The attribute change is seen in a microtask; the render it asks for follows.
      await new Promise((resolve) => setTimeout(resolve));
      await mounted.el.updateComplete;
      const flipped = field(mounted.el, 'status').getBoundingClientRect();
      expect(Math.abs(tabsBox(mounted.el, 'status').left - flipped.left)).to.be.below(1.5);
    });

    it("someone's name on a radio group leaves its legend visible", async () => {
      const mounted = await mountPhone();
      mounted.fake.server.addPerson(ROOM, CHLOE, {
        activity: { kind: 'editing', field: 'channel' },
      });
      await settle(mounted);
      const tab = tabsBox(mounted.el, 'channel');
      const fieldset = field(mounted.el, 'channel').closest('fieldset')!;
      const legend = fieldset.querySelector('legend')!;
      expect(textRects(legend).length).to.be.greaterThan(0);
      for (const r of textRects(legend)) {
        expect(overlaps(tab, r), 'tab over the legend').to.equal(false);
      }
      // Inside the group's box, at its end, and none of the choices' words covered either.
      const box = fieldset.getBoundingClientRect();
      expect(tab.top).to.be.at.least(box.top - 0.5);
      expect(Math.abs(tab.right - box.right)).to.be.below(1.5);
      for (const choice of fieldset.querySelectorAll('label')) {
        for (const r of textRects(choice)) expect(overlaps(tab, r)).to.equal(false);
      }
    });
  });

  it('never rises over the content above the form: a field with nothing above it', async () => {
    await setViewport({ width: 1280, height: 800 });
    const mounted = await mountForm();
    const { el, form } = mounted;
    const heading = document.createElement('p');
    heading.textContent = '1 change waiting';
    el.before(heading);
    // A field on the form's first line, labelled without a <label> above it.
    const city = document.createElement('input');
    city.name = 'city';
    city.setAttribute('aria-label', 'City');
    form.prepend(city);
    await settle(mounted);
    mounted.fake.server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'city' } });
    await settle(mounted);
    const tab = tabsBox(el, 'city');
    expect(tab.top).to.be.at.least(el.getBoundingClientRect().top - 0.5);
    for (const r of textRects(heading)) expect(overlaps(tab, r)).to.equal(false);
    // It hangs into the field's corner, at its end.
    const box = city.getBoundingClientRect();
    expect(Math.abs(tab.top - box.top)).to.be.below(1.5);
    expect(Math.abs(tab.right - box.right)).to.be.below(1.5);
  });

  it('keeps its place above a field in a scrolled panel when the form renders again', async () => {
    const mounted = await mountForm();
    const { el, form } = mounted;
    // The form scrolls inside a panel at the element's top, as in a dialog or a side sheet.
    const panel = document.createElement('div');
    panel.style.cssText = 'height: 160px; overflow: auto;';
    form.before(panel);
    panel.append(form);
    mounted.fake.server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'email' } });
    await settle(mounted);
    const email = field(el, 'email');
    const gap = () => Math.abs(tabsBox(el, 'email').bottom - email.getBoundingClientRect().top);
    expect(gap()).to.be.below(1.5);
    // Scrolled by less than the label row: the field's label is out of view, the field is not.
    panel.scrollTop = 20;
    el.requestUpdate();
    await el.updateComplete;
    expect(gap(), 'the tab moved into the field').to.be.below(1.5);
  });

  it('at 1280 px, with room, tabs stay whole on top of the field edge', async () => {
    await setViewport({ width: 1280, height: 800 });
    const mounted = await mountForm();
    await statusWaitingOffline(mounted);
    mounted.fake.server.addPerson(ROOM, CHLOE, { activity: { kind: 'editing', field: 'channel' } });
    await settle(mounted);
    const tab = tabsBox(mounted.el, 'status');
    const select = field(mounted.el, 'status').getBoundingClientRect();
    expect(Math.abs(tab.bottom - select.top)).to.be.below(1.5);
    for (const text of mounted.el.shadowRoot!.querySelectorAll<HTMLElement>('.tab-text')) {
      expect(text.scrollWidth, `"${text.textContent}" shortened`).to.be.at.most(text.clientWidth);
    }
  });

  for (const zoom of ['1.25', '0.8']) {
    it(`on a page with body zoom ${zoom}, the tab still sits on the field's top edge, at its end`, async () => {
      await setViewport({ width: 1280, height: 800 });
      document.body.style.zoom = zoom;
      try {
        const mounted = await mountForm();
        mounted.fake.server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'email' } });
        await settle(mounted);
        const tab = tabsBox(mounted.el, 'email');
        const email = field(mounted.el, 'email').getBoundingClientRect();
        expect(Math.abs(tab.bottom - email.top)).to.be.below(1.5);
        expect(Math.abs(tab.right - email.right)).to.be.below(1.5);
      } finally {
        document.body.style.removeProperty('zoom');
      }
    });
  }

  describe('placeTabs', () => {
    const field = { left: 100, right: 300, top: 100, bottom: 136 };
    const base = {
      field,
      line: 100,
      scopeTop: 0,
      width: 90,
      height: 18,
      rtl: false,
      minWidth: 40,
    };

    it('goes above the edge when nothing is there', () => {
      const label = { left: 100, right: 150, top: 80, bottom: 96 };
      expect(placeTabs({ ...base, obstacles: [label] })).to.deep.equal({
        place: 'above',
        top: 82,
        width: 90,
      });
    });

    it('is shortened beside a long label, and hangs inside when even that has no room', () => {
      const label = { left: 100, right: 240, top: 80, bottom: 96 };
      expect(placeTabs({ ...base, obstacles: [label] })).to.deep.equal({
        place: 'above',
        top: 82,
        width: 56,
      });
      const longer = { ...label, right: 280 };
      expect(placeTabs({ ...base, obstacles: [longer] })).to.deep.equal({
        place: 'inside',
        top: 100,
        width: 90,
      });
    });

    it('stays inside the element: never above its top edge', () => {
      expect(placeTabs({ ...base, scopeTop: 95, obstacles: [] }).place).to.equal('inside');
    });

    it('in a fieldset, takes the corner under a legend that fills the top edge', () => {
      const legend = { left: 110, right: 290, top: 90, bottom: 124 };
      const choice = { left: 110, right: 160, top: 130, bottom: 146 };
      const placed = placeTabs({
        ...base,
        line: 107,
        group: true,
        legendBottom: 124,
        obstacles: [legend, choice],
      });
      expect(placed).to.deep.equal({ place: 'below-legend', top: 124, width: 90 });
    });
  });
});
