import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { freePort } from './free-port.ts';
import { importPeer } from './optional-peer.ts';
import { reapOnExit } from './reap-on-exit.ts';

/** A running, throw-away `redis-server` on loopback. */
export interface LocalRedisServer {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Operating-system process id of the server (-1 if the system gave none). */
  readonly pid: number;
  /**
   * Resolves once the server has exited, for whatever reason (`stop()`, a crash, a `kill` from outside), with how it
   * ended (`exit code 1`, `signal SIGKILL`): persistence is off, so every key it held is gone then, and a
   * long-running user (the dev stack) stops rather than wait for it. Never rejects.
   */
  readonly exited: Promise<string>;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period). Safe to call twice. */
  stop(): Promise<void>;
}

/** Options for {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /** The executable; default `redis-server` from `PATH`. */
  command?: string;
  /** How long to wait for the server to answer PING; default 60 s (patient on a loaded machine). */
  startTimeoutMs?: number;
  /** Told how long the start took (one line). */
  log?: (line: string) => void;
}

const ATTEMPTS = 3;
const STOP_GRACE_MS = 3_000;

/**
 * Spawns `redis-server` on a free loopback port with persistence off
 * (`--save '' --appendonly no --bind 127.0.0.1`), in a fresh directory of its own (removed by `stop()`, so it
 * never loads another server's `dump.rdb`), and resolves once it answers PING.
 * Fails with `LOCAL_START_FAILED` when `redis-server` is not installed or does not come up.
 * The server is also killed when the current Node process exits or gets SIGINT, SIGTERM or SIGHUP.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * const client = new Redis(redis.url);
 * await client.incr('n');
 * client.disconnect();
 * await redis.stop();
 * ```
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<LocalRedisServer> {
  const command = options.command ?? 'redis-server';
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const started = Date.now();
  let lastError: unknown;
  // A free port can be taken between probing and binding, and a server can die during start-up: spawn it
  // again (a few times) on an early exit only; a missing executable or a timeout is final.
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = await freePort();
    try {
      const server = await startOn(command, port, timeoutMs);
      options.log?.(
        `[dynotally] redis-server answered on port ${port} after ${Date.now() - started} ms (attempt ${attempt + 1})`,
      );
      return server;
    } catch (error) {
      lastError = error;
      if (!isDynotallyError(error) || error.details.reason !== 'exited') throw error;
    }
  }
  throw lastError;
}

async function startOn(command: string, port: number, timeoutMs: number): Promise<LocalRedisServer> {
  // a directory of its own: redis-server loads the dump.rdb it finds in its directory at start, whatever `--save`
  // says, and a shared one (the system's temp directory) may hold another server's (a replica writes one on sync)
  const dir = mkdtempSync(join(tmpdir(), 'dynotally-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--dir',
    dir,
    '--loglevel',
    'warning',
  ];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const forget = reapOnExit(child);
  child.once('exit', forget);
  const ended = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`));
    child.once('error', (error) => resolve(`spawn error: ${error.message}`));
  });

  const exited = new Promise<DynotallyError>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      resolve(
        error.code === 'ENOENT'
          ? new DynotallyError(
              'LOCAL_START_FAILED',
              `'${command}' is not installed: install it with 'apt-get install -y redis-server' (Debian/Ubuntu) or 'brew install redis' (macOS)`,
              { details: { command, reason: 'missing' }, cause: error },
            )
          : new DynotallyError('LOCAL_START_FAILED', `could not run '${command}': ${error.message}`, {
              details: { command, reason: 'spawn' },
              cause: error,
            }),
      );
    });
    child.once('exit', (code, signal) => {
      resolve(
        new DynotallyError(
          'LOCAL_START_FAILED',
          `redis-server exited during start-up (code ${code}, signal ${signal}) on port ${port}: ${output.trim()}`,
          { details: { command, port, reason: 'exited', output } },
        ),
      );
    });
  });

  const stop = once(async () => {
    await stopChild(child);
    forget();
    rmSync(dir, { recursive: true, force: true });
  });

  const ready = waitForPing(port, timeoutMs);
  try {
    const outcome = await Promise.race([ready.then(() => undefined), exited]);
    if (outcome instanceof DynotallyError) throw outcome;
  } catch (error) {
    ready.cancel();
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid ?? -1, exited: ended, stop };
}

function waitForPing(port: number, timeoutMs: number): Promise<void> & { cancel(): void } {
  let cancelled = false;
  const run = async (): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    const { Redis } = await importPeer(() => import('ioredis'), 'ioredis', 'startRedisServer');
    while (!cancelled && Date.now() < deadline) {
      const client = new Redis({
        host: '127.0.0.1',
        port,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        enableOfflineQueue: false,
        connectTimeout: 1_000,
      });
      client.on('error', () => {});
      try {
        await client.connect();
        if ((await client.ping()) === 'PONG') return;
      } catch (error) {
        lastError = error;
      } finally {
        client.disconnect();
      }
      await sleep(50);
    }
    if (cancelled) return;
    throw new DynotallyError(
      'LOCAL_START_FAILED',
      `redis-server on port ${port} did not answer PING within ${timeoutMs} ms`,
      {
        details: { port, reason: 'timeout' },
        cause: lastError,
      },
    );
  };
  const promise = run() as Promise<void> & { cancel(): void };
  promise.cancel = () => {
    cancelled = true;
  };
  return promise;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await done;
  clearTimeout(timer);
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let pending: Promise<void> | undefined;
  return () => {
    pending ??= fn();
    return pending;
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
