/**
 * The Angular directives generated from the manifest (`crm-realtime/angular`): one standalone
 * directive per tag, an `@Input` typed from the element class for every writable property, none
 * for read-only state, and the tag registered by importing it. Angular's own check of the
 * generated source (strict templates, a wrong property type is an error) runs in examples/angular.
 * Here, after the build wrote the manifest (`npm run check:package`).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { angularDirectives } from '../../scripts/angular-directives.js';

const manifest = JSON.parse(
  readFileSync(new URL('../../custom-elements.json', import.meta.url), 'utf8'),
) as Parameters<typeof angularDirectives>[0];
const source = angularDirectives(manifest);
const tags = manifest.modules.flatMap((m) =>
  (m.declarations ?? []).filter((d) => d.customElement).map((d) => d.tagName!),
);

describe('Angular directives from the manifest', () => {
  it('has one standalone directive per tag, selected by the tag', () => {
    assert.ok(tags.length >= 7);
    for (const tag of tags) {
      assert.match(
        source,
        new RegExp(`@Directive\\(\\{ selector: '${tag}', standalone: true \\}\\)`),
      );
    }
    assert.match(source, /export const CRM_REALTIME_DIRECTIVES = \[/);
  });

  it('types each input from the element class and forwards it to the element', () => {
    assert.match(
      source,
      /@Input\(\) set maxVisible\(value: CrmPresence\['maxVisible'\]\) \{\n {4}this\.element\.maxVisible = value;/,
    );
    assert.match(source, /@Input\(\) set devUser\(value: CrmRealtimeProvider\['devUser'\]\)/);
    assert.match(source, /@Input\(\) set getToken\(value: CrmRealtimeProvider\['getToken'\]\)/);
  });

  it('has no input for read-only state, and no output (Angular types $event already)', () => {
    assert.doesNotMatch(source, /set state\(/);
    assert.doesNotMatch(source, /set people\(value: CrmPresence/);
    assert.doesNotMatch(source, /@Output/);
  });

  it('registers the tags it binds', () => {
    assert.match(source, /import 'crm-realtime\/elements\/presence';/);
    assert.match(source, /import type \{[^}]*CrmPresence[^}]*\} from 'crm-realtime';/);
  });
});
