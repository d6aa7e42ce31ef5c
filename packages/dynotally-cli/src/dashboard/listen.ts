import type { Server } from 'node:http';
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
            : `cannot listen on ${host}:${p}: ${(e as Error).message} (give another --port)`,
          { cause: e, details: { host, port: p } },
        );
      }
      busy.push(p);
    }
  }
}
