/**
 * Type probe, never bootstrapped: the example harness compiles it alone with
 * `ngc -p tsconfig.probe.json` (strict templates) and requires a type error on the line after
 * each `<!-- expect-error: … -->` marker below, and nowhere else. Angular templates have no
 * @ts-expect-error, so the harness does the expecting.
 */
import { CUSTOM_ELEMENTS_SCHEMA, Component } from '@angular/core';
import type { CrmPresenceChangeEvent, UserProfile } from 'crm-realtime';
import { CRM_REALTIME_DIRECTIVES } from 'crm-realtime/angular';
import 'crm-realtime/define';

@Component({
  selector: 'app-type-probe',
  imports: [CRM_REALTIME_DIRECTIVES],
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <!-- expect-error: a property of the wrong type (maxVisible is a number) -->
    <crm-presence [maxVisible]="'lots'" />
    <!-- expect-error: a property of the wrong type (devUser is a UserProfile) -->
    <crm-realtime-provider [devUser]="42" />
    <!-- expect-error: a handler for another event (this one gets CrmConnectionStatusChangeEvent) -->
    <crm-connection-status (crm-connection-status-change)="onPresence($event)" />
    <!-- The right types compile. -->
    <crm-presence [maxVisible]="3" (crm-presence-change)="onPresence($event)" />
    <crm-realtime-provider [devUser]="me" />
  `,
})
export class TypeProbeComponent {
  protected readonly me: UserProfile = { id: 'ada', name: 'Ada Lovelace' };

  protected onPresence(event: CrmPresenceChangeEvent): unknown {
    return event.arrived;
  }
}
