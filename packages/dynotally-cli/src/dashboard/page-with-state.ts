import { scriptSafeJson } from './json-text.ts';
import type { DashboardState } from './state/types.ts';

/**
 * The page's Content-Security-Policy: scripts, styles and requests only from the dashboard itself, nothing
 * inline that runs (the embedded state is a JSON data block, which is never executed), no frames, no forms.
 *
 * @example
 * ```ts
 * res.setHeader('content-security-policy', PAGE_CSP);
 * ```
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Where the page template takes the state (an HTML comment in `public/index.html`). */
const MARK = '<!-- initial-state -->';

/**
 * The dashboard page with its first state embedded as `<script type="application/json" id="initial-state">`,
 * escaped with {@link scriptSafeJson}: the page script draws it before the first poll, so the page is filled
 * when `load` fires. Without a state (its reads failed) the page is served as it is and fills at the first poll.
 *
 * @example
 * ```ts
 * const html = pageWithState(await readFile('public/index.html'), await dashboard.state());
 * ```
 */
export function pageWithState(template: Buffer, state: DashboardState | undefined): Buffer {
  const html = template.toString('utf8');
  const at = html.indexOf(MARK);
  if (at < 0 || state === undefined) return template;
  const block = `<script type="application/json" id="initial-state">${scriptSafeJson(state)}</script>`;
  return Buffer.from(html.slice(0, at) + block + html.slice(at + MARK.length), 'utf8');
}
