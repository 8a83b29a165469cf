/**
 * Fields a client is about to send, checked as the server will check them, without zod: nesting
 * within the frame's depth limit and no `__proto__` key first (zod skips that key silently, so a
 * save of it would be acknowledged with nothing saved), then the schema. The message is for a person.
 */
import { LIMITS } from '../constants.js';
import type { Fields } from '../entities.js';
import { jsonShapeProblem } from '../json-shape.js';
import { safeCheck } from './combinators.js';
import { fields } from './entities.js';

export function checkFields(
  value: unknown,
): { success: true; data: Fields } | { success: false; message: string } {
  // The fields sit at level 2 of an `entity.update` frame.
  const problem = jsonShapeProblem(value, LIMITS.maxJsonDepth - 1);
  if (problem !== undefined) return { success: false, message: `invalid fields: ${problem}` };
  const result = safeCheck(fields, value);
  if (result.success) return { success: true, data: result.data as Fields };
  return { success: false, message: `invalid fields: ${result.message}` };
}
