/**
 * The moments a page stops running script while it lives on, and starts again: Chrome freezes
 * background tabs (the Page Lifecycle API's `freeze`, then `resume`), and a page kept in the
 * back/forward cache (`pagehide`, then `pageshow`, both with `persisted`) runs none either. Such a
 * page keeps its Web Locks and its `BroadcastChannel`, so a tab of a shared connection lets go of
 * it before, or the other tabs would wait on one that cannot answer.
 */
export function onPageLifecycle(
  stopped: (reason: string) => void,
  resumed: () => void,
): () => void {
  const win = globalThis as Partial<Pick<Window, 'addEventListener' | 'removeEventListener'>>;
  const doc = (
    globalThis as { document?: Pick<Document, 'addEventListener' | 'removeEventListener'> }
  ).document;
  if (!win.addEventListener || !win.removeEventListener || !doc?.addEventListener) {
    return () => {};
  }
  const frozen = (): void => stopped('the tab was frozen');
  const resume = (): void => resumed();
  const hidden = (event: Event): void => {
    if ((event as PageTransitionEvent).persisted)
      stopped('the page went into the back/forward cache');
  };
  const shown = (event: Event): void => {
    if ((event as PageTransitionEvent).persisted) resumed();
  };
  doc.addEventListener('freeze', frozen);
  doc.addEventListener('resume', resume);
  win.addEventListener('pagehide', hidden);
  win.addEventListener('pageshow', shown);
  return () => {
    doc.removeEventListener('freeze', frozen);
    doc.removeEventListener('resume', resume);
    win.removeEventListener!('pagehide', hidden);
    win.removeEventListener!('pageshow', shown);
  };
}
