import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import '../../../../src/elements/realtime-provider/define.js';
import { fakeToken } from '../../../../src/testing/index.js';
import { closeFakeConnections, fakeConnection } from '../../helpers/fake-connection.js';

/** `console.debug` calls until `restore()`: the line, and everything logged with it as JSON. */
function recordDebug(): { lines: () => string[]; all: () => string; restore(): void } {
  const original = console.debug;
  const calls: unknown[][] = [];
  console.debug = (...args: unknown[]) => void calls.push(args);
  return {
    lines: () => calls.map((call) => String(call[0])),
    all: () => JSON.stringify(calls),
    restore: () => (console.debug = original),
  };
}

/** The frame log's code loads with the first `debug` client: wait for a line to be written. */
async function written(debug: { lines: () => string[] }, text: string): Promise<void> {
  await waitUntil(
    () => debug.lines().some((line) => line.includes(text)),
    `no "${text}" line was written`,
  );
}

function expectLine(lines: string[], pattern: RegExp): void {
  expect(
    lines.some((line) => pattern.test(line)),
    `a line like ${pattern}: ${lines.join(' | ')}`,
  ).to.equal(true);
}

async function providerWith(debug: boolean) {
  const fake = await fakeConnection({ server: { users: [{ id: 'ada', name: 'Ada' }] } });
  const el = await fixture<CrmRealtimeProvider>(
    html`<crm-realtime-provider
      url="fake://x"
      ?debug=${debug}
      .clientOptions=${{ ...fake.options, devUser: undefined }}
      .getToken=${() => fakeToken('ada')}
    ></crm-realtime-provider>`,
  );
  await fake.clock.flush();
  return { fake, el };
}

afterEach(() => closeFakeConnections());

describe('<crm-realtime-provider debug>', () => {
  let debug: ReturnType<typeof recordDebug>;
  beforeEach(() => {
    debug = recordDebug();
  });
  afterEach(() => debug.restore());

  it('is off by default, as property and attribute', async () => {
    const el = await fixture<CrmRealtimeProvider>(
      html`<crm-realtime-provider></crm-realtime-provider>`,
    );
    expect(el.debug).to.equal(false);
    el.setAttribute('debug', '');
    expect(el.debug).to.equal(true);
  });

  it('logs every frame in and out with its size, time since connect and round trip', async () => {
    const { fake, el } = await providerWith(true);
    expect(el.client!.status.state).to.equal('open');
    await fake.clock.advance(1500);
    const room = el.client!.joinRoom('customer:42');
    await fake.clock.flush();
    room.release();
    await written(debug, 'frame in joined');
    const lines = debug.lines();
    expect(lines.every((line) => line.startsWith('crm-realtime: frame '))).to.equal(true);
    expect(lines[0]).to.match(/^crm-realtime: frame out hello \(\d+ B, \+0 ms\)$/);
    expectLine(lines, /^crm-realtime: frame in welcome \(\d+ B, \+\d+ ms, round trip \d+ ms\)$/);
    expectLine(lines, /^crm-realtime: frame out join \(\d+ B, \+1500 ms\)$/);
    expectLine(lines, /^crm-realtime: frame in joined \(\d+ B, \+1500 ms, round trip 0 ms\)$/);
    const join = lines.find((line) => line.includes('frame out join'))!;
    const sent = fake.server.received('join').at(-1)!;
    expect(join).to.contain(`(${new TextEncoder().encode(JSON.stringify(sent)).byteLength} B`);
  });

  it('never logs the token', async () => {
    await providerWith(true);
    await written(debug, 'frame in welcome');
    const token = fakeToken('ada');
    expect(debug.all()).to.contain('"token":"[redacted]"');
    expect(debug.all()).not.to.contain(token);
  });

  it('logs nothing when off', async () => {
    const { fake, el } = await providerWith(false);
    expect(el.client!.status.state).to.equal('open');
    el.client!.joinRoom('customer:42').release();
    await fake.clock.flush();
    expect(debug.lines()).to.deep.equal([]);
  });
});
