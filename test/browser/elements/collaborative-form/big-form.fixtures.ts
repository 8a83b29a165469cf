/**
 * A CRM account page at the size real ones reach: hundreds of fields of every kind (text, select,
 * textarea, checkbox groups in fieldsets), some in closed `<details>` sections and hidden tab
 * panels, a long notes field, inside `<crm-collaborative-form>`, with colleagues editing in the
 * room. Shared by the tests of what the form costs and does at that size.
 */
import { fixture, html } from '@open-wc/testing';
import type { TemplateResult } from 'lit';
import '../../../../src/elements/collaborative-form/define.js';
import type { CrmCollaborativeForm } from '../../../../src/elements/collaborative-form/crm-collaborative-form.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import type { Fields } from '../../../../src/protocol/index.js';
import { fakeConnection, type FakeConnection } from '../../helpers/fake-connection.js';

export const ROOM = 'account:7';

/** What kind of control field `i` is. */
const kindOf = (i: number) =>
  i % 10 === 3 ? 'select' : i % 10 === 6 ? 'textarea' : i % 20 === 9 ? 'group' : 'text';

/** Where field `i` sits: the open part, a closed `<details>`, or a hidden tab panel. */
const sectionOf = (i: number, count: number) =>
  i < count / 2 ? 'open' : i < (count * 3) / 4 ? 'details' : 'panel';

/** The record with `count` fields (`f0` … `f<count-1>`), `notes` holding `notesBytes` of text. */
export function bigRecord(count: number, notesBytes = 20_000): Fields {
  const fields: Fields = { notes: 'n'.repeat(notesBytes) };
  for (let i = 0; i < count; i++) {
    const kind = kindOf(i);
    fields[`f${i}`] =
      kind === 'select'
        ? 'b'
        : kind === 'group'
          ? ['x']
          : kind === 'textarea'
            ? `text ${i}`
            : `v${i}`;
  }
  return fields;
}

function control(i: number): TemplateResult {
  const name = `f${i}`;
  switch (kindOf(i)) {
    case 'select':
      return html`<label for=${name}>Field ${i}</label>
        <select id=${name} name=${name}>
          <option>a</option>
          <option>b</option>
          <option>c</option>
        </select>`;
    case 'textarea':
      return html`<label for=${name}>Field ${i}</label
        ><textarea id=${name} name=${name}></textarea>`;
    case 'group':
      return html`<fieldset>
        <legend>Field ${i}</legend>
        <label><input type="checkbox" name=${name} value="x" /> X</label>
        <label><input type="checkbox" name=${name} value="y" /> Y</label>
      </fieldset>`;
    default:
      return html`<label for=${name}>Field ${i}</label><input id=${name} name=${name} />`;
  }
}

function section(from: number, to: number): TemplateResult[] {
  const rows: TemplateResult[] = [];
  for (let i = from; i < to; i++) rows.push(html`<div class="row">${control(i)}</div>`);
  return rows;
}

export function bigForm(count: number): TemplateResult {
  const half = Math.floor(count / 2);
  const threeQuarters = Math.floor((count * 3) / 4);
  return html`<form>
    <label for="notes">Notes</label><textarea id="notes" name="notes"></textarea>
    ${section(0, half)}
    <details>
      <summary>More</summary>
      ${section(half, threeQuarters)}
    </details>
    <div role="tabpanel" hidden>${section(threeQuarters, count)}</div>
    <button>Save</button>
  </form>`;
}

export interface BigForm {
  fake: FakeConnection;
  el: CrmCollaborativeForm;
  form: HTMLFormElement;
  provider: CrmRealtimeProvider;
}

/** The account with `count` fields, loaded and rendered. */
export async function mountBigForm(
  count: number,
  {
    record = bigRecord(count),
    listen,
  }: { record?: Fields; listen?: (el: CrmCollaborativeForm) => void } = {},
): Promise<BigForm> {
  const fake = await fakeConnection();
  fake.server.entities.put({ type: 'account', id: '7', fields: record });
  const provider = await fixture<CrmRealtimeProvider>(
    html`<crm-realtime-provider .client=${fake.client}>
      <style>
        .row {
          margin-block: 0.25rem;
        }
        textarea {
          display: block;
        }
      </style>
      <crm-collaborative-form entity-type="account" entity-id="7" .clock=${fake.clock}>
        ${bigForm(count)}
      </crm-collaborative-form>
    </crm-realtime-provider>`,
  );
  const el = provider.querySelector('crm-collaborative-form')!;
  listen?.(el);
  const form = el.querySelector('form')!;
  await settleBig({ fake, el });
  return { fake, el, form, provider };
}

export async function settleBig({ fake, el }: { fake: FakeConnection; el: CrmCollaborativeForm }) {
  for (let i = 0; i < 8; i++) {
    await fake.clock.flush();
    await el.updateComplete;
  }
}

/** Which of `count` fields are shown in the open part of the form (not in details or a panel). */
export const openFields = (count: number) =>
  Array.from({ length: count }, (_, i) => i).filter((i) => sectionOf(i, count) === 'open');

/**
 * Counts the layout reads made while `run` runs: `getBoundingClientRect`, `getClientRects`,
 * `getComputedStyle`, `offsetWidth`/`offsetHeight` and `scrollTop`.
 */
export async function countReads(run: () => unknown): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const bump = (name: string) => (counts[name] = (counts[name] ?? 0) + 1);
  const gcs = window.getComputedStyle;
  const box = Element.prototype.getBoundingClientRect;
  const rects = Element.prototype.getClientRects;
  const rangeRects = Range.prototype.getClientRects;
  const offsetHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'offsetHeight')!;
  const scrollTop = Object.getOwnPropertyDescriptor(Element.prototype, 'scrollTop')!;
  window.getComputedStyle = function (this: Window, ...args) {
    bump('getComputedStyle');
    return gcs.apply(this, args);
  };
  Element.prototype.getBoundingClientRect = function (this: Element) {
    bump('getBoundingClientRect');
    return box.call(this);
  };
  Element.prototype.getClientRects = function (this: Element) {
    bump('getClientRects');
    return rects.call(this);
  };
  Range.prototype.getClientRects = function (this: Range) {
    bump('getClientRects');
    return rangeRects.call(this);
  };
  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', {
    configurable: true,
    get(this: HTMLElement) {
      bump('offsetHeight');
      return offsetHeight.get!.call(this);
    },
  });
  Object.defineProperty(Element.prototype, 'scrollTop', {
    configurable: true,
    get(this: Element) {
      bump('scrollTop');
      return scrollTop.get!.call(this);
    },
    set(this: Element, v: number) {
      scrollTop.set!.call(this, v);
    },
  });
  try {
    await run();
  } finally {
    window.getComputedStyle = gcs;
    Element.prototype.getBoundingClientRect = box;
    Element.prototype.getClientRects = rects;
    Range.prototype.getClientRects = rangeRects;
    Object.defineProperty(HTMLElement.prototype, 'offsetHeight', offsetHeight);
    Object.defineProperty(Element.prototype, 'scrollTop', scrollTop);
  }
  return counts;
}

export const total = (counts: Record<string, number>) =>
  Object.values(counts).reduce((a, b) => a + b, 0);

/** The next frame has been drawn. */
export const nextFrame = () =>
  new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

/**
 * How often `run` reads layout after writing to it (each time costs a new layout of the page):
 * reads are box and style queries, writes are `hidden` and inline style changes.
 */
export async function readsAfterWrites(run: () => unknown): Promise<number> {
  let wrote = false;
  let count = 0;
  const restore: (() => void)[] = [];
  const wrap = (proto: object, key: string, kind: 'read' | 'write') => {
    const desc = Object.getOwnPropertyDescriptor(proto, key);
    if (!desc) return;
    const note = () => {
      if (kind === 'write') wrote = true;
      else if (wrote) {
        count++;
        wrote = false;
      }
    };
    if (typeof desc.value === 'function') {
      const fn = desc.value as (...args: unknown[]) => unknown;
      Object.defineProperty(proto, key, {
        ...desc,
        value(this: unknown, ...args: unknown[]) {
          note();
          return fn.apply(this, args);
        },
      });
    } else {
      Object.defineProperty(proto, key, {
        ...desc,
        get: desc.get
          ? function (this: unknown) {
              if (kind === 'read') note();
              return desc.get!.call(this);
            }
          : undefined,
        set: desc.set
          ? function (this: unknown, v: unknown) {
              if (kind === 'write') note();
              desc.set!.call(this, v);
            }
          : undefined,
      });
    }
    restore.push(() => Object.defineProperty(proto, key, desc));
  };
  for (const key of ['getBoundingClientRect', 'getClientRects', 'checkVisibility']) {
    wrap(Element.prototype, key, 'read');
  }
  wrap(Range.prototype, 'getClientRects', 'read');
  wrap(HTMLElement.prototype, 'offsetHeight', 'read');
  wrap(Element.prototype, 'scrollTop', 'read');
  wrap(window, 'getComputedStyle', 'read');
  wrap(HTMLElement.prototype, 'hidden', 'write');
  for (const key of ['setProperty', 'top', 'left', 'right', 'maxInlineSize']) {
    wrap(CSSStyleDeclaration.prototype, key, 'write');
  }
  try {
    await run();
  } finally {
    for (const undo of restore.reverse()) undo();
  }
  return count;
}
