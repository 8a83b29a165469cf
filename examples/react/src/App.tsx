import type { ConnectionDisplayState, CrmConnectionStatusChangeEvent } from 'crm-realtime';
import { useCallback, useState } from 'react';
import { CustomerForm } from './CustomerForm';
import { me, serverUrl } from './settings';

export function App() {
  const [state, setState] = useState<ConnectionDisplayState>('unavailable');

  // Typed by crm-realtime/react: `oncrm-…` props take a handler of that event's class. React 19
  // adds a listener for the event named after `on`, so the prop keeps the event's own name.
  const onStatus = useCallback((event: CrmConnectionStatusChangeEvent) => {
    setState(event.state);
  }, []);

  return (
    // React 19 sets a prop as a property when the element has one by that name (devUser, an
    // object; maxVisible, a number), so the props are the properties' own camelCase names.
    <crm-realtime-provider url={serverUrl} devUser={me}>
      <header className="bar">
        <strong>Acme CRM</strong>
        <crm-connection-status oncrm-connection-status-change={onStatus}></crm-connection-status>
        <crm-presence maxVisible={5}></crm-presence>
        <crm-notification-center></crm-notification-center>
      </header>
      <main>
        <p>
          Signed in as {me.name}. Connection (from the typed handler):{' '}
          <output id="handler-state">{state}</output>
        </p>
        <CustomerForm />
        <crm-activity-feed feedType="global" maxItems={20}></crm-activity-feed>
      </main>
    </crm-realtime-provider>
  );
}
