/**
 * The Angular directives generated from the manifest (`crm-realtime/angular`): one standalone
 * directive per tag, an `@Input` typed from the element class for every writable property, none
 * for read-only state, and the tag registered by importing it. Angular's own check of the
 * generated source (strict templates, a wrong property type is an error) runs in examples/angular.
 * What ships is that source compiled in partial mode: checked here on the build's output, after
 * `npm run build:types` (`npm run check:package`).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  OLDEST_ANGULAR,
  angularDirectives,
  checkPartial,
} from '../../scripts/angular-directives.js';

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

  it("turns a boolean on with a bare attribute, as Angular's own inputs do (booleanAttribute)", () => {
    assert.match(
      source,
      /@Input\(\{ transform: booleanAttribute \}\) set watch\(value: CrmPresence\['watch'\]\)/,
    );
    assert.match(
      source,
      /@Input\(\{ transform: booleanAttribute \}\) set controlled\(value: CrmCollaborativeForm\['controlled'\]\)/,
    );
    // Other types keep their checked input type.
    assert.match(source, /@Input\(\) set maxVisible\(/);
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

describe('the shipped directives (dist/frameworks/angular)', () => {
  const dir = new URL('../../dist/frameworks/angular/', import.meta.url);
  const js = readFileSync(new URL('index.js', dir), 'utf8');
  const dts = readFileSync(new URL('index.d.ts', dir), 'utf8');

  it('are compiled, partial Ivy an app links, for every tag; no TypeScript source ships', () => {
    assert.deepEqual(checkPartial(js), []);
    for (const tag of tags)
      assert.match(js, new RegExp(`ɵɵngDeclareDirective\\(\\{[^}]*selector: "${tag}"`));
    assert.doesNotMatch(js, /@Input\(\)|: CrmPresence\[/);
    assert.equal(existsSync(new URL('index.ts', dir)), false);
  });

  it('declare each directive with its inputs, typed from the element, for strict templates', () => {
    assert.match(
      dts,
      /static ɵdir: i0\.ɵɵDirectiveDeclaration<CrmPresenceDirective, "crm-presence", never, \{[^>]*"maxVisible": \{ "alias": "maxVisible"; "required": false; \}/,
    );
    assert.match(dts, /set maxVisible\(value: CrmPresence\['maxVisible'\]\);/);
    // A boolean takes whatever the attribute holds (`''` for a bare one), converted.
    assert.match(dts, /static ngAcceptInputType_watch: unknown;/);
    assert.match(dts, /export declare const CRM_REALTIME_DIRECTIVES: readonly \[typeof /);
  });

  it('checkPartial refuses source left uncompiled and declarations newer than the peer range', () => {
    assert.notDeepEqual(checkPartial(source), []);
    const newer = js.replace(/minVersion: "14\.0\.0"/, 'minVersion: "99.0.0"');
    assert.deepEqual(checkPartial(newer), ['ɵɵngDeclareDirective needs Angular 99.0.0']);
    const peer = (
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
        peerDependencies: Record<string, string>;
      }
    ).peerDependencies['@angular/core'];
    assert.equal(peer, `>=${OLDEST_ANGULAR}`);
  });
});
