/**
 * The toasts of `<crm-notification-center>` keep out of the way: they move to the other edge of
 * the viewport when the element focused in the page is under them (WCAG 2.4.11), stand aside
 * (hidden, countdowns paused) when neither edge is clear of it, and while a modal dialog is open.
 */
import { expect, nextFrame, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import {
  bellOf,
  finishAnimations,
  focusedName,
  mountCenter,
  toastsOf,
  type Mounted,
} from './fixture.js';

const added: Element[] = [];
afterEach(() => {
  closeFakeConnections();
  for (const node of added.splice(0)) node.remove();
});

/** A control fixed in the viewport, in the page, where someone works. */
function control<K extends 'button' | 'input' | 'textarea'>(
  tag: K,
  style: Partial<CSSStyleDeclaration>,
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  Object.assign(el.style, { position: 'fixed', margin: '0', ...style });
  if (el instanceof HTMLButtonElement) el.textContent = 'Save';
  else el.setAttribute('aria-label', 'Field');
  document.body.append(el);
  added.push(el);
  return el;
}

/** After a focus move or a render: the frame the stack measures in, and the render it asks for. */
async function measured(m: Mounted): Promise<void> {
  await nextFrame();
  await m.el.updateComplete;
  await finishAnimations(m);
}

const overlaps = (a: Element, b: Element) => {
  const [x, y] = [a.getBoundingClientRect(), b.getBoundingClientRect()];
  return x.left < y.right && y.left < x.right && x.top < y.bottom && y.top < x.bottom;
};
const seen = (toast: Element) => toast.checkVisibility({ visibilityProperty: true });
const stackOf = (m: Mounted) => m.root.querySelector<HTMLElement>('.toasts')!;

describe('crm-notification-center toasts keep clear', () => {
  it('move to the other edge when the focused field is under them, and stay there until they go', async () => {
    const m = await mountCenter();
    await m.notify({ title: 'Billing down', priority: 'urgent', type: 'error' });
    // A field in the bottom-end corner, where the toasts stand.
    const field = control('input', {
      insetBlockEnd: '24px',
      insetInlineEnd: '24px',
      width: '20rem',
    });
    const toast = toastsOf(m.root)[0]!;
    expect(overlaps(toast, field)).to.equal(true);
    field.focus();
    await measured(m);
    expect(overlaps(toast, field)).to.equal(false);
    expect(seen(toast)).to.equal(true);
    expect(toast.getBoundingClientRect().top).to.be.below(innerHeight / 2);
    // The focus moves on; the toast stays where it went.
    field.blur();
    await measured(m);
    expect(toast.getBoundingClientRect().top).to.be.below(innerHeight / 2);
    // Once the stack is empty, the next toast is in its own corner again.
    toast.querySelector<HTMLButtonElement>('.dismiss')!.click();
    await m.settle();
    await finishAnimations(m);
    expect(m.root.querySelectorAll('.toast')).to.have.length(0);
    await m.notify({ title: 'Next' });
    await measured(m);
    expect(stackOf(m).getBoundingClientRect().bottom).to.be.closeTo(innerHeight - 16, 1);
  });

  it('keep clear of their own bell too (moved up to a header, they move back down)', async () => {
    const m = await mountCenter();
    Object.assign(m.el.style, { position: 'fixed', insetBlockStart: '0', insetInlineEnd: '0' });
    await m.notify({ title: 'Billing down', priority: 'urgent', type: 'error' });
    control('input', { insetBlockEnd: '24px', insetInlineEnd: '24px', width: '20rem' }).focus();
    await measured(m);
    const [toast, bell] = [toastsOf(m.root)[0]!, bellOf(m.root)];
    expect(overlaps(toast, bell)).to.equal(true);
    bell.focus();
    await measured(m);
    expect(overlaps(toast, bell)).to.equal(false);
    expect(seen(toast)).to.equal(true);
  });

  it('from the top, they move to the bottom', async () => {
    const m = await mountCenter({ attrs: { 'toast-position': 'top-start' } });
    await m.notify({ title: 'Up here', priority: 'urgent' });
    const field = control('input', { insetBlockStart: '24px', insetInlineStart: '24px' });
    field.focus();
    await measured(m);
    expect(overlaps(toastsOf(m.root)[0]!, field)).to.equal(false);
    expect(stackOf(m).getBoundingClientRect().bottom).to.be.closeTo(innerHeight - 16, 1);
  });

  it('also when the focus moves inside another component (no focusin leaves its shadow tree)', async () => {
    const m = await mountCenter();
    await m.notify({ title: 'Billing down', priority: 'urgent', type: 'error' });
    const host = document.createElement('div');
    document.body.append(host);
    added.push(host);
    const shadow = host.attachShadow({ mode: 'open' });
    shadow.innerHTML = `<button style="position: fixed; inset: 8px auto auto 8px">Avatar</button>
      <button style="position: fixed; inset: auto 24px 24px auto; width: 16rem">Call</button>`;
    const [avatar, call] = [...shadow.querySelectorAll('button')];
    avatar!.focus();
    await measured(m);
    await sendKeys({ press: 'Tab' });
    expect(shadow.activeElement?.textContent).to.equal('Call');
    await measured(m);
    expect(overlaps(toastsOf(m.root)[0]!, call!)).to.equal(false);
  });

  it('stand aside, paused, while neither edge is clear of the focus, and come back after', async () => {
    const m = await mountCenter();
    await m.notify({ title: 'Heads up' });
    // Tall enough to be under the toasts on either edge.
    const notes = control('textarea', { insetBlock: '0', insetInlineEnd: '0', width: '70vw' });
    notes.focus();
    await measured(m);
    const toast = toastsOf(m.root)[0]!;
    expect(seen(toast)).to.equal(false);
    await m.clock.advance(60_000);
    await m.settle();
    expect(m.el.toastsShown).to.have.length(1);
    // Somewhere the toasts do not cover: back, with the time they had left.
    control('button', { insetBlockStart: '0', insetInlineStart: '0' }).focus();
    await measured(m);
    expect(seen(toast)).to.equal(true);
    await m.clock.advance(5000);
    await m.settle();
    expect(m.el.toastsShown).to.have.length(0);
  });

  it('Alt+Shift+N reaches them while they stand aside', async () => {
    const m = await mountCenter();
    await m.notify({ title: 'Heads up', priority: 'urgent' });
    const notes = control('textarea', { insetBlock: '0', insetInlineEnd: '0', width: '70vw' });
    notes.focus();
    await measured(m);
    await sendKeys({ down: 'Alt' });
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'KeyN' });
    await sendKeys({ up: 'Shift' });
    await sendKeys({ up: 'Alt' });
    await measured(m);
    expect(focusedName(m.root)).to.equal('toast Heads up');
    expect(seen(toastsOf(m.root)[0]!)).to.equal(true);
  });

  it('stand aside, paused, while a modal dialog is open, and come back when it closes', async () => {
    const m = await mountCenter();
    // A modal dialog in a shadow tree, as the kit's conflict dialog.
    const host = document.createElement('div');
    document.body.append(host);
    added.push(host);
    const dialog = document.createElement('dialog');
    dialog.innerHTML = '<p>Your change conflicts</p><button>Keep mine</button>';
    host.attachShadow({ mode: 'open' }).append(dialog);
    dialog.showModal();
    await m.notify({ title: 'During the dialog' });
    await measured(m);
    const toast = toastsOf(m.root)[0]!;
    expect(seen(toast)).to.equal(false);
    await m.clock.advance(60_000);
    await m.settle();
    expect(m.el.toastsShown).to.have.length(1);
    const closed = oneEvent(dialog, 'close');
    dialog.close();
    await closed;
    await measured(m);
    expect(seen(toast)).to.equal(true);
    await m.clock.advance(5000);
    await m.settle();
    expect(m.el.toastsShown).to.have.length(0);
  });

  it('stand aside as a modal dialog opens by script where the focus is, without a key or a press', async () => {
    const m = await mountCenter();
    await m.notify({ title: 'Before the dialog' });
    // As the collaborative form: the focus on its Save button, and its conflict dialog in the same
    // shadow tree, opened when the server answers the save. The focus moves inside that tree,
    // so no focusin reaches the document.
    const host = document.createElement('div');
    document.body.append(host);
    added.push(host);
    const shadow = host.attachShadow({ mode: 'open' });
    shadow.innerHTML = `<button style="position: fixed; inset: 8px auto auto 8px">Save</button>
      <dialog><p>Your change conflicts</p><button>Keep mine</button></dialog>`;
    shadow.querySelector('button')!.focus();
    await measured(m);
    const toast = toastsOf(m.root)[0]!;
    expect(seen(toast)).to.equal(true);
    const dialog = shadow.querySelector('dialog')!;
    dialog.showModal();
    await waitUntil(() => !seen(toast), 'the toasts stayed on screen over the modal dialog');
    // Standing aside, their time does not run.
    await m.clock.advance(60_000);
    await m.settle();
    expect(m.el.toastsShown).to.have.length(1);
    dialog.close();
    await waitUntil(() => seen(toast), 'the toasts did not come back when the dialog closed');
  });

  it('a center connected while a modal dialog is open (its stack opens above it) draws nothing over it', async () => {
    const m = await mountCenter({ attrs: { 'auto-hide-duration': '0' } });
    const dialog = document.createElement('dialog');
    dialog.innerHTML = '<button>OK</button>';
    document.body.append(dialog);
    added.push(dialog);
    dialog.showModal();
    // Moved in the page while the dialog is up: its stack goes back into the top layer, last.
    m.provider.append(m.el);
    await m.settle();
    await m.notify({ title: 'Over the dialog?' });
    await measured(m);
    expect(stackOf(m).matches(':popover-open')).to.equal(true);
    expect(seen(toastsOf(m.root)[0]!)).to.equal(false);
    dialog.close();
  });
});

/**
 * A phone's on-screen keyboard: the visual viewport (what is seen) gets shorter than the layout
 * viewport (what `position: fixed` is placed in), and the browser may pan it down to the field.
 * Chromium's headless shell draws no keyboard, so `visualViewport` is a stand-in with its numbers.
 */
describe('crm-notification-center toasts and an on-screen keyboard', () => {
  const own = Object.getOwnPropertyDescriptor(window, 'visualViewport');
  class Viewport extends EventTarget {
    offsetTop = 0;
    offsetLeft = 0;
    pageTop = 0;
    pageLeft = 0;
    scale = 1;
    width = document.documentElement.clientWidth;
    height = document.documentElement.clientHeight;
    /** The keyboard comes up over the bottom `covered` px; the view is panned `panned` px down. */
    keyboard(covered: number, panned = 0): void {
      this.height = document.documentElement.clientHeight - covered;
      this.offsetTop = panned;
      this.dispatchEvent(new Event('resize'));
    }
  }
  let view: Viewport;

  beforeEach(() => {
    view = new Viewport();
    Object.defineProperty(window, 'visualViewport', { value: view, configurable: true });
  });
  afterEach(() => {
    if (own) Object.defineProperty(window, 'visualViewport', own);
    else delete (window as { visualViewport?: unknown }).visualViewport;
  });

  it('at the bottom, they stand on the keyboard, not behind it, and go back down after it', async () => {
    const m = await mountCenter();
    await m.notify({ title: 'Deal won' });
    await measured(m);
    const height = document.documentElement.clientHeight;
    expect(stackOf(m).getBoundingClientRect().bottom).to.be.closeTo(height - 16, 1);
    view.keyboard(260);
    await measured(m);
    expect(stackOf(m).getBoundingClientRect().bottom).to.be.closeTo(height - 260 - 16, 1);
    expect(seen(toastsOf(m.root)[0]!)).to.equal(true);
    view.keyboard(0);
    await measured(m);
    expect(stackOf(m).getBoundingClientRect().bottom).to.be.closeTo(height - 16, 1);
  });

  it('at the top, they follow a view panned down to the field', async () => {
    const m = await mountCenter({ attrs: { 'toast-position': 'top-end' } });
    await m.notify({ title: 'Deal won' });
    view.keyboard(260, 120);
    await measured(m);
    expect(stackOf(m).getBoundingClientRect().top).to.be.closeTo(120 + 16, 1);
  });
});
