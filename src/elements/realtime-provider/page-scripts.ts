/**
 * When the page's own scripts have had their chance to configure an element that was parsed with
 * the page. Deferred and module scripts run one after another once parsing is done, before
 * `DOMContentLoaded`, and a task may run between two of them (one is still loading its imports).
 * So a provider upgraded by the first script (`define.js`) must not connect before a later one sets
 * `getToken` or `devUser`, or its first handshake goes out without them: it waits for
 * `DOMContentLoaded`, then one more task, so the page's own `DOMContentLoaded` listeners run too.
 */

/** Documents whose scripts are known to have run (the wait below finished once). */
const settled = new WeakSet<Document>();

/** The navigation entry of the document's window, when the browser keeps one. */
function navigation(doc: Document): PerformanceNavigationTiming | undefined {
  const entries = doc.defaultView?.performance?.getEntriesByType?.('navigation');
  return entries?.[0] as PerformanceNavigationTiming | undefined;
}

/**
 * True once the page's scripts have run: the document finished loading, or `DOMContentLoaded`
 * was dispatched and all its listeners ran. An element created later (by script, by a framework)
 * only waits for the end of the current task, as any Lit update does.
 */
export function pageScriptsDone(doc: Document | undefined): boolean {
  if (!doc || settled.has(doc) || doc.readyState === 'complete') return true;
  if (doc.readyState === 'loading') return false;
  // 'interactive': scripts may still be running, unless DOMContentLoaded is over already.
  const entry = navigation(doc);
  return entry !== undefined && entry.domContentLoadedEventEnd > 0;
}

/**
 * Resolves after `DOMContentLoaded` and one more task (at once plus a task if it is being
 * dispatched now). Without navigation timing to tell whether it already fired, `load` also ends
 * the wait, so it can never hang.
 */
export function afterPageScripts(doc: Document): Promise<void> {
  const win = doc.defaultView ?? globalThis;
  return new Promise<void>((resolve) => {
    const later = () =>
      void win.setTimeout(() => {
        settled.add(doc);
        resolve();
      }, 0);
    const entry = navigation(doc);
    if (doc.readyState !== 'loading' && entry && entry.domContentLoadedEventStart > 0) {
      // Dispatching now (the kit was loaded by a DOMContentLoaded listener): the listeners still
      // to run are done before the next task.
      later();
      return;
    }
    const done = () => {
      doc.removeEventListener('DOMContentLoaded', done);
      win.removeEventListener('load', done);
      later();
    };
    doc.addEventListener('DOMContentLoaded', done);
    win.addEventListener('load', done);
  });
}
