import { mkdir, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');

describe('launchChromium', () => {
  let server: Server;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        '<!doctype html><title>dynotally</title><h1 id="t">dynotally smoke</h1><script>document.getElementById("t").dataset.js = "ok"</script>',
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('renders a loopback page, runs its script and takes a screenshot', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    expect(await page.title()).toBe('dynotally');
    expect(await page.textContent('#t')).toBe('dynotally smoke');
    expect(await page.getAttribute('#t', 'data-js')).toBe('ok');
    await mkdir(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'chromium-smoke.png');
    await page.screenshot({ path: file });
    expect((await stat(file)).size).toBeGreaterThan(0);
    await page.close();
  });
});
