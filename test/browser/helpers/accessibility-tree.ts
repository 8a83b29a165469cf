/**
 * What Chromium hands screen readers: the names in its accessibility tree, read through the
 * `accessible-names` command of web-test-runner.config.mjs. Unlike `textContent` or an attribute,
 * they are computed after CSS: `text-transform: uppercase` reaches them ("HIGH Deal won"), and a
 * screen reader then spells the word out or reads it louder.
 */
import { executeServerCommand } from '@web/test-runner-commands';

export interface AccessibleName {
  role: string;
  name: string;
}

/** Every named node of the page's accessibility tree (text runs included), in tree order. */
export function accessibleNames(): Promise<AccessibleName[]> {
  return executeServerCommand<AccessibleName[], undefined>('accessible-names');
}
