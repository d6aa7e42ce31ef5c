import { existsSync } from 'node:fs';
import { type Browser, chromium, type LaunchOptions } from 'playwright-core';

/** Debian's chromium; never a browser downloaded at run time. Override with `CHROMIUM_PATH`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep a headless chromium quiet, offline and container-safe. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** How long one launch may take (a loaded 2-core machine starts chromium slowly). */
export const CHROMIUM_LAUNCH_TIMEOUT_MS = 180_000;

/** A page's wait for navigations and actions in tests: playwright's default 30 s is short for a page at load 15. */
export const PAGE_TIMEOUT_MS = 120_000;

/**
 * Launches the system chromium headless through playwright-core: patient (`timeout` default 180 s), and
 * launched once more when the first attempt fails (a browser process that died during start-up).
 *
 * @example
 * ```ts
 * const browser = await launchChromium();
 * const page = await browser.newPage();
 * await page.goto('http://127.0.0.1:8080/');
 * await browser.close();
 * ```
 */
export async function launchChromium(options: Omit<LaunchOptions, 'executablePath'> = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `chromium not found at ${CHROMIUM_PATH}: install it with 'apt-get install -y chromium' (or set CHROMIUM_PATH)`,
    );
  }
  const launch = () =>
    chromium.launch({
      timeout: CHROMIUM_LAUNCH_TIMEOUT_MS,
      ...options,
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    });
  const started = Date.now();
  try {
    return await launch();
  } catch (first) {
    console.warn(
      `[chromium] launch failed after ${Date.now() - started} ms, trying once more: ${String(first).split('\n')[0]}`,
    );
    return launch();
  }
}
