// Session 19: API reads are refused to other sites' pages (review s19-dash-state-cache); the page itself is not.
import { describe, expect, it } from 'vitest';
import { guardRequest } from './request-guard.ts';

const host = '127.0.0.1:4700';
const read = (path: string, site?: string) =>
  guardRequest({
    method: 'GET',
    path,
    headers: { host, ...(site === undefined ? {} : { 'sec-fetch-site': site }) },
    port: 4700,
  });

describe('guardRequest for reads', () => {
  it.each(['cross-site', 'same-site'])('refuses GET /api/state from a %s page', (site) => {
    expect(read('/api/state', site)).toMatch(/cross-site read \(.*\) of \/api\/state refused/);
  });

  it.each([['same-origin'], ['none'], [undefined]])(
    'serves GET /api/state with Sec-Fetch-Site %s',
    (site) => {
      expect(read('/api/state', site)).toBeUndefined();
    },
  );

  it('serves the page and its files from a link on another site', () => {
    expect(read('/', 'cross-site')).toBeUndefined();
    expect(read('/app.js', 'cross-site')).toBeUndefined();
  });
});
