/**
 * Type probe, never rendered: `npm run typecheck` compiles it with the app. Each line under a
 * @ts-expect-error MUST be a type error; if crm-realtime/react stops typing the tags, the
 * directive is unused and tsc fails.
 */
import type { CrmPresenceChangeEvent } from 'crm-realtime';
import type { CSSProperties } from 'react';

const onPresence = (event: CrmPresenceChangeEvent) => event.arrived;
const inset: CSSProperties = { marginInlineStart: 8 };

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
    {/* A kit element is an HTML element: React's props of one compile, typed by React. */}
    <crm-presence id="who" className="compact" role="list" aria-label="People here" inert></crm-presence>
    <crm-presence onClick={(e) => e.currentTarget.maxVisible} onKeyDown={(e) => e.key}></crm-presence>
    <crm-presence style={inset}></crm-presence>
    <crm-presence style={{ '--crm-presence-size': '3rem' }}></crm-presence>
    {/* The ref is the element: its methods are typed. */}
    <crm-notification-center ref={(el) => el?.show()}></crm-notification-center>
    {/* @ts-expect-error onClick gets React's mouse event, not the kit's presence event */}
    <crm-presence onClick={onPresence}></crm-presence>
    {/* @ts-expect-error the ref of a presence is a CrmPresence, which has no markAllRead() */}
    <crm-presence ref={(el) => el?.markAllRead()}></crm-presence>
  </>
);
