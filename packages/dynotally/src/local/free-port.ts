import { createServer } from 'node:net';

/**
 * Asks the OS for a free TCP port by binding port 0 on `host`, then releases it.
 * Another process may grab the port before you bind it; callers that spawn a server
 * on it should be ready to retry.
 *
 * @example
 * ```ts
 * const port = await freePort(); // e.g. 41237
 * ```
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/**
 * True when nothing listens on `port` (checked by binding it on all interfaces and releasing it).
 *
 * @example
 * ```ts
 * if (!(await isPortFree(8000))) console.error('port 8000 is taken');
 * ```
 */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
