// Registers every crm-* tag, and brings their types: `$event` of `(crm-…)` bindings is typed
// through HTMLElementEventMap under strictTemplates.
import 'crm-realtime/define';
import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { AppComponent } from './app/app.component';

bootstrapApplication(AppComponent, { providers: [provideZonelessChangeDetection()] }).catch(
  (error: unknown) => console.error(error),
);
