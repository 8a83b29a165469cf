/**
 * A URL the server fetches (write-through, the permissions callback, webhooks, JWKS), checked once,
 * when it is configured, by the environment's loader and by `createServer` alike: a typo or a
 * credential stops the start with the setting's name instead of failing every request later.
 */

/** Why `raw` cannot be fetched, or undefined when it can. */
export function fetchedUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not repeated: a value that is no URL may be a secret set in the wrong variable, and this
    // message goes to the start's error output and the logs.
    return `is not an http(s) URL (a value of ${raw.length} characters, not shown; a URL starts with https://)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `"${url.protocol}//…" is not an http(s) URL`;
  }
  // fetch refuses a URL with a user name or password on every request, and its error repeats
  // the URL, password included; so the password is not repeated here either.
  if (url.username !== '' || url.password !== '') {
    return (
      `must not carry a user name or password (${url.protocol}//…@${url.host}): ` +
      'put the credential in its key setting (sent as a Bearer token) instead'
    );
  }
  return undefined;
}

/** `raw` as a URL; throws naming `setting` when it cannot be fetched. */
export function fetchedUrl(setting: string, raw: string): URL {
  const problem = fetchedUrlProblem(raw);
  if (problem !== undefined) throw new Error(`${setting}: ${problem}`);
  return new URL(raw);
}

/**
 * Each fetched URL's environment variable, and what an attacker on the network path could do if
 * it is fetched over plain http.
 */
const FETCHED = {
  'auth.jwksUrl': ['CRM_JWKS_URL', "substitute the signing keys and so forge any user's token"],
  'entityBackend.url': ['CRM_ENTITY_BACKEND_URL', 'read and alter records, and read its key'],
  'authorizeCallback.url': ['CRM_AUTHORIZE_URL', 'forge permission answers, and read its key'],
  'webhooks.url': ['CRM_WEBHOOK_URL', 'read every change sent to the CRM'],
} as const;

export type FetchedUrlSetting = keyof typeof FETCHED;

/**
 * The risk of fetching `raw` over plain http, or undefined when it goes over https or stays on
 * this machine (loopback, where a sidecar or a local proxy usually adds TLS).
 */
export function plainHttpRisk(
  setting: FetchedUrlSetting,
  raw: string,
): { env: string; risk: string } | undefined {
  const url = new URL(raw);
  if (url.protocol !== 'http:') return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1' || /^127\./.test(host)) return undefined;
  const [env, risk] = FETCHED[setting];
  return { env, risk: `anyone on the network path could ${risk}: use https` };
}
