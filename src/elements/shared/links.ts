/**
 * Which URLs become links, for every element that links (notifications, the activity feed).
 * Action URLs and entity links come from people, backends and page scripts, so only `http:` and `https:` URLs (absolute, or relative to the page) are ever put in an
 * `href`; `javascript:`, `data:`, `vbscript:` and anything unparsable are not links at all.
 */
import type { EntityRef } from '../../protocol/entities.js';

/** Builds the link of a notification's entity, or `undefined` for none. */
export type EntityHref = (entity: EntityRef) => string | undefined;

const SAFE_PROTOCOLS = new Set(['http:', 'https:']);

/**
 * `url` when it is safe in an `href` (http or https once resolved against `base`, and on `base`'s
 * own site unless it names its scheme), else `undefined`. Control characters and whitespace, which browsers strip before reading a scheme
 * (`java\tscript:`), are refused outright.
 */
export function safeHref(
  url: string | undefined | null,
  base: string = globalThis.document?.baseURI ?? 'http://localhost/',
): string | undefined {
  if (typeof url !== 'string') return undefined;
  const trimmed = url.trim();
  // eslint-disable-next-line no-control-regex
  if (trimmed === '' || /[\u0000-\u001f\u007f\s]/.test(trimmed)) return undefined;
  let resolved: URL;
  try {
    resolved = new URL(trimmed, base);
  } catch {
    return undefined;
  }
  if (!SAFE_PROTOCOLS.has(resolved.protocol)) return undefined;
  // A URL without its own scheme is meant for this site: `//host/x` and `/\host/x` (browsers read
  // a backslash as a slash) resolve to another host, so they are not links.
  if (!/^https?:/i.test(trimmed) && resolved.origin !== new URL(base).origin) return undefined;
  return trimmed;
}

/**
 * An `EntityHref` from a template such as `/customers/{type}/{id}`: `{type}` and `{id}` are
 * replaced by the entity's, percent-encoded, so an id cannot add a path, a query or a scheme.
 * An empty template gives no links.
 */
export function entityHrefFromTemplate(template: string): EntityHref {
  const trimmed = template.trim();
  if (!trimmed) return () => undefined;
  return (entity) =>
    trimmed.replace(/\{(type|id)\}/g, (_, key: 'type' | 'id') => encodeURIComponent(entity[key]));
}
