/**
 * Frame checks made from a capability's zod schemas, for `acceptServerFrames`: the capability's
 * frames are parsed exactly as the server's schemas say, and zod loads with the first capability
 * that needs it, not with the client core.
 */
import * as z from 'zod/mini';
import { ServerFrame } from '../protocol/frames.js';
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

/**
 * Checks of the server frames whose type `wanted` picks, from the protocol's `ServerFrame` union:
 * a capability names its frames by kind (`entity.`), so a frame type added to the protocol is
 * parsed as soon as it is in the union.
 */
export function serverFrameChecks(wanted: (type: string) => boolean): Record<string, Check> {
  const schemas: Record<string, z.ZodMiniType> = {};
  for (const option of ServerFrame._zod.def.options) {
    const literal = (option as z.ZodMiniObject)._zod.def.shape['type'] as z.ZodMiniLiteral<string>;
    for (const type of literal._zod.def.values) {
      if (typeof type === 'string' && wanted(type)) schemas[type] = option;
    }
  }
  return schemaChecks(schemas);
}
