/**
 * `style=${styleProps({...})}`: inline style properties set through the CSSOM, never through the
 * `style` attribute. A host page whose Content-Security-Policy has no `'unsafe-inline'` for styles
 * (`style-src 'self'`, common in CRM pages) refuses every style attribute a script writes, and
 * Lit's `styleMap` writes one on its first render (then uses the CSSOM): under such a policy
 * avatars lost their colours and the feed its scroll padding, with a console error each time.
 * Properties set through `element.style` are not attributes the policy governs.
 *
 * Names with a dash (`--_avatar-bg`, `padding-block-start`) go through `setProperty`; a value of
 * `undefined`, `null` or `''` removes the property.
 */
import { noChange } from 'lit';
import {
  directive,
  Directive,
  PartType,
  type AttributePart,
  type DirectiveResult,
  type PartInfo,
} from 'lit/directive.js';

export type StyleProps = Readonly<Record<string, string | number | null | undefined>>;

export class StylePropsDirective extends Directive {
  /** The properties this directive set, to remove those a later render leaves out. */
  private readonly set = new Set<string>();

  constructor(info: PartInfo) {
    super(info);
    if (info.type !== PartType.ATTRIBUTE || info.name !== 'style') {
      throw new Error('styleProps() goes in a style attribute: style=${styleProps({...})}');
    }
  }

  render(_props: StyleProps): typeof noChange {
    return noChange;
  }

  override update(part: AttributePart, [props]: [StyleProps]): typeof noChange {
    const style = (part.element as HTMLElement).style;
    for (const name of this.set) {
      const value = props[name];
      if (value == null || value === '') {
        style.removeProperty(name);
        this.set.delete(name);
      }
    }
    for (const name of Object.keys(props)) {
      const value = props[name];
      if (value == null || value === '') continue;
      style.setProperty(name, String(value));
      this.set.add(name);
    }
    return noChange;
  }
}

/** Inline style properties for `style=${…}`, allowed under a strict CSP (see the module's note). */
export const styleProps: (props: StyleProps) => DirectiveResult<typeof StylePropsDirective> =
  directive(StylePropsDirective);
