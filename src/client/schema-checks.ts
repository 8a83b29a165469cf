/**
 * Frame checks made from a capability's zod schemas, for `acceptServerFrames`: the capability's
 * frames are parsed exactly as the server's schemas say, and zod loads with the first capability
 * that needs it, not with the client core.
 */
import * as z from 'zod/mini';
import { FrameProblem, type Check } from '../protocol/server-frame-checks.js';

export function schemaChecks(
  schemas: Readonly<Record<string, z.ZodMiniType>>,
): Record<string, Check> {
  const checks: Record<string, Check> = {};
  for (const [type, schema] of Object.entries(schemas)) {
    checks[type] = (value) => {
      const result = z.safeParse(schema, value);
      if (!result.success) throw new FrameProblem(z.prettifyError(result.error));
      return result.data;
    };
  }
  return checks;
}
