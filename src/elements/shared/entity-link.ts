/**
 * Entity links from a template a page writes in an attribute (`entity-link-template`), shared by
 * the elements that link to entities, so a page with no script gets links.
 */
import type { EntityRef } from '../../protocol/entities.js';

/**
 * An `EntityHref` from a template such as `/customers/{type}/{id}`: `{type}` and `{id}` are
 * replaced by the entity's, percent-encoded, so an id cannot add a path, a query or a scheme.
 * An empty template gives no links.
 */
export function entityHrefFromTemplate(
  template: string,
): (entity: EntityRef) => string | undefined {
  const trimmed = template.trim();
  if (!trimmed) return () => undefined;
  return (entity) =>
    trimmed.replace(/\{(type|id)\}/g, (_, key: 'type' | 'id') => encodeURIComponent(entity[key]));
}
