/**
 * Finds the form's fields and notices when they change: controls added, removed or renamed later
 * (a MutationObserver on the element and on a `form-id` form outside it), custom elements that
 * turn out form-associated once defined, and fields that move or resize (the tabs follow them).
 */
import { discoverFields, isUndefinedCustom, type FieldBinding } from './form-fields.js';

export interface FieldWatcherOptions {
  /** The `<form>` named by `form-id`, if any (it may live outside the element). */
  form(): HTMLFormElement | undefined;
  /** Nodes the form itself adds (hidden descriptions): changes to them are not field changes. */
  isOwnNode(node: Node): boolean;
  /** The set of fields changed (also called once on `start`). */
  changed(fields: ReadonlyMap<string, FieldBinding>): void;
  warn(message: string): void;
  /** The element or a field with tabs changed size. */
  resized(): void;
  /**
   * The content changed, whether or not its fields did: controls that are not fields (a submit
   * button added while the record is deleted) need marking too.
   */
  mutated(): void;
}

const sameFields = (a: ReadonlyMap<string, FieldBinding>, b: ReadonlyMap<string, FieldBinding>) =>
  a.size === b.size &&
  [...a].every(([name, field]) => {
    const other = b.get(name);
    return (
      other !== undefined &&
      other.kind === field.kind &&
      other.anchor === field.anchor &&
      other.elements.length === field.elements.length &&
      other.elements.every((el, i) => el === field.elements[i])
    );
  });

export class FieldWatcher {
  private fields: ReadonlyMap<string, FieldBinding> = new Map();
  private mutations: MutationObserver | undefined;
  private sizes: ResizeObserver | undefined;
  private observedForm: HTMLFormElement | undefined;
  private readonly anchors = new Set<Element>();
  /**
   * Anchors followed whose first size the observer has not reported yet. It reports every
   * element once when it starts following it: for a field that just got tabs, which the render
   * has just placed, that is no resize, and placing every tab again would cost a second layout
   * of the page each time a colleague moves to another field.
   */
  private readonly unreported = new Set<Element>();
  private readonly awaited = new Set<string>();
  private scheduled = false;
  private running = false;

  constructor(
    private readonly host: HTMLElement,
    private readonly options: FieldWatcherOptions,
  ) {}

  start(): void {
    this.running = true;
    this.mutations = new MutationObserver((records) => {
      const own = records.every(
        (r) =>
          r.type === 'childList' &&
          [...r.addedNodes, ...r.removedNodes].every((n) => this.options.isOwnNode(n)),
      );
      if (!own) this.schedule();
    });
    this.observe(this.host);
    if (typeof ResizeObserver !== 'undefined') {
      this.sizes = new ResizeObserver((entries) => {
        let resized = false;
        for (const entry of entries) {
          if (!this.unreported.delete(entry.target)) resized = true;
        }
        if (resized) this.options.resized();
      });
      this.sizes.observe(this.host);
    }
    this.rescan();
  }

  stop(): void {
    this.running = false;
    this.mutations?.disconnect();
    this.sizes?.disconnect();
    this.mutations = undefined;
    this.sizes = undefined;
    this.observedForm = undefined;
    this.anchors.clear();
    this.unreported.clear();
    this.fields = new Map();
  }

  /** Look for fields again now. */
  rescan(): void {
    if (!this.running) return;
    const form = this.options.form();
    if (form && form !== this.observedForm && !this.host.contains(form)) {
      this.observedForm = form;
      this.observe(form);
    }
    const fields = discoverFields({ owner: this.host, form, warn: this.options.warn });
    this.awaitCustomElements();
    if (sameFields(fields, this.fields)) return;
    this.fields = fields;
    this.options.changed(fields);
  }

  /** Follow the size of the fields that have tabs. */
  observeAnchors(anchors: readonly Element[]): void {
    if (!this.sizes) return;
    const wanted = new Set(anchors);
    for (const el of this.anchors) {
      if (!wanted.has(el)) {
        this.sizes.unobserve(el);
        this.anchors.delete(el);
        this.unreported.delete(el);
      }
    }
    for (const el of wanted) {
      if (this.anchors.has(el)) continue;
      this.sizes.observe(el);
      this.anchors.add(el);
      this.unreported.add(el);
    }
  }

  private observe(node: Node): void {
    this.mutations?.observe(node, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['name', 'type', 'multiple'],
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.rescan();
      if (this.running) this.options.mutated();
    });
  }

  /** A named custom element not defined yet may be form-associated: look again once it is. */
  private awaitCustomElements(): void {
    for (const el of this.host.querySelectorAll('[name]')) {
      const tag = el.localName;
      if (!isUndefinedCustom(el) || this.awaited.has(tag)) continue;
      this.awaited.add(tag);
      void customElements.whenDefined(tag).then(() => this.schedule());
    }
  }
}
