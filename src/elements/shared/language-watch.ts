/**
 * Renders an element again when the language or the direction around it changes. A page's
 * language switch sets `lang` (and `dir`) on `<html>` or on a container; the kit's texts, times
 * and numbers follow the nearest `lang` and the positions it computes (the form's name tabs)
 * follow `dir`, and both are read when the element renders. Without this, a switched page kept
 * the old language in every widget until something else made it render.
 *
 * One MutationObserver per tree, filtered to `lang` and `dir`, serves every element of the kit in
 * it: a change renders again the elements inside the element that changed (crossing shadow roots
 * upwards). An observer does not look into shadow trees, so an element watches its own tree and
 * every tree around it, up to the document's: a `lang` set on a component's element between the
 * widget and that component's shadow root is seen as one set on `<html>` is.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

type Host = ReactiveControllerHost & Element;
type Tree = Document | ShadowRoot;

interface TreeWatch {
  observer: MutationObserver;
  hosts: Set<Host>;
}

const watches = new WeakMap<Tree, TreeWatch>();

export class LanguageWatch implements ReactiveController {
  /** The trees watched for this element: its own, then each around it, the document's last. */
  private trees: Tree[] = [];

  constructor(private readonly host: Host) {
    host.addController(this);
  }

  hostConnected(): void {
    if (typeof MutationObserver === 'undefined') return;
    for (
      let tree = treeOf(this.host);
      tree;
      tree = tree instanceof ShadowRoot ? treeOf(tree.host) : undefined
    ) {
      let watch = watches.get(tree);
      if (!watch) {
        const hosts = new Set<Host>();
        const observer = new MutationObserver((records) => {
          for (const host of hosts) {
            if (records.some((r) => within(host, r.target))) host.requestUpdate();
          }
        });
        observer.observe(tree, {
          attributes: true,
          attributeFilter: ['lang', 'dir'],
          subtree: true,
        });
        watches.set(tree, (watch = { observer, hosts }));
      }
      watch.hosts.add(this.host);
      this.trees.push(tree);
    }
  }

  hostDisconnected(): void {
    for (const tree of this.trees) {
      const watch = watches.get(tree);
      if (!watch) continue;
      watch.hosts.delete(this.host);
      // Nothing of the kit left in the tree: nothing to watch for.
      if (watch.hosts.size === 0) {
        watch.observer.disconnect();
        watches.delete(tree);
      }
    }
    this.trees = [];
  }
}

/** The document or shadow root `node` is in; undefined when it is in neither (detached). */
function treeOf(node: Node): Tree | undefined {
  const root = node.getRootNode();
  return root instanceof ShadowRoot || root.nodeType === Node.DOCUMENT_NODE
    ? (root as Tree)
    : undefined;
}

/** Whether `node` is `ancestor` or inside it, through the shadow roots it is in. */
function within(node: Node, ancestor: Node): boolean {
  for (let at: Node | null = node; at;) {
    if (at === ancestor) return true;
    at = at.parentNode ?? (at instanceof ShadowRoot ? at.host : null);
  }
  return false;
}
