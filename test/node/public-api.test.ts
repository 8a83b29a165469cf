/**
 * The public API, name by name: every export of every entry in package.json `exports` is a
 * promise to users. A new export (or a lost one) fails here, so it is a decision written down in
 * this file, not a side effect of `export *` reaching an internal module.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** `crm-realtime/client`: the client, its options and stores' types, protocol types. */
const CLIENT = [
  'Activity',
  'ActivityFilter',
  'ActivityInput',
  'ActivityItem',
  'ActivityKind',
  'ActivitySnapshot (type)',
  'ActivityStoreApi (type)',
  'ActivityStoreOptions (type)',
  'AvatarUrl',
  'ChangeInfo (type)',
  'ChangeState (type)',
  'ClientErrorCode (type)',
  'ClientFrame',
  'Clock (type)',
  'ConnectionRefusal (type)',
  'ConnectionState (type)',
  'ConnectionStatus (type)',
  'ERROR_CODES',
  'Entity',
  'EntityChange',
  'EntityId',
  'EntityRef',
  'EntityType',
  'EnvironmentSignals (type)',
  'ErrorCode',
  'EventName',
  'FeedRef',
  'FieldChange',
  'FieldConflict',
  'FieldName',
  'Fields',
  'IndexedDbOutboxStore',
  'Json',
  'LiveConflict (type)',
  'LiveData',
  'LiveDataOptions (type)',
  'LiveDataSnapshot (type)',
  'LiveDataStatus (type)',
  'LiveUpdateOptions (type)',
  'MemoryOutboxStore',
  'MutationId',
  'NewOutboxEntry (type)',
  'Notification',
  'NotificationAction',
  'NotificationDraft (type)',
  'NotificationInput',
  'NotificationPriority',
  'NotificationStoreApi (type)',
  'NotificationStoreOptions (type)',
  'NotificationTarget',
  'NotificationType',
  'NotificationsSnapshot (type)',
  'OutboxEntry (type)',
  'OutboxSnapshot (type)',
  'OutboxStore (type)',
  'PROTOCOL_VERSION',
  'Person',
  'PresenceSnapshot (type)',
  'PresenceState',
  'PresenceStatus',
  'PresenceStoreApi (type)',
  'RealtimeClient',
  'RealtimeClientOptions (type)',
  'RealtimeError',
  'RealtimeErrorCode (type)',
  'RequestFrame (type)',
  'RequestId',
  'RequestInput (type)',
  'ResumeInfo (type)',
  'RoomHandle (type)',
  'RoomMessage (type)',
  'RoomName',
  'SafeUrl',
  'ServerFrame',
  'SharedConnectionOptions (type)',
  'SharingMode (type)',
  'SocketFactory (type)',
  'SocketLike (type)',
  'Transport (type)',
  'TransportFactory (type)',
  'Unsubscribe (type)',
  'UserId',
  'UserProfile',
  'sharedConnection',
];

/** `crm-realtime`: the client's names, the elements, their events and messages. */
const INDEX = [
  ...CLIENT,
  'ActivityFeedMessages (type)',
  'AnnouncedNotification (type)',
  'AttachRealtimeProviderOptions (type)',
  'AttachedRealtimeProvider (type)',
  'CollaborativeFormMessages (type)',
  'ConflictAuthor (type)',
  'ConflictCancelSource (type)',
  'ConflictChoice (type)',
  'ConflictDialogMessages (type)',
  'ConflictResolution (type)',
  'ConflictResolveDetail (type)',
  'ConnectionDisplayState (type)',
  'ConnectionStatusMessages (type)',
  'ConnectionView (type)',
  'CrmActivityFeed',
  'CrmActivityFilterChangeEvent',
  'CrmActivityOpenEvent',
  'CrmCollaborativeForm',
  'CrmConflictCancelEvent',
  'CrmConflictDialog',
  'CrmConflictResolveEvent',
  'CrmConnectionRefusedEvent',
  'CrmConnectionStatus',
  'CrmConnectionStatusChangeEvent',
  'CrmFormChangeEvent',
  'CrmFormConflictEvent',
  'CrmFormDeletedEvent',
  'CrmFormErrorEvent',
  'CrmFormRefusedEvent',
  'CrmFormSaveEvent',
  'CrmFormSavedEvent',
  'CrmHuddle',
  'CrmHuddleChangeEvent',
  'CrmHuddleRingEvent',
  'CrmNotificationActionEvent',
  'CrmNotificationCenter',
  'CrmNotificationOpenEvent',
  'CrmNotificationReadEvent',
  'CrmPresence',
  'CrmPresenceCallEvent',
  'CrmPresenceChangeEvent',
  'CrmRealtimeProvider',
  'EntityHref (type)',
  'FeedType (type)',
  'FieldKind (type)',
  'FormChangeSource (type)',
  'FormEntity (type)',
  'FormErrorPhase (type)',
  'FormStatusKind (type)',
  'HeadlineParts (type)',
  'HuddleMessages (type)',
  'HuddleState (type)',
  'MarkReadMode (type)',
  'MessageContext (type)',
  'NotificationCenterMessages (type)',
  'NotificationEventAction (type)',
  'NotificationReadReason (type)',
  'NotificationSource (type)',
  'PresenceChangeDetail (type)',
  'PresenceMessages (type)',
  'PresencePosition (type)',
  'RealtimeClientContext (type)',
  'SaveMode (type)',
  'ToastPosition (type)',
  'TokenSource (type)',
  'attachRealtimeProvider',
  'defaultActivityFeedMessages',
  'defaultCollaborativeFormMessages',
  'defaultConflictMessages',
  'defaultConnectionStatusMessages',
  'defaultHuddleMessages',
  'defaultNotificationCenterMessages',
  'defaultPresenceMessages',
  'realtimeClientContext',
].filter((name, i, all) => all.indexOf(name) === i);

/** `crm-realtime/testing`: the fake server and scenarios, for users' own tests and stories. */
const TESTING = [
  'DEMO_USER',
  'EntityAccess (type)',
  'EntitySeed (type)',
  'FakeActivity',
  'FakeActivityHost (type)',
  'FakeEntities',
  'FakeNotifications',
  'FakeNotificationsHost (type)',
  'FakeServer',
  'FakeServerOptions (type)',
  'FakeSocket',
  'FrameRecord (type)',
  'HeldFrames (type)',
  'LogEntry (type)',
  'LogPage (type)',
  'ManualClock',
  'ManualEnvironment',
  'NotificationDraft (type)',
  'PersonOptions (type)',
  'ProtocolViolation',
  'RemoteUpdateOptions (type)',
  'Rig (type)',
  'RoomScenarioOptions (type)',
  'SAMPLE_PEOPLE',
  'Scenario (type)',
  'SeedOptions (type)',
  'TimeLog',
  'Truthy (type)',
  'WaitForOptions (type)',
  'activityBurst',
  'activityOfChange',
  'connectFake',
  'createRig',
  'cursorOf',
  'deliveryRoom',
  'fakeToken',
  'feedsOf',
  'flakyConnection',
  'flushMicrotasks',
  'inFeed',
  'initialsAvatar',
  'livelyRoom',
  'notificationsArriving',
  'peopleArriving',
  'populate',
  'sampleActivity',
  'sampleNotification',
  'someoneEditing',
  'someoneGoesAway',
  'waitFor',
];

/** Expected names per source file of a public entry; registration entries export nothing. */
const EXPECTED: Record<string, string[]> = {
  'src/index.ts': INDEX,
  'src/client-entry.ts': CLIENT,
  'src/testing/index.ts': TESTING,
  'src/define.ts': [],
  ...Object.fromEntries(
    readdirSync(join(root, 'src/elements'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'shared')
      .map((d) => [`src/elements/${d.name}/define.ts`, []]),
  ),
};

/** The source file of each JavaScript entry in package.json `exports` (`*` expanded). */
function publicEntries(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { default?: string }>;
  };
  const files: string[] = [];
  for (const target of Object.values(pkg.exports)) {
    const file = typeof target === 'string' ? target : target.default;
    const match = file?.match(/^\.\/dist\/npm\/(.+)\.js$/);
    if (!match) continue;
    const source = `src/${match[1]}.ts`;
    if (!source.includes('*')) {
      files.push(source);
      continue;
    }
    const [before, after] = source.split('*');
    for (const dir of readdirSync(join(root, before!), { withFileTypes: true })) {
      const candidate = `${before}${dir.name}${after}`;
      if (dir.isDirectory() && readdirSync(join(root, before!, dir.name)).includes('define.ts'))
        files.push(candidate);
    }
  }
  return files.sort();
}

/** Every name a module exports, types marked `(type)`, as TypeScript resolves them. */
function exportedNames(files: string[]): Map<string, string[]> {
  const program = ts.createProgram(
    files.map((f) => join(root, f)),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      skipLibCheck: true,
      noEmit: true,
    },
  );
  const checker = program.getTypeChecker();
  const result = new Map<string, string[]>();
  for (const file of files) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(join(root, file))!);
    const names = (module ? checker.getExportsOfModule(module) : []).map((symbol) => {
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return target.flags & ts.SymbolFlags.Value ? symbol.name : `${symbol.name} (type)`;
    });
    result.set(file, names.sort());
  }
  return result;
}

describe('public API', () => {
  const entries = publicEntries();
  const actual = exportedNames(entries);

  test('every public entry in package.json has its list here, and no other', () => {
    assert.deepEqual(entries, Object.keys(EXPECTED).sort());
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    test(`${file} exports exactly its listed names`, () => {
      assert.deepEqual(actual.get(file), [...expected].sort());
    });
  }

  test('the connection, backoff, listener, wire and hub internals are not public', () => {
    const index = actual.get('src/index.ts')!;
    for (const internal of ['Connection', 'Backoff', 'Listeners', 'encodeFrame', 'LiveDataHub'])
      assert.ok(!index.includes(internal), internal);
  });
});
