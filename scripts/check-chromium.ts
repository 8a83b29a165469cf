/**
 * First step of `npm test`: is there a Chromium for the browser and end-to-end tests?
 *
 * Without one, `npm test` used to spend minutes on the typecheck, lint and Node tests before the
 * browser tests failed on a launch error buried in a stack trace. This says it in one line at the
 * start, with what to install or set, and exits 1. With one, it prints the version the tests use,
 * since a contrast or layout failure can depend on it.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Chromium the browser tests (web-test-runner.config.mjs) and e2e tests launch. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env['CHROME_PATH'] || env['CHROMIUM_PATH'] || '/usr/bin/chromium';
}

/** The browser's version line, or an explanation of why there is none. */
export function checkChromium(
  path: string,
): { ok: true; version: string } | { ok: false; message: string } {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return {
      ok: false,
      message:
        `npm test: no Chromium at ${path}, needed by the browser and e2e tests. ` +
        `Install it (Debian/Ubuntu: apt-get install chromium) or set CHROME_PATH to a Chromium or Chrome binary.`,
    };
  }
  try {
    // Debian's wrapper script prints a shell warning on stderr; the version is on stdout.
    const version = execFileSync(path, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 60_000,
    }).trim();
    return { ok: true, version: version || path };
  } catch (error) {
    return {
      ok: false,
      message: `npm test: ${path} (CHROME_PATH) did not run: ${(error as Error).message.split('\n')[0]}`,
    };
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = checkChromium(chromiumPath());
  if (result.ok) {
    console.log(`npm test: browser tests use ${result.version} (${chromiumPath()})`);
  } else {
    console.error(result.message);
    process.exit(1);
  }
}
