import { spawn } from 'node:child_process';

/**
 * Opens `url` in the desktop's browser when there is one (macOS `open`, Windows `start`, Linux `xdg-open`
 * with a display); otherwise does nothing. Never waits for the browser, never fails.
 *
 * @example
 * ```ts
 * openBrowser('http://127.0.0.1:4700');
 * ```
 */
export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
  let command: string;
  let args: string[];
  if (process.platform === 'darwin') [command, args] = ['open', [url]];
  else if (process.platform === 'win32') [command, args] = ['cmd', ['/c', 'start', '', url]];
  else if (env.DISPLAY || env.WAYLAND_DISPLAY) [command, args] = ['xdg-open', [url]];
  else return false;
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}
