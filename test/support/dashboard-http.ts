import { type Agent, type IncomingHttpHeaders, request } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { QueryClient } from '../../packages/dynotally/src/query/index.ts';
import {
  type DashboardServer,
  type DashboardServerOptions,
  startDashboardServer,
} from '../../packages/dynotally-cli/src/dashboard/server.ts';
import type { GeneratorControl } from '../../packages/dynotally-cli/src/dashboard/sources.ts';
import type { ScenarioRunStats } from '../../packages/dynotally-cli/src/scenarios/generators/index.ts';

/** What {@link rawRequest} sends: the socket's target, the request line, headers and body, as written. */
export interface RawRequest {
  port: number;
  path: string;
  /** Default GET. */
  method?: string;
  /** Sent as given; Node adds no Host. Without a `host` entry the Host is `<ip>:<port>`. */
  headers?: Record<string, string>;
  body?: string;
  /** The address the socket connects to (default 127.0.0.1): a LAN address makes the server see a remote peer. */
  ip?: string;
  /** Default false (a fresh connection per request); a keep-alive `Agent` to reuse one connection. */
  agent?: Agent | false;
}

/** The answer to a {@link rawRequest}: status, headers, the whole body, and the socket it came on. */
export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The request's socket, to tell whether a keep-alive agent reused a connection. */
  socket: unknown;
}

/**
 * One HTTP request with `node:http`, exactly as given (no Host added, any method, headers a browser would not
 * send), read to the end. Rejects on a socket error (e.g. ECONNRESET when the server closes mid-body).
 *
 * @example
 * ```ts
 * const r = await rawRequest({ port, method: 'POST', path: '/api/generators', headers: { host: 'evil.example' }, body });
 * expect(r.status).toBe(403);
 * ```
 */
export function rawRequest(options: RawRequest): Promise<RawReply> {
  const { port, path, method = 'GET', body, ip = '127.0.0.1', agent = false } = options;
  const headers = { host: `${ip}:${port}`, ...options.headers };
  return new Promise((resolve, reject) => {
    const req = request({ host: ip, port, method, path, headers, setHost: false, agent }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, socket: req.socket }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The status of a {@link rawRequest}.
 *
 * @example
 * ```ts
 * expect(await rawStatus({ ip: lan, port, path: '/api/state', headers: { host } })).toBe(403);
 * ```
 */
export async function rawStatus(options: RawRequest): Promise<number> {
  return (await rawRequest(options)).status;
}

/** A {@link GeneratorControl} that records what the dashboard asked of it, in order. */
export interface RecordingGenerators extends GeneratorControl {
  /** `'pause'`, `'resume'` and `'rate <n>'`, one per call; clear it with `calls.length = 0`. */
  readonly calls: string[];
}

/**
 * Generators that run nothing: `pause`/`resume` flip `paused` and, like `setRate`, append to `calls`; `stats`
 * returns the given runs (default none).
 *
 * @example
 * ```ts
 * const generators = recordingGenerators();
 * await rawRequest({ port, method: 'POST', path: '/api/generators', headers: json, body: '{"rate":3}' });
 * expect(generators.calls).toEqual(['rate 3']);
 * ```
 */
export function recordingGenerators(stats: ScenarioRunStats[] = []): RecordingGenerators {
  const calls: string[] = [];
  let paused = false;
  return {
    calls,
    get paused() {
      return paused;
    },
    pause: async () => {
      paused = true;
      calls.push('pause');
    },
    resume: () => {
      paused = false;
      calls.push('resume');
    },
    setRate: (rate) => {
      calls.push(`rate ${rate}`);
    },
    stats: () => stats,
  };
}

/**
 * A non-loopback IPv4 address of this machine (the address a LAN peer reaches it at), or undefined when it has none.
 *
 * @example
 * ```ts
 * const lan = lanAddress();
 * it.skipIf(lan === undefined)('refuses a LAN peer', async () => {});
 * ```
 */
export function lanAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
}

/** {@link startBareDashboard}'s options: the generators, and any server option but the panels' and the port. */
export type BareDashboardOptions = Omit<
  DashboardServerOptions,
  'query' | 'scenarios' | 'sources' | 'port'
> & {
  generators: GeneratorControl;
};

/**
 * A dashboard on a free port with no panels and only the given generators: the query client is an empty object,
 * so it suits tests of the HTTP layer (guard, controls, static files) that never build a panel.
 *
 * @example
 * ```ts
 * const dashboard = await startBareDashboard({ generators, host: '0.0.0.0', remoteControl: true });
 * afterAll(() => dashboard.close());
 * ```
 */
export function startBareDashboard(options: BareDashboardOptions): Promise<DashboardServer> {
  const { generators, ...rest } = options;
  return startDashboardServer({
    ...rest,
    query: {} as QueryClient,
    scenarios: [],
    sources: { generators },
    port: 0,
  });
}
