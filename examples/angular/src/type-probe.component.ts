/**
 * Type probe, never bootstrapped: the example harness compiles it alone with
 * `ngc -p tsconfig.probe.json` (strict templates) and requires a type error on the line after
 * each `<!-- expect-error: … -->` marker below, and nowhere else. Angular templates have no
 * @ts-expect-error, so the harness does the expecting.
 */
import { CUSTOM_ELEMENTS_SCHEMA, Component } from '@angular/core';
import type { CrmPresenceChangeEvent } from 'crm-realtime';
import 'crm-realtime/define';

@Component({
  selector: 'app-type-probe',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <!-- expect-error: a property of the wrong type (maxVisible is a number) -->
    <crm-presence [maxVisible]="'lots'" />
    <!-- expect-error: a handler for another event (this one gets CrmConnectionStatusChangeEvent) -->
    <crm-connection-status (crm-connection-status-change)="onPresence($event)" />
    <!-- The right types compile. -->
    <crm-presence [maxVisible]="3" (crm-presence-change)="onPresence($event)" />
  `,
})
export class TypeProbeComponent {
  protected onPresence(event: CrmPresenceChangeEvent): unknown {
    return event.arrived;
  }
}
