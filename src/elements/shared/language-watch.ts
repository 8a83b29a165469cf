/**
 * Renders an element again when the language or the direction around it changes. A page's
 * language switch sets `lang` (and `dir`) on `<html>` or on a container; the kit's texts, times
 * and numbers follow the nearest `lang` and the positions it computes (the form's name tabs)
 * follow `dir`, and both are read when the element renders. Without this, a switched page kept
 * the old language in every widget until something else made it render.
 *
 * One MutationObserver per document, filtered to `lang` and `dir`, serves every element of the
 * kit in it: a change renders again the elements inside the element that changed (crossing shadow
 * roots upwards). Attributes inside a shadow root are not seen (an observer does not look into
 * shadow trees), so an element in one also watches its own `lang` and `dir`.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

type Host = ReactiveControllerHost & Element;

interface DocumentWatch {
  observer: MutationObserver;
  hosts: Set<Host>;
}

const watches = new WeakMap<Document, DocumentWatch>();

export class LanguageWatch implements ReactiveController {
  private document: Document | undefined;
  /** The element's own attributes, when it sits in a shadow tree the document's watch misses. */
  private own: MutationObserver | undefined;

  constructor(private readonly host: Host) {
    host.addController(this);
  }

  hostConnected(): void {
    const document = this.host.ownerDocument;
    if (typeof MutationObserver === 'undefined' || !document.documentElement) return;
    let watch = watches.get(document);
    if (!watch) {
      const hosts = new Set<Host>();
      const observer = new MutationObserver((records) => {
        for (const host of hosts) {
          if (records.some((r) => within(host, r.target))) host.requestUpdate();
        }
      });
      observer.observe(document.documentElement, {
        attributes: true,
        attributeFilter: ['lang', 'dir'],
        subtree: true,
      });
      watches.set(document, (watch = { observer, hosts }));
    }
    watch.hosts.add(this.host);
    this.document = document;
    if (this.host.getRootNode() !== document) {
      this.own = new MutationObserver(() => this.host.requestUpdate());
      this.own.observe(this.host, { attributes: true, attributeFilter: ['lang', 'dir'] });
    }
  }

  hostDisconnected(): void {
    this.own?.disconnect();
    this.own = undefined;
    const document = this.document;
    this.document = undefined;
    const watch = document && watches.get(document);
    if (!watch) return;
    watch.hosts.delete(this.host);
    // Nothing of the kit left in the document: nothing to watch for.
    if (watch.hosts.size === 0) {
      watch.observer.disconnect();
      watches.delete(document);
    }
  }
}

/** Whether `node` is `ancestor` or inside it, through the shadow roots it is in. */
function within(node: Node, ancestor: Node): boolean {
  for (let at: Node | null = node; at;) {
    if (at === ancestor) return true;
    at = at.parentNode ?? (at instanceof ShadowRoot ? at.host : null);
  }
  return false;
}
