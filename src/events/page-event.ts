/**
 * The base of the kit's events meant for the page: they bubble and are composed, so a listener on
 * `document` hears them from inside any shadow root. A request the page may veto is cancelable
 * (the element acts only when `dispatchEvent` returns true); a fact is not.
 */
export abstract class CrmPageEvent extends Event {
  protected constructor(name: string, { cancelable = false }: { cancelable?: boolean } = {}) {
    super(name, { bubbles: true, composed: true, cancelable });
  }
}

/** A page event about one entity, such as the record a `<crm-collaborative-form>` edits. */
export abstract class CrmEntityPageEvent extends CrmPageEvent {
  protected constructor(
    name: string,
    readonly entityType: string,
    readonly entityId: string,
    options?: { cancelable?: boolean },
  ) {
    super(name, options);
  }
}
