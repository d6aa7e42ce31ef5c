import { createServer, type Server } from 'node:http';
import { DynotallyError } from 'dynotally';

/**
 * Where a server ended up listening.
 *
 * @example
 * ```ts
 * const { port, busy }: Listening = await listenOnFreePort(server, '127.0.0.1', 4700);
 * ```
 */
export interface Listening {
  port: number;
  /** Ports that were busy before it (in order). */
  busy: number[];
}

/**
 * Listens on `host:port`, or on the next free port when it is busy (up to `tries` ports). Port 0 picks any
 * free port.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` when every port tried is busy.
 * @example
 * ```ts
 * const { port, busy } = await listenOnFreePort(server, '127.0.0.1', 4700);
 * if (busy.length > 0) console.log(`port ${busy[0]} is busy; using ${port}`);
 * ```
 */
export async function listenOnFreePort(
  server: Server,
  host: string,
  port: number,
  tries = 20,
): Promise<Listening> {
  const busy: number[] = [];
  for (let p = port; ; p++) {
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (e: Error): void => {
          server.off('listening', onListening);
          reject(e);
        };
        const onListening = (): void => {
          server.off('error', onError);
          resolve();
        };
        server.once('error', onError);
        server.once('listening', onListening);
        server.listen(p, host);
      });
      const address = server.address();
      return { port: typeof address === 'object' && address !== null ? address.port : p, busy };
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== 'EADDRINUSE' || port === 0 || busy.length + 1 >= tries || p >= 65_535) {
        throw new DynotallyError(
          'CONFIG_INVALID',
          code === 'EADDRINUSE'
            ? `ports ${port}–${p} on ${host} are all busy (give a free one with --port, or --port 0 for any)`
            : HOST_CODES.has(code ?? '')
              ? hostMessage(host, e)
              : `cannot listen on ${host}:${p}: ${(e as Error).message} (give another --port)`,
          { cause: e, details: { host, port: p } },
        );
      }
      busy.push(p);
    }
  }
}

/** Listen errors that are the host's, not the port's: not an address of this machine, a name that does not resolve. */
const HOST_CODES: ReadonlySet<string> = new Set(['EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);

function hostMessage(host: string, e: unknown): string {
  return `cannot listen on ${host}: it is not an address of this machine (${(e as Error).message}); give --host 127.0.0.1 (this machine only), 0.0.0.0 (every interface) or one of this machine's addresses`;
}

/**
 * Checks that the dashboard can listen on `host` (an address of this machine, or a name resolving to one), on a
 * free port closed at once: run before anything slower starts, so a mistyped `--host` fails in a moment.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming `--host` when it cannot; other listen errors are left to the
 *   real listen.
 * @example
 * ```ts
 * await checkListenHost('127.0.0.1'); // resolves
 * await checkListenHost('192.0.2.1'); // CONFIG_INVALID: not an address of this machine
 * ```
 */
export async function checkListenHost(host: string): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (HOST_CODES.has(code ?? ''))
      throw new DynotallyError('CONFIG_INVALID', hostMessage(host, e), { cause: e, details: { host } });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
