/**
 * `activity.list`. Reading a feed's history needs what joining its live-tail
 * room needs (the hook's `join` of `activity:<feed>`): whoever may watch a feed may page back in it.
 */
import { feedRoom, type ActivityListFrame } from '../../protocol/index.js';
import type { Connection } from '../connection.js';
import { authorizeAction, type AuthorizeHook } from '../authorize.js';
import type { ServerLimits } from '../config.js';
import type { SomeFrameHandlers } from '../frame-handlers.js';
import { ENVELOPE_BYTES } from '../chunk.js';
import { hookFor } from '../permissions/permissions.js';
import { answering, permitted, type RequestDeps } from '../notifications/requests.js';
import type { ActivityService } from './activity-service.js';

/** Default page size when the client gives no `limit`. */
const DEFAULT_LIMIT = 50;

/** What reading the activity log needs of the server. */
export interface ActivityFrameDeps extends RequestDeps {
  readonly limits: Pick<ServerLimits, 'maxFrameBytes'>;
  readonly authorize: AuthorizeHook;
  readonly activity: ActivityService;
}

/** The frames the activity log answers. */
export function activityFrames(ctx: ActivityFrameDeps): SomeFrameHandlers<'activity.list'> {
  return { 'activity.list': (connection, frame) => listActivity(ctx, connection, frame) };
}

async function listActivity(
  ctx: ActivityFrameDeps,
  connection: Connection,
  frame: ActivityListFrame,
): Promise<void> {
  const room = feedRoom(frame.feed);
  const user = connection.user!;
  const refusal = { message: `not allowed to read ${room}`, replyTo: frame.id, room };
  if (
    !(await permitted(ctx, connection, refusal, 'join', () =>
      authorizeAction(hookFor(ctx.authorize, connection), user, 'join', room),
    ))
  ) {
    return;
  }
  await answering(ctx, connection, frame.id, async () => {
    const page = await ctx.activity.list(
      frame.feed,
      frame.filter,
      frame.before,
      frame.limit ?? DEFAULT_LIMIT,
      ctx.limits.maxFrameBytes - ENVELOPE_BYTES,
    );
    connection.send({ type: 'activity.page', replyTo: frame.id, ...page });
  });
}
