// A replica of a test's redis-server linked through a TCP relay that can be cut: a real asynchronous failover (the
// replica stops receiving, the primary keeps serving, then the replica is promoted with `REPLICAOF NO ONE`).
import { type AddressInfo, createConnection, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { type LocalRedisServer, startRedisServer } from '../support/redis-server.ts';

/** A replica of the buffer's redis-server: promote it with `client.replicaof('NO', 'ONE')`. */
export interface LinkedReplica {
  /** A client of the replica. */
  readonly client: Redis;
  /** The replica's port (once promoted, give it a replica of its own with `linkedReplica(port)`). */
  readonly port: number;
  /** The replica's process id (`SIGSTOP` it to keep its link up while it acknowledges nothing). */
  readonly pid: number;
  /** Cuts the replication link: the replica receives nothing more (a network partition). */
  cut(): void;
  /** Stops the replica, its client and the relay. */
  stop(): Promise<void>;
}

/**
 * A TCP relay to `port` that can be cut: every connection is closed and new ones are refused (a network partition).
 *
 * @example
 * ```ts
 * const relay = await startRelay(server.port); // redis://127.0.0.1:${relay.port} reaches the server until relay.cut()
 * ```
 */
export async function startRelay(
  port: number,
): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port });
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Starts a redis-server replicating the one on `primaryPort` through a relay that can be cut, and waits until it
 * is in sync.
 *
 * @example
 * ```ts
 * const replica = await linkedReplica(env.server.port);
 * replica.cut(); // the primary's next writes never reach it
 * await replica.client.replicaof('NO', 'ONE'); // the failover
 * ```
 */
export async function linkedReplica(primaryPort: number): Promise<LinkedReplica> {
  const server: LocalRedisServer = await startRedisServer();
  const relay = await startRelay(primaryPort);
  const client = new Redis(server.url);
  const stop = async () => {
    client.disconnect();
    relay.cut(); // a relay still linking closes only once its connections are gone
    await relay.close();
    await server.stop();
  };
  try {
    await client.replicaof('127.0.0.1', relay.port);
    await waitFor(
      async () => /master_link_status:up/.test(await client.info('replication')),
      'the replica to sync',
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { client, port: server.port, pid: server.pid, cut: () => relay.cut(), stop };
}
