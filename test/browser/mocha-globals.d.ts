/**
 * The Mocha globals @web/test-runner provides in the browser. `@types/mocha` is not a dependency,
 * so the few functions the browser tests use are declared here.
 */
type MochaDone = (error?: unknown) => void;
type MochaFn = (this: { timeout(ms: number): void }) => void | Promise<unknown>;

interface MochaSuiteFn {
  (title: string, fn: () => void): void;
}
interface MochaTestFn {
  (title: string, fn: MochaFn): void;
}
interface MochaHookFn {
  (fn: MochaFn | ((done: MochaDone) => void)): void;
}

declare const describe: MochaSuiteFn;
declare const it: MochaTestFn;
declare const before: MochaHookFn;
declare const after: MochaHookFn;
declare const beforeEach: MochaHookFn;
declare const afterEach: MochaHookFn;
