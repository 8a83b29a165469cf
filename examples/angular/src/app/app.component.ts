import { CUSTOM_ELEMENTS_SCHEMA, Component, signal } from '@angular/core';
import type { ConnectionDisplayState, CrmConnectionStatusChangeEvent } from 'crm-realtime';
import { CRM_REALTIME_DIRECTIVES } from 'crm-realtime/angular';
import { CustomerFormComponent } from './customer-form.component';
import { me, serverUrl } from './settings';

@Component({
  selector: 'app-root',
  // The crm-* tags are custom elements, not Angular components. The kit's directives (one per
  // tag) make strict templates type-check property bindings: [maxVisible]="'lots'" is an error.
  imports: [CRM_REALTIME_DIRECTIVES, CustomerFormComponent],
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <crm-realtime-provider [url]="serverUrl" [devUser]="me">
      <header class="bar">
        <strong>Acme CRM</strong>
        <crm-connection-status (crm-connection-status-change)="onStatus($event)" />
        <crm-presence [maxVisible]="5" />
        <crm-notification-center />
      </header>
      <main>
        <p>
          Signed in as {{ me.name }}. Connection (from the typed handler):
          <output id="handler-state">{{ state() }}</output>
        </p>
        <app-customer-form />
        <crm-activity-feed feed-type="global" [maxItems]="20" />
      </main>
    </crm-realtime-provider>
  `,
  styles: `
    .bar {
      display: flex;
      gap: 1rem;
      align-items: center;
      padding: 0.5rem 1rem;
      border-block-end: 1px solid #ddd;
    }
    main {
      padding: 1rem;
    }
  `,
})
export class AppComponent {
  protected readonly me = me;
  protected readonly serverUrl = serverUrl;
  protected readonly state = signal<ConnectionDisplayState>('unavailable');

  /** `$event` is a CrmConnectionStatusChangeEvent (strictTemplates, HTMLElementEventMap). */
  protected onStatus(event: CrmConnectionStatusChangeEvent): void {
    this.state.set(event.state);
  }
}
