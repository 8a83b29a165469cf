// @ts-check
/**
 * A CRM's own backend, as small as it gets: it owns the customers (in memory, seeded below), their
 * meetings and calls (seeded from the demo's data, with the ids the demo page uses), and the rules
 * about them; the realtime server is put in front of it with configuration only.
 * Three endpoints, one per integration of the reference server (see README.md beside this file):
 *
 * | route                          | called by the server for   | answers                                   |
 * | ------------------------------ | -------------------------- | ----------------------------------------- |
 * | `GET  /entities/<type>/<id>`   | CRM_ENTITY_BACKEND_URL     | 200 `{ fields }` · 404                    |
 * | `POST /entities/<type>/<id>`   | CRM_ENTITY_BACKEND_URL     | 200 `{ fields }` · 422 `{ errors }` · 409 |
 * |                                |                            | `{ current, changedBy }` · 403 · 404      |
 * | `POST /authorize`              | CRM_AUTHORIZE_URL          | 200 `{ allow, fields? }`                  |
 * | `POST /webhooks`               | CRM_WEBHOOK_URL            | 204 (401 when the signature is wrong)     |
 * | `GET  /webhooks/received`      | you, to see what arrived   | 200 `{ deliveries }`                      |
 *
 * `<type>` is `customer`, `meeting` or `call` (`/entities/meeting/42-meeting-1`); whoever may save
 * a customer may save its meetings and calls, and the callback answers for them as for it.
 *
 * Run: `node examples/crm-backend/server.mjs` (Node 20+, no dependencies). Environment: `PORT`
 * (default 4000; 0 picks a free one), `HOST` (default 127.0.0.1), `CRM_WEBHOOK_SECRET`,
 * `CRM_ENTITY_BACKEND_KEY`, `CRM_AUTHORIZE_KEY` — the same values the realtime server gets. The
 * first line on stdout is `crm-backend listening on http://<host>:<port>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

// ---------------------------------------------------------------------------------------------
// The CRM's data: people with their roles, and customers. A real backend reads a database here.

/** @typedef {'manager' | 'rep' | 'support'} Role */
/** @typedef {{ id: string; name: string; avatarUrl?: string }} User */
/** @typedef {Record<string, unknown>} Fields */

/** The people the demo's development identities stand for (`?as=<id>`), and what they are. */
/** @type {Record<string, Role>} */
const ROLES = { ana: 'rep', ben: 'manager', chloe: 'support', david: 'rep', emma: 'rep' };

/**
 * Whether `id` is a person of the team: one of ROLES's own keys (`in` would also take what every
 * object has, so `constructor` or `toString` passed for a person).
 * @param {unknown} id
 * @returns {id is string}
 */
const isPerson = (id) => typeof id === 'string' && Object.hasOwn(ROLES, id);

/**
 * Every record, by `<type>:<id>`: `customer:42`, and its meetings and calls `meeting:42-meeting-1`,
 * `call:42-call-1` (their `customerId` field names the customer).
 * @type {Map<string, { fields: Fields; changedBy: User }>}
 */
const records = new Map();
const system = { id: 'crm', name: 'CRM' };
for (const [id, fields] of Object.entries({
  42: {
    name: 'Margaret Holloway',
    title: 'Head of Operations',
    company: 'Northwind Logistics',
    city: 'London',
    industry: 'Logistics',
    email: 'm.holloway@northwind-logistics.com',
    phone: '+442079460321',
    owner: 'ana',
    status: 'Qualified',
    value: 48000,
    nextStep: 'Send revised proposal with fleet tracking add-on',
    notes: 'Budget approved for Q3; procurement needs a security questionnaire.',
  },
  7: {
    name: 'Jonas Weber',
    title: 'CTO',
    company: 'Brightline Energy',
    city: 'Berlin',
    industry: 'Energy',
    email: 'jonas.weber@brightline.de',
    phone: '+4930901820',
    owner: 'ben',
    status: 'Customer',
    value: 126000,
    nextStep: 'Renewal call in six weeks',
    notes: 'Renewal talks in March. Price-sensitive: do not discount without Ben.',
    confidential: true,
  },
  13: {
    name: 'Priya Raman',
    title: 'VP Sales',
    company: 'Lumen Health',
    city: 'Boston',
    industry: 'Healthcare',
    email: 'priya.raman@lumenhealth.io',
    phone: '+16175550147',
    owner: 'emma',
    status: 'Lead',
    value: 15000,
    nextStep: 'Book discovery call',
    notes: 'Met at the Boston expo; wants a pilot for two clinics.',
  },
})) {
  records.set(`customer:${id}`, { fields, changedBy: system });
}

/**
 * The meetings and calls of these customers, from the demo's sample data (`demo/data.js`, the
 * module the demo page prints them from), with the ids and fields the reference server's own demo
 * seed gives them (src/server/seed-demo.ts): `<customerId>-meeting-<n>` / `<customerId>-call-<n>`,
 * `n` counting from 1 in the data's order, fields those of the row plus `customerId`. Read at
 * start, not copied here: the data's dates are relative to today, so a copy would disagree with
 * what the page prints. A copy of this file without the demo beside it starts with customers only.
 */
const DEMO_DATA_URL = new URL('../../demo/data.js', import.meta.url);
try {
  const { CUSTOMERS } = await import(DEMO_DATA_URL.href);
  for (const customer of CUSTOMERS) {
    const customerId = String(customer.id);
    if (!records.has(`customer:${customerId}`)) continue;
    for (const kind of /** @type {const} */ (['meeting', 'call'])) {
      /** @type {Fields[]} */
      const rows = (kind === 'meeting' ? customer.meetings : customer.calls) ?? [];
      rows.forEach(({ id, ...row }, i) => {
        const own = typeof id === 'string' || typeof id === 'number' ? String(id) : '';
        const entityId = own || `${customerId}-${kind}-${i + 1}`;
        const fields = JSON.parse(JSON.stringify({ ...row, customerId }));
        records.set(`${kind}:${entityId}`, { fields, changedBy: system });
      });
    }
  }
} catch (err) {
  console.error(`no meetings or calls: ${DEMO_DATA_URL.pathname} could not be read (${err})`);
}

const STATUSES = ['Lead', 'Qualified', 'Customer', 'At risk'];
/**
 * A date and time as a form's datetime-local field sends it (`2031-05-06T09:30`, or an instant
 * with its zone): `Date.parse` alone takes `1` or `May 6`, which no such field can show.
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Whether `text` is such a date and time, of a day the calendar has and an hour below 24:
 * `Date.parse` rolls `2031-02-30` over to March and `24:00` to the next day, which no such
 * field can show either.
 * @param {unknown} text
 */
function isDateTime(text) {
  const match = typeof text === 'string' ? DATE_TIME.exec(text) : null;
  if (!match || Number.isNaN(Date.parse(/** @type {string} */ (text)))) return false;
  const [year, month, day, hour] = match.slice(1, 5).map(Number);
  const date = new Date(Date.UTC(year ?? 0, (month ?? 0) - 1, day ?? 0));
  return date.getUTCMonth() === (month ?? 0) - 1 && date.getUTCDate() === day && (hour ?? 24) < 24;
}

/** Fields a customer has; a save of any other is refused. */
const CUSTOMER_FIELDS = new Set([
  ...['name', 'title', 'company', 'email', 'phone', 'city', 'industry', 'owner', 'status'],
  ...['value', 'lastContact', 'since', 'nextStep', 'notes'],
]);

// ---------------------------------------------------------------------------------------------
// The CRM's rules: validation (with normalized values) and permissions.

/**
 * A phone number in its canonical form, E.164 (`+4930901820`), or undefined when it is not one:
 * the country code is required (`+` or `00`), 8 to 15 digits in all; spaces, dots, dashes and
 * brackets are allowed while typing.
 * @param {unknown} value
 */
export function normalizePhone(value) {
  const text = String(value ?? '').trim();
  if (!/^(\+|00)[\d\s().-]+$/.test(text)) return undefined;
  const digits = text.replace(/^00/, '').replace(/\D/g, '');
  return digits.length >= 8 && digits.length <= 15 && digits[0] !== '0' ? `+${digits}` : undefined;
}

/**
 * Checks a customer save field by field: `{ next }` the values to store (normalized), or
 * `{ errors }` a message per refused field, shown by `<crm-collaborative-form>` under the field.
 * @param {Fields} fields
 * @returns {{ next: Fields; errors: Record<string, string> }}
 */
function validateCustomer(fields) {
  /** @type {Fields} */
  const next = {};
  /** @type {Record<string, string>} */
  const errors = {};
  for (const [field, value] of Object.entries(fields)) {
    const text = typeof value === 'string' ? value.trim() : value;
    if (!CUSTOMER_FIELDS.has(field)) {
      errors[field] = `A customer has no field "${field}"`;
    } else if (field === 'email') {
      if (typeof text === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text))
        next[field] = text.toLowerCase();
      else errors[field] = 'Enter an email address like name@example.com';
    } else if (field === 'phone') {
      const phone = normalizePhone(text);
      if (phone) next[field] = phone;
      else errors[field] = 'Enter the number with its country code, like +49 30 901820';
    } else if (field === 'company' || field === 'name') {
      if (typeof text === 'string' && text !== '') next[field] = text.replace(/\s+/g, ' ');
      else errors[field] = field === 'company' ? 'The company name is required' : 'The name is required';
    } else if (field === 'value') {
      const amount = typeof text === 'string' && text !== '' ? Number(text) : text;
      if (typeof amount === 'number' && Number.isInteger(amount) && amount >= 0) next[field] = amount;
      else errors[field] = 'Enter a whole amount, 0 or more';
    } else if (field === 'status') {
      if (typeof text === 'string' && STATUSES.includes(text)) next[field] = text;
      else errors[field] = `Choose one of ${STATUSES.join(', ')}`;
    } else if (field === 'owner') {
      if (isPerson(text)) next[field] = text;
      else errors[field] = 'Choose a person of the team';
    } else {
      next[field] = text;
    }
  }
  return { next, errors };
}

/**
 * Checks a meeting or call save like a customer's: `{ next }` or `{ errors }` per field. Texts
 * are trimmed and bounded; `at` is an ISO date-time (as the form sends it); `minutes` a whole
 * number from 0 to 600; `by` and `attendees` people of the team. `customerId` is not changed by a
 * save: a meeting stays with its customer.
 * @param {'meeting' | 'call'} type
 * @param {Fields} fields
 * @returns {{ next: Fields; errors: Record<string, string> }}
 */
function validateRelated(type, fields) {
  /** @type {Fields} */
  const next = {};
  /** @type {Record<string, string>} */
  const errors = {};
  /** @type {Record<string, number>} the text fields, with their longest length */
  const texts =
    type === 'meeting' ? { title: 200, place: 200 } : { outcome: 50, summary: 2000 };
  const others = type === 'meeting' ? ['at', 'attendees'] : ['at', 'minutes', 'by'];
  for (const [field, value] of Object.entries(fields)) {
    const text = typeof value === 'string' ? value.trim() : value;
    // Own keys only: `texts.constructor` is Object, which let a field "constructor" be stored.
    const max = Object.hasOwn(texts, field) ? texts[field] : undefined;
    if (max !== undefined) {
      if (typeof text !== 'string') errors[field] = 'Enter a text';
      else if (text.length > max) errors[field] = `At most ${max} characters`;
      else if (text === '' && (field === 'title' || field === 'outcome'))
        errors[field] = field === 'title' ? 'The title is required' : 'The outcome is required';
      else next[field] = text;
    } else if (!others.includes(field)) {
      errors[field] =
        field === 'customerId'
          ? `A ${type} stays with its customer`
          : `A ${type} has no field "${field}"`;
    } else if (field === 'at') {
      if (isDateTime(text)) next[field] = text;
      else errors[field] = 'Enter a date and time';
    } else if (field === 'minutes') {
      const n = typeof text === 'string' && text !== '' ? Number(text) : text;
      if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 600) next[field] = n;
      else errors[field] = 'Enter whole minutes, 0 to 600';
    } else if (field === 'by') {
      if (isPerson(text)) next[field] = text;
      else errors[field] = 'Choose a person of the team';
    } else if (Array.isArray(text) && text.every(isPerson)) {
      next[field] = text;
    } else {
      errors[field] = 'Choose people of the team';
    }
  }
  return { next, errors };
}

/**
 * What a user may do with a customer, and which of its fields they may see or change:
 * - managers: everything;
 * - sales reps: open every customer but a confidential one they do not own; save only the
 *   customers they own; `value` and `owner` are read-only for them;
 * - support: open every customer but a confidential one; save them; `notes` are hidden from
 *   them, `value` and `owner` read-only;
 * - anyone else: nothing.
 * @param {User} user
 * @param {Fields} record
 * @param {'join' | 'read' | 'write'} action
 * @returns {{ allow: boolean; readOnly: string[]; hidden: string[] }}
 */
function customerPermissions(user, record, action) {
  const role = isPerson(user.id) ? ROLES[user.id] : undefined;
  if (role === 'manager') return { allow: true, readOnly: [], hidden: [] };
  const own = record.owner === user.id;
  const readOnly = ['value', 'owner'];
  if (role === 'rep') {
    const allow = action === 'write' ? own : own || record.confidential !== true;
    return { allow, readOnly, hidden: [] };
  }
  if (role === 'support') {
    return { allow: record.confidential !== true, readOnly, hidden: ['notes'] };
  }
  return { allow: false, readOnly: [], hidden: [] };
}

/**
 * The customer a meeting or call belongs to (its `customerId`), or undefined.
 * @param {{ fields: Fields }} record
 */
function parentOf(record) {
  return records.get(`customer:${String(record.fields.customerId)}`);
}

// ---------------------------------------------------------------------------------------------
// Write-through (CRM_ENTITY_BACKEND_URL): read a record, save a record.

/**
 * Answers already given, by `Idempotency-Key` (the save's mutation id) with the record and the
 * person: the server sends a save again when it did not get the answer (a timeout, a dropped
 * connection), and the retry must not apply it twice. A key is a retry only of a save of the same
 * record by the same person: mutation ids go out with every change (`entity.change`), and another
 * save under one must not get that save's answer (the server would store its values). Kept for a
 * day; a real backend keeps them in its database, in the transaction of the write.
 * @type {Map<string, { at: number; status: number; body: unknown }>}
 */
const answered = new Map();
const KEEP_ANSWERS_MS = 24 * 60 * 60 * 1000;

/** @param {string} key */
function readEntity(key) {
  const record = records.get(key);
  if (!record) return { status: 404, body: { error: 'not_found' } };
  return { status: 200, body: { fields: record.fields } };
}

/**
 * `{ fields, base, baseVersion, mutationId, user }`: `base` holds the values the user saw of the
 * fields they changed; a field of the record that differs from it was changed meanwhile.
 * @param {string} key
 * @param {{ fields?: Fields; base?: Fields; user?: User }} save
 */
function saveEntity(key, save) {
  const record = records.get(key);
  if (!record) return { status: 404, body: { error: 'not_found' } };
  const type = key.slice(0, key.indexOf(':'));
  const fields = save.fields ?? {};
  const base = save.base ?? {};
  const user = save.user;
  if (!user || typeof user.id !== 'string') return { status: 403, body: { error: 'forbidden' } };
  // The backend checks its permissions itself, not only through the callback: it is the owner.
  // A meeting or call may be saved by whoever may save its customer; the customer's field rules
  // are about the customer's fields and do not apply to it.
  const customer = type === 'customer' ? record : parentOf(record);
  if (!customer) return { status: 403, body: { error: 'forbidden' } };
  const rules = customerPermissions(user, customer.fields, 'write');
  const locked =
    type === 'customer'
      ? Object.keys(fields).filter((f) => rules.readOnly.includes(f) || rules.hidden.includes(f))
      : [];
  if (!rules.allow || locked.length > 0) return { status: 403, body: { error: 'forbidden' } };

  const { next, errors } =
    type === 'meeting' || type === 'call' ? validateRelated(type, fields) : validateCustomer(fields);
  if (Object.keys(errors).length > 0) {
    return { status: 422, body: { errors, message: 'Not saved: check the marked fields' } };
  }
  const changedMeanwhile = Object.keys(fields).some(
    (f) => f in base && JSON.stringify(record.fields[f]) !== JSON.stringify(base[f]),
  );
  if (changedMeanwhile) {
    return { status: 409, body: { current: record.fields, changedBy: record.changedBy } };
  }
  record.fields = { ...record.fields, ...next };
  record.changedBy = { id: user.id, name: user.name };
  log('saved', key, 'by', user.id, JSON.stringify(next));
  // What was stored, normalized: the server stores and broadcasts this, not what was typed.
  return { status: 200, body: { fields: next } };
}

// ---------------------------------------------------------------------------------------------
// The authorization callback (CRM_AUTHORIZE_URL).

/**
 * `{ user, room, action, entity?, sharesRoom?, watch? }` → `{ allow, fields? }`. The rooms of this
 * backend's records are its business: a customer's (`customer:42`), and a meeting's or call's
 * (`meeting:42-meeting-1`), answered as its customer's (who may open the customer may open its
 * meetings, who may save it may save them). Other rooms (a user's own `user:<id>`, activity
 * feeds, team rooms) are allowed here and left to the server's own rules, which still apply
 * (every source must say yes).
 * @param {{ user?: User; room?: string; action?: string; entity?: { type: string; id: string } }} q
 */
function authorize(q) {
  if (!q.user || !isPerson(q.user.id)) return { allow: false };
  const type = q.entity?.type;
  if (!q.entity || (type !== 'customer' && type !== 'meeting' && type !== 'call')) {
    return { allow: true };
  }
  const record = records.get(`${type}:${q.entity.id}`);
  const customer = record && (type === 'customer' ? record : parentOf(record));
  if (!customer) return { allow: false };
  const action = q.action === 'write' ? 'write' : q.action === 'read' ? 'read' : 'join';
  const rules = customerPermissions(q.user, customer.fields, action);
  if (!rules.allow) return { allow: false };
  return { allow: true, fields: { customer: { readOnly: rules.readOnly, hidden: rules.hidden } } };
}

// ---------------------------------------------------------------------------------------------
// The webhook receiver (CRM_WEBHOOK_URL): every change the server accepted, signed.

/**
 * docs/webhooks.md's verification snippet, as written there. `rawBody`: the body exactly as
 * received; `header`: X-CRM-Signature; `secret`: CRM_WEBHOOK_SECRET.
 * @param {Buffer | string} rawBody
 * @param {string | undefined} header
 * @param {string} secret
 */
export function verifyCrmSignature(
  rawBody,
  header,
  secret,
  toleranceSeconds = 300,
  nowMs = Date.now(),
) {
  /** @type {Record<string, string>} */
  const parts = {};
  for (const part of String(header ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return false;
  if (Math.abs(nowMs / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(parts.v1, 'hex'));
}

/**
 * Deliveries processed, by the body's `id` (the same on every attempt: a delivery whose answer
 * got lost comes again and is answered without being processed twice). Not by `X-CRM-Delivery`,
 * though it holds the same id: the signature covers the body only, so a captured delivery sent
 * again under another header would pass for a new one. Newest last.
 * @type {Map<string, { id: string; event: string; attempt: number; verified: true; kind: string;
 *   entity?: { type: string; id: string }; version?: number; changed?: string[];
 *   source?: string; mutationId?: string; by?: string }>}
 */
const deliveries = new Map();
const KEEP_DELIVERIES = 10_000;
/** Deliveries refused for their signature (a wrong secret, a replay, a forgery). */
let refused = 0;

/**
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @param {Buffer} raw
 * @param {string} secret
 */
function receiveWebhook(headers, raw, secret) {
  const signature = /** @type {string | undefined} */ (headers['x-crm-signature']);
  if (!secret || !verifyCrmSignature(raw, signature, secret)) {
    refused++;
    log('webhook refused: bad or stale signature');
    return { status: 401, body: { error: 'bad_signature' } };
  }
  // Everything acted on comes from the verified body; the other headers are not signed.
  const change = JSON.parse(raw.toString('utf8'));
  const id = String(change.id ?? '');
  if (deliveries.has(id)) return { status: 204, body: undefined };
  const data = change.data ?? {};
  /** @type {NonNullable<ReturnType<typeof deliveries.get>>} */
  const kept = {
    id,
    event: String(change.kind),
    attempt: Number(headers['x-crm-attempt'] ?? 1),
    verified: true,
    kind: change.kind,
  };
  if (change.entity) kept.entity = change.entity;
  if (change.kind === 'entity.change') {
    // The backend already applied a client's save (write-through); a change made some other way
    // (the HTTP API, another system) is news to it. Either way it is recorded, here in memory.
    kept.version = data.entity?.version;
    kept.changed = data.changed;
    kept.source = data.source;
    kept.mutationId = data.mutationId;
    kept.by = data.by?.id;
  }
  deliveries.set(id, kept);
  if (deliveries.size > KEEP_DELIVERIES) deliveries.delete(deliveries.keys().next().value ?? '');
  log('webhook', kept.event, change.entity ? `${change.entity.type}:${change.entity.id}` : '', id);
  return { status: 204, body: undefined };
}

// ---------------------------------------------------------------------------------------------
// HTTP.

/** @param {unknown[]} parts */
function log(...parts) {
  if (process.env.QUIET !== '1') console.log(new Date().toISOString(), ...parts);
}

/**
 * Whether the request carries `Authorization: Bearer <key>` (any request when no key is set).
 * @param {import('node:http').IncomingMessage} req
 * @param {string | undefined} key
 */
function authorized(req, key) {
  if (!key) return true;
  const given = Buffer.from(String(req.headers.authorization ?? ''));
  const wanted = Buffer.from(`Bearer ${key}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * Starts the backend. Options default to the environment (see the header).
 * @param {{ port?: number; host?: string; webhookSecret?: string; entityKey?: string;
 *   authorizeKey?: string }} [options]
 */
export function start(options = {}) {
  const env = process.env;
  const webhookSecret = options.webhookSecret ?? env.CRM_WEBHOOK_SECRET ?? '';
  const entityKey = options.entityKey ?? env.CRM_ENTITY_BACKEND_KEY;
  const authorizeKey = options.authorizeKey ?? env.CRM_AUTHORIZE_KEY;

  const server = createServer(async (req, res) => {
    /** @param {number} status @param {unknown} [body] */
    const reply = (status, body) => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    try {
      /** @type {Buffer[]} */
      const chunks = [];
      let size = 0;
      for await (const chunk of req) {
        size += chunk.length;
        if (size > 1024 * 1024) return reply(413, { error: 'too_large' });
        chunks.push(chunk);
      }
      const raw = Buffer.concat(chunks);
      const path = new URL(req.url ?? '/', 'http://backend').pathname;

      if (req.method === 'POST' && path === '/webhooks') {
        const answer = receiveWebhook(req.headers, raw, webhookSecret);
        return reply(answer.status, answer.body);
      }
      if (req.method === 'GET' && path === '/webhooks/received') {
        return reply(200, { deliveries: [...deliveries.values()], refused });
      }
      if (req.method === 'POST' && path === '/authorize') {
        if (!authorized(req, authorizeKey)) return reply(401, { error: 'unauthorized' });
        return reply(200, authorize(JSON.parse(raw.toString('utf8'))));
      }
      const entity = /^\/entities\/([^/]+)\/([^/]+)$/.exec(path);
      if (entity) {
        if (!authorized(req, entityKey)) return reply(401, { error: 'unauthorized' });
        const key = `${decodeURIComponent(entity[1] ?? '')}:${decodeURIComponent(entity[2] ?? '')}`;
        if (req.method === 'GET') {
          const answer = readEntity(key);
          return reply(answer.status, answer.body);
        }
        if (req.method === 'POST') {
          const idempotencyKey = req.headers['idempotency-key'];
          if (typeof idempotencyKey !== 'string' || idempotencyKey === '') {
            return reply(400, { error: 'Idempotency-Key required' });
          }
          const now = Date.now();
          for (const [k, a] of answered) {
            if (now - a.at < KEEP_ANSWERS_MS) break;
            answered.delete(k);
          }
          // A key seen before (for this record and person) gets the answer it got then, and
          // nothing is applied again.
          const save = JSON.parse(raw.toString('utf8'));
          const retryOf = JSON.stringify([idempotencyKey, key, save?.user?.id ?? null]);
          const known = answered.get(retryOf);
          if (known) return reply(known.status, known.body);
          const answer = saveEntity(key, save);
          answered.set(retryOf, { at: now, ...answer });
          return reply(answer.status, answer.body);
        }
      }
      reply(404, { error: 'not_found' });
    } catch (err) {
      log('failed:', err instanceof Error ? err.message : String(err));
      if (!res.headersSent) reply(400, { error: 'bad_request' });
    }
  });

  const port = options.port ?? Number(env.PORT ?? 4000);
  const host = options.host ?? env.HOST ?? '127.0.0.1';
  return new Promise((resolve) => {
    server.listen(port, host, () => {
      const address = /** @type {import('node:net').AddressInfo} */ (server.address());
      const url = `http://${host}:${address.port}`;
      console.log(`crm-backend listening on ${url}`);
      if (!webhookSecret) log('CRM_WEBHOOK_SECRET is not set: every webhook is refused');
      resolve({ url, server });
    });
  });
}

// Run as a program (`node server.mjs`), not when imported.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await start();
