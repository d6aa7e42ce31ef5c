// A dev stack on the shared DynamoDB Local and a headless chromium for a browser test file: started before its tests,
// stopped after them. Each test file still says which stack it needs (its scenarios, rate, history, tables).
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import {
  type DevStack,
  type DevStackOptions,
  startDevStack,
} from '../../packages/dynotally-cli/src/dev/index.ts';
import { launchChromium, PAGE_TIMEOUT_MS } from './chromium.ts';
import { ddbReady } from './ddb.ts';

/** The stack and browser of {@link useDashboardStack}, set once its `beforeAll` has run. */
export interface DashboardStack {
  readonly stack: DevStack;
  readonly browser: Browser;
  /** A page in a context of its own (`options`: a time zone, a locale), waiting {@link PAGE_TIMEOUT_MS} by default. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
}

/**
 * Registers the `beforeAll` that starts a dev stack (`options`, on the shared DynamoDB Local, a free port), quiesces it
 * when `quiesce` is set (generators paused, every worker idle), and launches chromium; and the `afterAll` that closes
 * both.
 *
 * @example
 * ```ts
 * const dash = useDashboardStack({ scenarios: ['s3'], rate: 2, tables: stackTables('zone') });
 * it('draws S3', async () => {
 *   const page = await dash.newPage({ timezoneId: 'America/Los_Angeles' });
 *   await page.goto(dash.stack.url);
 * });
 * ```
 */
export function useDashboardStack(
  options: Omit<DevStackOptions, 'endpoint' | 'port'>,
  { quiesce = false }: { readonly quiesce?: boolean } = {},
): DashboardStack {
  let stack: DevStack | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    stack = await startDevStack({ endpoint: await ddbReady(), port: 0, ...options });
    if (quiesce) await stack.quiesce();
    browser = await launchChromium();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 120_000);
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the ${what} is not started: use it inside a test`);
    return value;
  };
  return {
    get stack() {
      return started(stack, 'dev stack');
    },
    get browser() {
      return started(browser, 'browser');
    },
    async newPage(contextOptions = {}) {
      const context = await started(browser, 'browser').newContext(contextOptions);
      context.setDefaultTimeout(PAGE_TIMEOUT_MS);
      context.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
      return context.newPage();
    },
  };
}
