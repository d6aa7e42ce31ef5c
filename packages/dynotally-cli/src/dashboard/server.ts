import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { QueryClient } from 'dynotally';
import { z } from 'zod';
import { SCENARIOS, type ScenarioId } from '../scenarios/generators/index.ts';
import type { FreshnessTracker } from './freshness/freshness-tracker.ts';
import { jsonText } from './json-text.ts';
import { listenOnFreePort } from './listen.ts';
import { PAGE_CSP, pageWithState } from './page-with-state.ts';
import {
  browserHost,
  interfaceHostNames,
  isLoopbackAddress,
  isLoopbackHost,
  TOKEN_HEADER,
  tokenMatches,
} from './peers.ts';
import { MAX_BODY_BYTES, readJsonBody } from './read-json.ts';
import { guardRequest } from './request-guard.ts';
import type { DashboardSources } from './sources.ts';
import { buildState, type Selection } from './state/build-state.ts';
import type { DashboardState } from './state/types.ts';
import { StateCache } from './state-cache.ts';
import { type StaticFile, staticFiles, staticLoader } from './static-files.ts';

/**
 * Options of {@link startDashboardServer}.
 *
 * @example
 * ```ts
 * const options: DashboardServerOptions = { query, scenarios: ['s2', 's4'], port: 0 };
 * ```
 */
export interface DashboardServerOptions {
  /** The only way the dashboard reads aggregates. */
  query: QueryClient;
  /** Panels to show (default all five). */
  scenarios?: readonly ScenarioId[];
  /** Generators, worker and meter list to show and control. */
  sources?: DashboardSources;
  freshness?: FreshnessTracker;
  /** S1 monthly quotas per project. */
  quotas?: Readonly<Record<string, number>>;
  /** Default 4700; a busy port → the next free one (see `onPortBusy`); 0 = any free port. */
  port?: number;
  /**
   * Default `127.0.0.1` (loopback only). On another host (`0.0.0.0`, `::`, a LAN address) peers on the network
   * get the page and its files, but the API and the controls still answer loopback peers only, unless
   * `remoteControl` is set.
   */
  host?: string;
  /**
   * Serve the API and the controls to any peer that holds a random token (made at start, carried in
   * {@link DashboardServer.pageUrl}'s fragment, sent by the page in an `X-Dynotally-Token` header); every API
   * and control request must then carry it, from loopback too. Default false.
   */
  remoteControl?: boolean;
  /** Told when the port asked for was busy. */
  onPortBusy?: (busy: number, using: number) => void;
  /** The clock for `at` (ms). */
  now?: () => number;
}

/**
 * A running dashboard.
 *
 * @example
 * ```ts
 * const d: DashboardServer = await startDashboardServer({ query });
 * const state = await d.state({ store: 'store-001' });
 * await d.close();
 * ```
 */
export interface DashboardServer {
  /** Its base URL, as a browser on this machine opens it (`http://127.0.0.1:<port>` for a wildcard host). */
  readonly url: string;
  /** The URL to open: `url`, with `/#token=…` when `remoteControl` is on. */
  readonly pageUrl: string;
  /** Whether peers beyond this machine can connect (the host is not a loopback address or `localhost`). */
  readonly beyondLoopback: boolean;
  readonly port: number;
  /** Builds the state `/api/state` would return (the same code path). */
  state(selection?: Selection): Promise<DashboardState>;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

const controlSchema = z.union([
  z.object({ action: z.enum(['pause', 'resume']) }).strict(),
  z
    .object({
      rate: z.number().min(0).max(10_000),
      scenario: z.enum(['s0', 's1', 's2', 's3', 's4']).optional(),
    })
    .strict(),
]);

const changeRollupSchema = z.object({ action: z.enum(['start', 'promote']) }).strict();

/** The bodies `POST /api/generators` takes, as its 400 names them. */
const CONTROL_BODIES = '{"action":"pause"|"resume"} or {"rate":0–10000,"scenario"?:"s0"…"s4"}';
/** The bodies `POST /api/change-rollup` takes. */
const CHANGE_ROLLUP_BODIES = '{"action":"start"|"promote"}';

/**
 * Sent with every answer: browsers keep to the declared type (no JSON or error text sniffed as script or style), and
 * no page frames the dashboard (beside the page's CSP `frame-ancestors 'none'`, for browsers without it).
 */
const COMMON_HEADERS = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' } as const;

const CACHE_MS = 300;
/** Selections cached at once: the page asks for one (its meter and store) every 1.5 s; a few tabs fit. */
const CACHE_KEYS = 16;

/**
 * Serves the live dashboard: one page (`/`, carrying its first state so it draws with the page, for a peer that may
 * read the API only, under a strict Content-Security-Policy), its script and styles, chart.js from `node_modules`, the
 * state as JSON (`GET /api/state?meter=&store=`, polled by the page every 1.5 s) and generator controls
 * (`POST /api/generators` with `{ action: 'pause' | 'resume' }` or `{ rate, scenario? }`), and the dev stack's
 * "change a rollup" demo (`POST /api/change-rollup` with `{ action: 'start' | 'promote' }`). Panels read
 * aggregates only through the query client. Listens on loopback by default; answers only requests whose
 * `Host` names it, changes only from its own page with a JSON body, API reads only from its own page or
 * scripts ({@link guardRequest}), and sends no CORS headers (every answer carries `X-Content-Type-Options: nosniff` and `X-Frame-Options: DENY`). The API and changes are served to loopback peers
 * only (the socket's remote address), or with `remoteControl` to requests carrying its token. Bodies over
 * 10,000 bytes are 413 ({@link readJsonBody}); HEAD is answered as GET without the body. States are cached 300 ms per selection, a few
 * selections at most ({@link StateCache}).
 *
 * @example
 * ```ts
 * const dashboard = await startDashboardServer({ query, sources: { generators: runner }, port: 4700 });
 * console.log(`dashboard: ${dashboard.url}`);
 * await dashboard.close();
 * ```
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const scenarios = options.scenarios ?? SCENARIOS.map((s) => s.id);
  const host = options.host ?? '127.0.0.1';
  const hostNames = interfaceHostNames(host);
  const token = options.remoteControl === true ? randomBytes(24).toString('base64url') : undefined;
  const files = staticFiles();
  const load = staticLoader();
  const sources = options.sources ?? {};
  const now = options.now ?? Date.now;
  const cache = new StateCache<DashboardState>({ windowMs: CACHE_MS, maxKeys: CACHE_KEYS });

  const state = (selection: Selection = {}): Promise<DashboardState> => {
    // injective: `meter=a|b` and `meter=a&store=b|` are different selections
    const key = JSON.stringify([selection.meter ?? null, selection.store ?? null]);
    const t = now();
    return cache.get(key, t, () =>
      buildState({
        query: options.query,
        scenarios,
        sources,
        freshness: options.freshness,
        quotas: options.quotas ?? {},
        at: t,
        selection,
      }),
    );
  };

  /**
   * Why a peer may not use the API (its reads, the state embedded in the page, the controls), or `undefined`. The
   * guard reads headers, which any client writes: who may use the API is decided by the socket or the token.
   */
  const apiDenied = (req: IncomingMessage): string | undefined =>
    token !== undefined
      ? tokenMatches(req.headers[TOKEN_HEADER], token)
        ? undefined
        : `the API and controls need the token of the dashboard's URL (open the URL dynotally dev printed, with its #token=…)`
      : isLoopbackAddress(req.socket.remoteAddress)
        ? undefined
        : `the API and controls answer this machine only (loopback): peer ${req.socket.remoteAddress ?? '?'} refused (start dynotally dev with --remote-control to allow it, with a token)`;

  let port = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = URL.parse(req.url ?? '/', 'http://dashboard');
    if (url === null) {
      // a target no URL parser takes (`//`, `//@`): the client's error, answered before anything else
      req.resume();
      return json(res, 400, { error: `request target ${JSON.stringify(req.url)} is not a URL path` });
    }
    const refused = guardRequest({
      method: req.method ?? 'GET',
      path: url.pathname,
      headers: req.headers,
      port,
      listenHost: host,
      hostNames,
    });
    if (refused !== undefined) {
      req.resume();
      return json(res, 403, { error: refused });
    }
    const safe = req.method === 'GET' || req.method === 'HEAD';
    if (url.pathname.startsWith('/api/') || !safe) {
      const denied = apiDenied(req);
      if (denied !== undefined) {
        req.resume();
        return json(res, 403, { error: denied });
      }
    }
    if (req.method === 'GET' && url.pathname === '/api/state') {
      const selection = {
        meter: url.searchParams.get('meter') || undefined,
        store: url.searchParams.get('store') || undefined,
      };
      return json(res, 200, await state(selection));
    }
    if (req.method === 'POST' && url.pathname === '/api/generators') {
      const g = sources.generators;
      if (g === undefined) return json(res, 404, { error: 'no generators run in this process' });
      const read = await readJsonBody(req);
      if (read.tooLarge) return tooLarge(res, read.drained);
      const parsed = controlSchema.safeParse(read.value);
      if (!parsed.success)
        return json(res, 400, { error: controlError(read.value, parsed.error, CONTROL_BODIES) });
      const body = parsed.data;
      if ('action' in body) {
        if (body.action === 'pause') await g.pause();
        else g.resume();
      } else g.setRate(body.rate, body.scenario);
      return json(res, 200, { paused: g.paused, scenarios: g.stats() });
    }
    if (req.method === 'POST' && url.pathname === '/api/change-rollup') {
      const demo = sources.changeRollup;
      if (demo === undefined)
        return json(res, 404, { error: 'this dashboard runs no change-a-rollup demo (it needs S4)' });
      const read = await readJsonBody(req);
      if (read.tooLarge) return tooLarge(res, read.drained);
      const parsed = changeRollupSchema.safeParse(read.value);
      if (!parsed.success)
        return json(res, 400, { error: controlError(read.value, parsed.error, CHANGE_ROLLUP_BODIES) });
      if (parsed.data.action === 'start') return json(res, 200, await demo.start());
      try {
        return json(res, 200, await demo.promote());
      } catch (e) {
        return json(res, 409, { error: (e as Error).message ?? String(e), state: demo.view() });
      }
    }
    // HEAD is answered as GET is, without the body (Node leaves it out; content-length stays the GET one's)
    if (safe && url.pathname === '/healthz') return json(res, 200, { ok: true });
    if (safe && url.pathname === '/') {
      // The first state goes into the page itself, so it draws with the page (no blank first paint); only for a
      // peer that may read /api/state: the page is served to any peer, the state it carries is the API's.
      const first = apiDenied(req) === undefined ? await state().catch(() => undefined) : undefined;
      const body = pageWithState(await load(files['/'] as StaticFile), first);
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': PAGE_CSP,
        'content-length': body.length,
      });
      return void res.end(body);
    }
    const file = safe ? files[url.pathname] : undefined;
    if (file === undefined) return json(res, 404, { error: `no ${req.method} ${url.pathname}` });
    const body = await load(file);
    res.writeHead(200, {
      'content-type': file.type,
      'cache-control': 'no-cache',
      'content-length': body.length,
    });
    res.end(body);
  };

  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(COMMON_HEADERS)) res.setHeader(name, value);
    handle(req, res).catch((e: unknown) => {
      const err = e as { code?: string; message?: string };
      if (!res.headersSent) json(res, 500, { error: `${err.code ?? 'ERROR'}: ${err.message ?? String(e)}` });
      else res.destroy();
    });
  });
  const requested = options.port ?? 4700;
  const listening = await listenOnFreePort(server, host, requested);
  port = listening.port;
  const busy = listening.busy;
  if (busy.length > 0) options.onPortBusy?.(busy[0] as number, port);
  const url = `http://${browserHost(host)}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    pageUrl: token === undefined ? url : `${url}/#token=${token}`,
    beyondLoopback: !isLoopbackHost(host),
    port,
    state,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = jsonText(body); // bigint group values and counts beyond 2^53 as exact strings
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** 413 for a body over the cap; when the body was not read to its end, the connection is closed after it. */
function tooLarge(res: ServerResponse, drained: boolean): void {
  if (!drained) res.setHeader('connection', 'close');
  json(res, 413, { error: `request body over ${MAX_BODY_BYTES.toLocaleString('en-US')} bytes` });
}

/**
 * The 400 text for a control body: a body that is not JSON says so; one the schema refuses names the bodies taken
 * and zod's first issue, with its path (zod alone said "Invalid input" for any failed union).
 */
function controlError(value: unknown, error: z.ZodError, taken: string): string {
  if (value === undefined) return `the body is not JSON: send ${taken}`;
  const issue = error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
  return `expected ${taken}${issue === undefined ? '' : ` (${where}${issue.message})`}`;
}
