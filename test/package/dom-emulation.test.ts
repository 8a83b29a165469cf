/**
 * docs/testing.md promises that the elements render under jsdom and happy-dom, the DOMs most host
 * apps run their unit tests in (Vitest, Jest): no `ResizeObserver`, no Web Animations API
 * (`getAnimations`), no `CSS.escape` in jsdom. The packed tarball is installed with each, and
 * every element rendered on the fake server while people arrive and leave (the presence row's
 * motion), an activity item arrives (the filter bar's scroll edges) and a notification toasts:
 * nothing may throw, and each element must show what arrived.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { installIntoApp } from './helpers/packed.js';

const run = promisify(execFile);

let app: string;

before(async () => {
  app = await installIntoApp({ jsdom: '^29.1.1', 'happy-dom': '^21.0.4' });
  copyFileSync(
    new URL('./helpers/dom-emulation-app.mjs', import.meta.url),
    join(app, 'render.mjs'),
  );
});

interface Outcome {
  report: {
    people?: string[];
    status?: string;
    articles?: number;
    unread?: number;
    email?: string;
  };
  errors: string[];
}

async function renderIn(dom: 'jsdom' | 'happy-dom'): Promise<Outcome> {
  const { stdout } = await run(process.execPath, ['render.mjs', dom], {
    cwd: app,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 120_000,
  });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as Outcome;
}

describe('the elements in a DOM emulation', () => {
  for (const dom of ['jsdom', 'happy-dom'] as const) {
    it(`render and follow the fake server under ${dom}, with no error`, async () => {
      const { report, errors } = await renderIn(dom);
      assert.deepEqual(errors, []);
      assert.deepEqual(report, {
        people: ['ada', 'cy'],
        status: 'open',
        articles: 1,
        unread: 1,
        email: 'ada@example.com',
      });
    });
  }
});
