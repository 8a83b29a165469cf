/**
 * IndexedDB databases for tests of the durable outbox: each test its own (so no test finds what
 * another left), deleted after it.
 */
const made: string[] = [];

/** A database name no other test uses; `deleteTestDatabases` removes it. */
export function uniqueDb(): string {
  const name = `crm-realtime-outbox-test-${Math.random().toString(36).slice(2, 10)}`;
  made.push(name);
  return name;
}

/** Delete the database `name` (as a user clearing the site's data does). */
export function deleteDb(name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}

/** Delete every database `uniqueDb` named (call in `afterEach`, once the clients are closed). */
export async function deleteTestDatabases(): Promise<void> {
  for (const name of made.splice(0)) await deleteDb(name);
}
