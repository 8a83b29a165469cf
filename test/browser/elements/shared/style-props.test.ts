import { expect } from '@open-wc/testing';
import { html, render } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { styleProps } from '../../../../src/elements/shared/style-props.js';

/**
 * This page refuses style attributes written by a script, as a CRM page whose policy has no
 * `'unsafe-inline'` for styles does; the violations it reports are collected here.
 */
const violations: string[] = [];
before(() => {
  document.addEventListener('securitypolicyviolation', (event) => {
    violations.push(`${event.violatedDirective} ${event.sample}`);
  });
  const meta = document.createElement('meta');
  meta.httpEquiv = 'Content-Security-Policy';
  meta.content = "style-src-attr 'none'";
  document.head.append(meta);
});

/** Waits for the violations of what was just rendered to be reported (they come in a task). */
async function reported(): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve));
  return violations.splice(0);
}

describe('styleProps', () => {
  it('sets custom and standard properties under a policy that refuses style attributes', async () => {
    const host = document.createElement('div');
    document.body.append(host);
    const draw = (props: Record<string, string | undefined>) =>
      render(html`<span style=${styleProps(props)}></span>`, host);
    draw({ '--_avatar-bg': 'rgb(1, 2, 3)', 'padding-block-start': '12px' });
    const span = host.querySelector('span')!;
    expect(span.style.getPropertyValue('--_avatar-bg')).to.equal('rgb(1, 2, 3)');
    expect(getComputedStyle(span).paddingTop).to.equal('12px');
    draw({ '--_avatar-bg': undefined, 'padding-block-start': '4px' });
    expect(span.style.getPropertyValue('--_avatar-bg')).to.equal('');
    expect(getComputedStyle(span).paddingTop).to.equal('4px');
    expect(await reported()).to.deep.equal([]);
    host.remove();
  });

  it("is needed: Lit's styleMap writes an attribute on its first render, which such a page refuses", async () => {
    const host = document.createElement('div');
    document.body.append(host);
    render(html`<span style=${styleMap({ '--_avatar-bg': 'red' })}></span>`, host);
    expect(await reported()).to.have.length(1);
    expect(host.querySelector('span')!.style.getPropertyValue('--_avatar-bg')).to.equal('');
    host.remove();
  });

  it('belongs in a style attribute only', () => {
    const host = document.createElement('div');
    expect(() => render(html`<span title=${styleProps({})}></span>`, host)).to.throw(/style/);
  });
});
