/**
 * Reading fields by a name that users chose. Field names are data: `constructor` or `toString` are
 * field names like any other, so only own properties count (`fields[name]` would read what every
 * object inherits). No zod here: elements import this module without pulling in the schemas.
 */

/** The value of the field `name`, or `undefined` when `fields` has no own field of that name. */
export function fieldValue<T>(fields: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : undefined;
}

/** Whether `fields` has its own field `name` (see `fieldValue`). */
export function hasField(fields: object, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(fields, name);
}
