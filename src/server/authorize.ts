/**
 * The authorization hook: may this user join this room, or emit into it? Called on every join and
 * every emit; a refusal is answered with `forbidden` and nothing of the room reaches the client.
 */
import type { UserProfile } from '../protocol/index.js';

export interface AuthorizeRequest {
  user: UserProfile;
  room: string;
  action: 'join' | 'emit';
}

export type AuthorizeHook = (request: AuthorizeRequest) => boolean | Promise<boolean>;

/** Everything is allowed except the private `user:<id>` rooms of other users. */
export const defaultAuthorize: AuthorizeHook = ({ user, room }) => {
  if (room.startsWith('user:')) return room === `user:${user.id}`;
  return true;
};
