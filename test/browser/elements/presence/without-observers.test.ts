/**
 * A page without `ResizeObserver` or `CSS.escape` (jsdom, where many host apps run their unit
 * tests): the widgets still render people and react to them, rather than throw as they are made.
 */
import { expect } from '@open-wc/testing';
import { cssEscape } from '../../../../src/elements/shared/css-escape.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { BEN, CARL, ROOM, mountPresence } from './fixture.js';

describe('without ResizeObserver and CSS.escape', () => {
  const observer = globalThis.ResizeObserver;
  const escape = CSS.escape;
  beforeEach(() => {
    delete (globalThis as { ResizeObserver?: unknown }).ResizeObserver;
    delete (CSS as { escape?: unknown }).escape;
  });
  afterEach(() => {
    globalThis.ResizeObserver = observer;
    CSS.escape = escape;
    return closeFakeConnections();
  });

  it('<crm-presence> renders the people here, and the call button', async () => {
    const m = await mountPresence({
      attrs: { 'room-id': ROOM, callable: '' },
      people: [BEN, CARL],
    });
    expect(m.root.querySelectorAll('.list .avatar').length).to.equal(2);
    expect(m.root.querySelector('[part~="call"]')).to.not.equal(null);
    m.el.remove();
  });

  it('cssEscape keeps a quoted selector value whole', () => {
    const id = 'a"b\\c\nd';
    const host = document.createElement('div');
    const item = document.createElement('span');
    item.dataset['id'] = id;
    host.append(item);
    expect(host.querySelector(`[data-id="${cssEscape(id)}"]`)).to.equal(item);
  });
});
