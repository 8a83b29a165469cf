/**
 * The patterns of names and URLs, without zod: the schemas in `common.ts` check them, and so do the
 * browser client's own frame checks (`server-frame-checks.ts`), which must not load zod.
 */

/**
 * What a user id may not contain: C0 and C1 control characters, DEL, and the line and paragraph
 * separators, which would let an id break a log line or a header. Anything else is an identity
 * provider's business: `auth0|5f7c…`, `google-oauth2|…`, `a+b@example.com`, `Jörg Müller`.
 */
const USER_ID_CHAR = '[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]';

/** A user id: at least one character, none of them control. */
export const USER_ID_PATTERN = /* @__PURE__ */ new RegExp(`^${USER_ID_CHAR}+$`);

/**
 * Room names: letters, digits and `_ - . : / @ #`, or a user's own rooms (`user:<id>`,
 * `activity:user:<id>`) with any user id.
 */
export const ROOM_NAME_PATTERN = /* @__PURE__ */ new RegExp(
  `^(?:[A-Za-z0-9_\\-.:/@#]+|(?:activity:)?user:${USER_ID_CHAR}+)$`,
);

/**
 * Field names: letters, digits and `_ . -`, not starting with a digit. `__proto__` is refused (a
 * copy of the fields would set its prototype instead of keeping the field; see `json-shape.ts`).
 */
export const FIELD_NAME_PATTERN = /^(?!__proto__$)[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Event names of the generic broadcast, e.g. `cursor` or `typing`. */
export const EVENT_NAME_PATTERN = /^[A-Za-z0-9_\-.:]+$/;

/** Avatar URLs are rendered as `<img src>`: only `https:`, `http:` and `data:image/`. */
export const AVATAR_URL_PATTERN = /^(https?:\/\/|data:image\/)/i;
