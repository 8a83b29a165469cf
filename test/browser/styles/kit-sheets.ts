/**
 * Every style sheet module of the kit, for tests that read all of them, and the texts of what a
 * module exports (`css` results and lists of them).
 */

export const sheets: Record<string, () => Promise<Record<string, unknown>>> = {
  'styles/shared': () => import('../../../src/styles/shared.js'),
  'styles/tokens': () => import('../../../src/styles/tokens.js'),
  'activity-feed': () => import('../../../src/elements/activity-feed/crm-activity-feed.styles.js'),
  'activity-feed/item': () => import('../../../src/elements/activity-feed/item.styles.js'),
  'collaborative-form': () =>
    import('../../../src/elements/collaborative-form/crm-collaborative-form.styles.js'),
  'conflict-dialog': () =>
    import('../../../src/elements/conflict-dialog/crm-conflict-dialog.styles.js'),
  'connection-status': () =>
    import('../../../src/elements/connection-status/crm-connection-status.styles.js'),
  huddle: () => import('../../../src/elements/huddle/crm-huddle.styles.js'),
  'notification-center': () =>
    import('../../../src/elements/notification-center/crm-notification-center.styles.js'),
  'notification-center/item': () =>
    import('../../../src/elements/notification-center/item.styles.js'),
  'notification-center/panel': () =>
    import('../../../src/elements/notification-center/panel.styles.js'),
  'notification-center/toast': () =>
    import('../../../src/elements/notification-center/toast.styles.js'),
  presence: () => import('../../../src/elements/presence/crm-presence.styles.js'),
  'presence/popups': () => import('../../../src/elements/presence/popups.styles.js'),
};

export function texts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(texts);
  const text = (value as { cssText?: unknown } | null)?.cssText;
  return typeof text === 'string' ? [text] : [];
}
