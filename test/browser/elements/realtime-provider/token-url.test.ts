/**
 * `token-url`: the provider's declarative token source, against a fake token endpoint (the page's
 * `fetch`, stubbed for the test and restored after it).
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import '../../../../src/elements/realtime-provider/define.js';
import { fetchToken } from '../../../../src/elements/realtime-provider/token-url.js';
import { fakeToken } from '../../../../src/testing/index.js';
import {
  closeFakeConnections,
  fakeConnection,
  recordWarnings,
} from '../../helpers/fake-connection.js';

const ADA = { id: 'ada', name: 'Ada' };

interface Seen {
  url: string;
  init: RequestInit | undefined;
}

/** Replace the page's `fetch` with `answer` until the test ends; records every call. */
/** Fetches seen by every stub, for waiting on the provider's first one. */
let fetches = 0;

function stubFetch(answer: (url: string) => Response | Promise<Response>): Seen[] {
  const seen: Seen[] = [];
  const original = window.fetch;
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    fetches += 1;
    seen.push({ url, init });
    return answer(url);
  };
  restores.push(() => (window.fetch = original));
  return seen;
}

const restores: (() => void)[] = [];
afterEach(() => {
  restores.splice(0).forEach((restore) => restore());
  closeFakeConnections();
});

/** A provider on a fake server that accepts only tokens (no development identities). */
async function tokenProvider(attributes = 'token-url="/api/realtime-token"') {
  const fake = await fakeConnection({ server: { users: [ADA], allowDevUsers: false } });
  const { devUser: _none, ...options } = fake.options;
  const wrap = await fixture<HTMLDivElement>(html`<div></div>`);
  wrap.innerHTML = `<crm-realtime-provider url="fake://x" ${attributes}></crm-realtime-provider>`;
  const el = wrap.firstElementChild as CrmRealtimeProvider;
  el.clientOptions = options;
  // The fake connection's own client said hello first (refused): only the provider's count here.
  fake.client.close();
  const skip = fake.server.received('hello').length;
  const before = fetches;
  await el.updateComplete;
  // The first fetch waits for the fetch's code, which the provider loads on first use.
  await waitUntil(() => fetches > before, 'the provider fetched no token');
  return { fake, el, hellos: () => fake.server.received('hello').slice(skip) };
}

describe('<crm-realtime-provider token-url>', () => {
  it('reflects token-url to tokenUrl', async () => {
    stubFetch(() => new Response(fakeToken('ada')));
    const { el } = await tokenProvider('token-url="/t"');
    expect(el.tokenUrl).to.equal('/t');
  });

  it('fetches a text token on every (re)connect, same-origin, not cached', async () => {
    const seen = stubFetch(() => new Response(`${fakeToken('ada')}\n`));
    const { fake, el, hellos } = await tokenProvider();
    await fake.clock.flush();
    expect(el.client!.status.state).to.equal('open');
    expect(hellos().map((h) => h.token)).to.deep.equal([fakeToken('ada')]);
    expect(seen).to.have.length(1);
    expect(seen[0]!.url).to.equal(new URL('/api/realtime-token', location.href).href);
    expect(seen[0]!.init).to.include({ credentials: 'same-origin', cache: 'no-store' });

    fake.server.dropConnections();
    await fake.clock.flush();
    await fake.clock.advance(1000); // the first retry waits half of 2 × 1000 ms (random 0.5)
    await fake.clock.flush();
    expect(el.client!.status.state).to.equal('open');
    expect(seen, 'a fresh token for the reconnect').to.have.length(2);
  });

  it('accepts JSON { token }', async () => {
    stubFetch(() => Response.json({ token: fakeToken('ada'), expiresIn: 300 }));
    const { fake, el, hellos } = await tokenProvider();
    await fake.clock.flush();
    expect(el.client!.status.state).to.equal('open');
    expect(hellos()[0]!.token).to.equal(fakeToken('ada'));
  });

  it('lets getToken win when both are set', async () => {
    const seen = stubFetch(() => new Response('not used'));
    const fake = await fakeConnection({ server: { users: [ADA], allowDevUsers: false } });
    const { devUser: _none, ...options } = fake.options;
    const el = await fixture<CrmRealtimeProvider>(
      html`<crm-realtime-provider
        url="fake://x"
        token-url="/api/realtime-token"
        .getToken=${() => fakeToken('ada')}
        .clientOptions=${options}
      ></crm-realtime-provider>`,
    );
    await fake.clock.flush();
    expect(el.client!.status.state).to.equal('open');
    expect(seen).to.have.length(0);
  });

  it('says "refused" and stops retrying when the endpoint answers 401', async () => {
    const seen = stubFetch(() => new Response('no session', { status: 401 }));
    const refusals: Event[] = [];
    const listen = (e: Event) => refusals.push(e);
    document.addEventListener('crm-connection-refused', listen);
    restores.push(() => document.removeEventListener('crm-connection-refused', listen));
    const { fake, el, hellos } = await tokenProvider();
    await fake.clock.flush();
    const status = el.client!.status;
    expect(status.state).to.equal('closed');
    const refusal = status.state === 'closed' ? status.refusal : undefined;
    expect(refusal?.code).to.equal('invalid_token');
    expect(refusal?.message).to.match(/token-url .*\/api\/realtime-token answered 401/);
    expect(refusals.map((e) => e.target)).to.deep.equal([el]);
    await fake.clock.advance(60_000);
    expect(seen, 'no loop').to.have.length(1);
    expect(hellos(), 'no handshake without a token').to.have.length(0);
  });

  it('retries a network failure with backoff, and says why', async () => {
    let down = true;
    stubFetch(() =>
      down ? Promise.reject(new TypeError('Failed to fetch')) : new Response(fakeToken('ada')),
    );
    const { fake, el } = await tokenProvider();
    await fake.clock.flush();
    const status = el.client!.status;
    expect(status.state).to.equal('reconnecting');
    expect(status.state === 'reconnecting' && status.lastError).to.match(
      /token-url .* could not be fetched \(Failed to fetch\)/,
    );
    down = false;
    await fake.clock.advance(1000);
    await fake.clock.flush();
    expect(el.client!.status.state).to.equal('open');
  });
});

describe('fetchToken', () => {
  const answer = (response: Response) => () => Promise.resolve(response);

  it('reads text, trimmed, and JSON only when the response says JSON', async () => {
    expect(await fetchToken('/t', answer(new Response(' abc \n')))).to.equal('abc');
    expect(await fetchToken('/t', answer(Response.json({ token: 'xyz' })))).to.equal('xyz');
    const jsonAsText = new Response('{"token":"t"}', { headers: { 'content-type': 'text/plain' } });
    expect(await fetchToken('/t', answer(jsonAsText))).to.equal('{"token":"t"}');
  });

  it('explains an answer without a token, and a server error', async () => {
    const empty = fetchToken('/t', answer(new Response('')));
    await expectRejection(empty, /token-url \/t answered without a token/);
    const noField = fetchToken('/t', answer(Response.json({ jwt: 'x' })));
    await expectRejection(noField, /without a token/);
    const failing = fetchToken('/t', answer(new Response('', { status: 503 })));
    await expectRejection(failing, /token-url \/t answered 503/);
  });

  it('warns once in the console when the endpoint answers no token (a mistyped path)', async () => {
    const warnings = recordWarnings();
    try {
      for (let i = 0; i < 3; i++) {
        const missing = fetchToken('/api/no-such-token', answer(new Response('', { status: 404 })));
        await expectRejection(missing, /answered 404/);
      }
      await expectRejection(fetchToken('/api/empty-token', answer(new Response(''))), /without/);
    } finally {
      warnings.restore();
    }
    expect(warnings.messages).to.deep.equal([
      'crm-realtime: token-url /api/no-such-token answered 404; retrying',
      'crm-realtime: token-url /api/empty-token answered without a token; retrying',
    ]);
  });

  it("names the URL by its path on the page's origin, and never shows its query", async () => {
    const own = `${location.origin}/api/realtime-token?csrf=s3cret`;
    const refused = fetchToken(own, answer(new Response('', { status: 401 })));
    await expectRejection(refused, /^token-url \/api\/realtime-token answered 401: sign in again$/);
    const other = fetchToken(
      'https://auth.example.com/token?key=s3cret',
      answer(new Response('', { status: 503 })),
    );
    await expectRejection(other, /^token-url https:\/\/auth\.example\.com\/token answered 503$/);
  });
});

async function expectRejection(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'rejected').to.be.instanceOf(Error);
  expect((error as Error).message).to.match(message);
}
