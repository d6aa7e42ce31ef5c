import type { IncomingHttpHeaders } from 'node:http';

/**
 * What {@link guardRequest} looks at: the method, the headers and the port the dashboard listens on.
 *
 * @example
 * ```ts
 * const r: GuardedRequest = { method: 'POST', headers: req.headers, port: 4700 };
 * ```
 */
export interface GuardedRequest {
  readonly method: string;
  /** The request's path (`/api/state`): API reads are refused to other sites' pages. */
  readonly path?: string;
  readonly headers: IncomingHttpHeaders;
  /** The port the dashboard listens on. */
  readonly port: number;
  /** The host it was told to listen on, allowed as a `Host` besides the loopback names. */
  readonly listenHost?: string;
  /** More `Host` names it answers (without port): the machine's interface addresses when it listens on all. */
  readonly hostNames?: readonly string[];
}

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** The `Host` values the dashboard answers: loopback names (and the listen host) with its port. */
function allowedHosts(
  port: number,
  listenHost: string | undefined,
  hostNames: readonly string[] = [],
): Set<string> {
  const names = [...LOOPBACK, ...hostNames];
  if (listenHost !== undefined && !['0.0.0.0', '::', ''].includes(listenHost))
    names.push(listenHost.includes(':') ? `[${listenHost}]` : listenHost);
  const out = new Set<string>();
  for (const n of names) {
    out.add(`${n.toLowerCase()}:${port}`);
    if (port === 80) out.add(n.toLowerCase());
  }
  return out;
}

/**
 * Decides whether the dashboard serves a request; returns why not (for a 403), or `undefined`.
 *
 * - Every request needs a `Host` naming the dashboard itself (`127.0.0.1`, `localhost` or `[::1]`, the listen
 *   host, or one of `hostNames`, with its port): a page whose own DNS name was rebound to 127.0.0.1 sends its own
 *   name and is refused.
 * - An API read (`GET /api/…`) whose browser says it comes from another page (`Sec-Fetch-Site` other than
 *   `same-origin` or `none`: an `<img>` or a no-cors fetch of another site's page) is refused: each one would run
 *   the dashboard's reads. The page and its files are not API reads, so a link to the dashboard still opens it.
 * - A request that changes state (anything but GET and HEAD) needs a JSON body (`Content-Type:
 *   application/json`, which a cross-site page can only send after a CORS preflight the dashboard never
 *   grants), and, when the browser says where it comes from (`Origin`, `Sec-Fetch-Site`), the dashboard's
 *   own origin. Clients that send neither header (curl, scripts) are not browsers and cannot be forged by
 *   a page.
 *
 * The dashboard sends no CORS headers at all. The guard looks at headers only, which any client can write: who
 * may use the API and the controls at all (loopback peers, or holders of the remote-control token) is decided
 * by the server from the socket (`isLoopbackAddress` in `peers.ts`).
 *
 * @example
 * ```ts
 * const refused = guardRequest({ method: req.method ?? 'GET', headers: req.headers, port: 4700 });
 * if (refused !== undefined) return json(res, 403, { error: refused });
 * ```
 */
export function guardRequest(r: GuardedRequest): string | undefined {
  const host = r.headers.host?.toLowerCase();
  const hosts = allowedHosts(r.port, r.listenHost, r.hostNames);
  if (host === undefined || !hosts.has(host)) {
    return `Host ${JSON.stringify(r.headers.host ?? '')} is not this dashboard: open it at http://127.0.0.1:${r.port}/`;
  }
  const site = r.headers['sec-fetch-site'];
  if (SAFE_METHODS.has(r.method.toUpperCase())) {
    // a page on any site can make the user's browser GET a URL (an <img>, no CORS needed when the answer is not
    // read): each /api/state builds a state with every panel's reads, so API reads are the dashboard page's own
    // (same-origin), a typed-in address (none) or a script's (no header). The page itself and its files stay
    // reachable from a link.
    if (r.path?.startsWith('/api/') && site !== undefined && site !== 'same-origin' && site !== 'none')
      return `cross-site read (${site}) of ${r.path} refused: use the dashboard page itself`;
    return undefined;
  }
  const type = r.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return 'changes need a JSON body (Content-Type: application/json)';
  const origin = r.headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `http://${host}`) {
    return `cross-origin request from ${origin} refused: use the dashboard page itself`;
  }
  if (site !== undefined && site !== 'same-origin') {
    return `cross-site request (${site}) refused: use the dashboard page itself`;
  }
  return undefined;
}
