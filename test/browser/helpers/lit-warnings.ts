/**
 * Lit's development build (which a host app's dev server loads: Vite and webpack pick the
 * `development` export condition) warns once per page when an element schedules another update
 * from its `updated()`: a render that always costs two, printed in every host app's console.
 * `noUpdateAfterUpdate(tag)` fails the file's run when `tag` issued that warning.
 */
import { expect } from '@open-wc/testing';

export function noUpdateAfterUpdate(tag: string): void {
  after(() => {
    const issued = (globalThis as { litIssuedWarnings?: Set<string> }).litIssuedWarnings;
    const warnings = [...(issued ?? [])].filter((w) =>
      w.startsWith(`Element ${tag} scheduled an update`),
    );
    expect(warnings).to.deep.equal([]);
  });
}
