// A loopback port nothing listens on, for commands that must be refused before they connect.
import { createServer } from 'node:net';

/**
 * A loopback port nothing listens on (taken, then released): a connection to it is refused.
 *
 * @example
 * ```ts
 * const endpoint = `http://127.0.0.1:${await closedPort()}`;
 * ```
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
