/**
 * The answer to a write the user's field rules refuse (fields read-only or hidden for them): one
 * `forbidden` error naming the fields, in its message for people and in `errors` for programs, the
 * shape `entity.rejected` carries. The reference server and the fake answer with it alike.
 */
import type { FieldErrors } from '../protocol/index.js';

/** Each refused field's message. */
export const READ_ONLY_FOR_YOU = 'read-only for you';

/** The `message` and `errors` of the `forbidden` answer refusing `fields` (sorted) of `room`. */
export function fieldRefusal(
  room: string,
  fields: readonly string[],
): { message: string; errors: FieldErrors } {
  const errors: FieldErrors = {};
  for (const field of fields) errors[field] = READ_ONLY_FOR_YOU;
  return {
    message: `not allowed to change ${fields.join(', ')} of ${room}: ${READ_ONLY_FOR_YOU}`,
    errors,
  };
}
