import { expect } from '@open-wc/testing';
import { html, render } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { keyedList } from '../../../../src/elements/shared/keyed-list.js';

/** Nodes in a list container that are neither items nor text. */
const emptyComments = (el: Element) =>
  [...el.childNodes].filter((n) => n.nodeType === Node.COMMENT_NODE && (n as Comment).data === '')
    .length;

/** Render a sliding window of `size` items 200 times: items leave at one end, come at the other. */
function churn(list: typeof keyedList | typeof repeat, size = 5): HTMLElement {
  const host = document.createElement('ol');
  for (let first = 0; first < 200; first++) {
    const items = Array.from({ length: size }, (_, i) => first + i);
    render(
      html`${list(
        items,
        (n) => n,
        (n) => html`<li>${n}</li>`,
      )}`,
      host,
    );
  }
  return host;
}

describe('keyedList', () => {
  it('renders like repeat, keyed: an item that stays keeps its node', () => {
    const host = document.createElement('ol');
    const draw = (items: number[]) =>
      render(
        html`${keyedList(
          items,
          (n) => n,
          (n) => html`<li>${n}</li>`,
        )}`,
        host,
      );
    draw([1, 2, 3]);
    const two = host.querySelectorAll('li')[1];
    draw([0, 2, 3, 4]);
    expect([...host.querySelectorAll('li')].map((li) => li.textContent)).to.deep.equal([
      '0',
      '2',
      '3',
      '4',
    ]);
    expect(host.querySelectorAll('li')[1]).to.equal(two);
  });

  it('leaves no markers behind as items come and go', () => {
    const host = churn(keyedList);
    expect(host.querySelectorAll('li').length).to.equal(5);
    // One start and one end marker per item, plus the list's own.
    expect(emptyComments(host)).to.be.at.most(2 * 5 + 2);
  });

  it('is needed: the plain repeat of this Lit leaves one per removed item (lit/lit#5298)', () => {
    // A tripwire: once Lit ships the fix this fails, and keyedList can become repeat again.
    expect(emptyComments(churn(repeat))).to.be.greaterThan(150);
  });
});
