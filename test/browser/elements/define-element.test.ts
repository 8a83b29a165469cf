/**
 * Registering tags: at once (the npm build, or any kit loaded with the page), or one per task (the
 * no-build artifacts loaded after the page's load), in the order asked, each tag's elements
 * upgraded and rendered in the task that registers it.
 */
import { expect } from '@open-wc/testing';
import { html, LitElement } from 'lit';
import { defineElement, defineInTurns } from '../../../src/elements/define-element.js';
import { flushMicrotasks as nextTask } from '../../../src/testing/index.js';
import { uniqueTag } from '../helpers/fake-connection.js';

class Box extends LitElement {
  override render() {
    return html`<p>drawn</p>`;
  }
}

describe('defineElement', () => {
  afterEach(() => defineInTurns(false));

  it('registers at once by default (an app defines, then sets up its elements)', () => {
    const tag = uniqueTag('crm-test-now');
    defineElement(tag, class extends Box {});
    expect(customElements.get(tag)).to.exist;
  });

  it('in turns: one tag per task, in the order asked', async () => {
    defineInTurns(true);
    const tags = [uniqueTag('crm-test-a'), uniqueTag('crm-test-b'), uniqueTag('crm-test-c')];
    /** How many of the tags were registered when each one's registration was observed. */
    const registeredWhen: number[] = [];
    for (const tag of tags) {
      void customElements.whenDefined(tag).then(() => {
        registeredWhen.push(tags.filter((t) => customElements.get(t)).length);
      });
      defineElement(tag, class extends Box {});
    }
    expect(tags.map((t) => customElements.get(t))).to.deep.equal([undefined, undefined, undefined]);
    await Promise.all(tags.map((t) => customElements.whenDefined(t)));
    // Observed in the task that registered it (a microtask of it): the later tags still waited.
    expect(registeredWhen).to.deep.equal([1, 2, 3]);
  });

  it('in turns: a tag already in the page is drawn by the end of its task', async () => {
    defineInTurns(true);
    const tag = uniqueTag('crm-test-drawn');
    const el = document.createElement(tag);
    document.body.append(el);
    try {
      defineElement(tag, class extends Box {});
      expect(el.shadowRoot).to.equal(null);
      await customElements.whenDefined(tag);
      await nextTask();
      expect(el.shadowRoot?.querySelector('p')?.textContent).to.equal('drawn');
    } finally {
      el.remove();
    }
  });

  it('in turns, but loaded while the page is still loading: at once (its load event finds them)', () => {
    defineInTurns(true);
    Object.defineProperty(document, 'readyState', { value: 'interactive', configurable: true });
    try {
      const tag = uniqueTag('crm-test-loading');
      defineElement(tag, class extends Box {});
      expect(customElements.get(tag)).to.exist;
    } finally {
      delete (document as { readyState?: unknown }).readyState;
    }
    expect(document.readyState).to.equal('complete');
  });

  it('in turns: the same class twice is still a no-op, another class still only warns', async () => {
    defineInTurns(true);
    const tag = uniqueTag('crm-test-twice');
    const Ctor = class extends Box {};
    defineElement(tag, Ctor);
    defineElement(tag, Ctor);
    await customElements.whenDefined(tag);
    await nextTask();
    expect(customElements.get(tag)).to.equal(Ctor);
  });
});
