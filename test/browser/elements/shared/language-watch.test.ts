/**
 * A page switching its language (or direction) sets `lang` on `<html>` or a container: the kit's
 * elements inside it render again in the new language at once, also from inside a shadow root,
 * not at their next unrelated render.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../../../src/elements/connection-status/define.js';
import type { CrmConnectionStatus } from '../../../../src/elements/connection-status/crm-connection-status.js';
import type { MessageContext } from '../../../../src/i18n.js';

/** Shows the language the element renders in, as its "no connection" text. */
const messages = { unavailable: (c: MessageContext) => `lang:${c.locale}` };

const shown = (el: CrmConnectionStatus) =>
  el.shadowRoot!.querySelector('[part~="label"]')!.textContent!.trim();

/** Resolves once the observer has seen the attribute change and the element rendered again. */
async function switched(el: CrmConnectionStatus): Promise<void> {
  // Mutation records are delivered in a microtask; the update they request is one more.
  await new Promise((resolve) => setTimeout(resolve));
  await el.updateComplete;
}

describe('shared: language watch', () => {
  it('renders an element again when lang changes on a container around it', async () => {
    const box = await fixture<HTMLDivElement>(
      html`<div lang="en">
        <crm-connection-status .messages=${messages}></crm-connection-status>
      </div>`,
    );
    const el = box.querySelector<CrmConnectionStatus>('crm-connection-status')!;
    await el.updateComplete;
    expect(shown(el)).to.equal('lang:en');
    box.lang = 'de';
    await switched(el);
    expect(shown(el)).to.equal('lang:de');
    box.removeAttribute('lang');
    document.documentElement.lang = 'fr';
    try {
      await switched(el);
      expect(shown(el), 'the page’s own language').to.equal('lang:fr');
    } finally {
      document.documentElement.lang = 'en';
    }
  });

  it('follows a switch above the shadow root it sits in', async () => {
    const box = await fixture<HTMLDivElement>(html`<div lang="en"><div></div></div>`);
    const root = box.firstElementChild!.attachShadow({ mode: 'open' });
    const el = document.createElement('crm-connection-status');
    el.messages = messages;
    root.append(el);
    await switched(el); // settled: whatever its first render set off has run
    await switched(el);
    expect(shown(el)).to.equal('lang:en');
    box.lang = 'ar';
    await switched(el);
    expect(shown(el)).to.equal('lang:ar');
    el.lang = 'de'; // on the element itself, inside the shadow tree
    await switched(el);
    expect(shown(el)).to.equal('lang:de');
  });

  it('follows a switch on an element inside the shadow trees around it, nested ones too', async () => {
    // A component whose shadow tree holds another component, whose shadow tree holds the widget,
    // each inside a wrapper of its own tree: the app sets `lang` on those wrappers.
    const box = await fixture<HTMLDivElement>(html`<div lang="en"><div></div></div>`);
    const outer = box.firstElementChild!.attachShadow({ mode: 'open' });
    const outerWrapper = document.createElement('section');
    const inner = document.createElement('div');
    outerWrapper.append(inner);
    outer.append(outerWrapper);
    const innerWrapper = document.createElement('section');
    inner.attachShadow({ mode: 'open' }).append(innerWrapper);
    const el = document.createElement('crm-connection-status');
    el.messages = messages;
    innerWrapper.append(el);
    await switched(el);
    await switched(el);
    expect(shown(el)).to.equal('lang:en');
    innerWrapper.lang = 'de'; // in the widget's own shadow tree
    await switched(el);
    expect(shown(el)).to.equal('lang:de');
    innerWrapper.removeAttribute('lang');
    outerWrapper.lang = 'fr'; // in the shadow tree around the widget's
    await switched(el);
    expect(shown(el)).to.equal('lang:fr');
    el.remove();
    outerWrapper.lang = 'it';
    await switched(el);
    expect(shown(el), 'a removed element is not rendered again').to.equal('lang:fr');
  });

  it('leaves elements outside the switched container alone, and stops watching once they left', async () => {
    const page = await fixture<HTMLDivElement>(
      html`<div>
        <div lang="en"><crm-connection-status .messages=${messages}></crm-connection-status></div>
        <div lang="en"><crm-connection-status .messages=${messages}></crm-connection-status></div>
      </div>`,
    );
    const [first, second] = page.querySelectorAll<CrmConnectionStatus>('crm-connection-status');
    await Promise.all([first!.updateComplete, second!.updateComplete]);
    let renders = 0;
    const update = second!.requestUpdate.bind(second);
    second!.requestUpdate = (...args: Parameters<typeof update>) => {
      renders += 1;
      return update(...args);
    };
    first!.parentElement!.lang = 'de';
    await switched(first!);
    expect(shown(first!)).to.equal('lang:de');
    expect(renders, 'the other container did not change').to.equal(0);
    expect(shown(second!)).to.equal('lang:en');

    second!.remove();
    first!.remove();
    page.lang = 'it';
    await new Promise((resolve) => setTimeout(resolve));
    expect(renders, 'a removed element is not rendered again').to.equal(0);
  });
});
