/**
 * Type probe, never rendered: `npm run typecheck` compiles it with the app. Each line under a
 * @ts-expect-error MUST be a type error; if crm-realtime/react stops typing the tags, the
 * directive is unused and tsc fails.
 */
import type { CrmPresenceChangeEvent } from 'crm-realtime';

const onPresence = (event: CrmPresenceChangeEvent) => event.arrived;

export const probe = (
  <>
    {/* @ts-expect-error a property of the wrong type: maxVisible is a number */}
    <crm-presence maxVisible="lots"></crm-presence>
    {/* @ts-expect-error the same under the attribute's name: max-visible is a number */}
    <crm-presence max-visible="lots"></crm-presence>
    {/* @ts-expect-error a property of the wrong type: devUser is a UserProfile */}
    <crm-realtime-provider devUser={42}></crm-realtime-provider>
    {/* @ts-expect-error a handler for another event: this one gets CrmConnectionStatusChangeEvent */}
    <crm-connection-status oncrm-connection-status-change={onPresence}></crm-connection-status>
    {/* The right types compile. */}
    <crm-presence maxVisible={3} oncrm-presence-change={onPresence}></crm-presence>
    <crm-presence max-visible={3}></crm-presence>
  </>
);
