/**
 * Who may signal whom in a call, in one rule for the server and the fake server. A call's events
 * (names starting `call.`: offers, answers, candidates, rings) go only between two people the
 * room's presence shows in its call: a member outside the call who could signal someone in it
 * could have that person's browser open a connection and send them its microphone. Other
 * addressed events are not calls and are not limited here.
 */
import type { Person } from '../protocol/index.js';

/** The prefix of a call's events. */
export const CALL_EVENT_PREFIX = 'call.';

/** Whether `event` from `from` may reach `to`, given the room's people. */
export function signalAllowed(
  event: string,
  from: string,
  to: string,
  people: Iterable<Pick<Person, 'user' | 'inCall'>>,
): boolean {
  if (!event.startsWith(CALL_EVENT_PREFIX)) return true;
  let sender = false;
  let addressee = false;
  for (const person of people) {
    if (person.inCall !== true) continue;
    if (person.user.id === from) sender = true;
    if (person.user.id === to) addressee = true;
  }
  return sender && addressee;
}
