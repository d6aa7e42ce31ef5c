// Review s39q (dashboard): the 300 ms state cache is keyed by `${meter}|${store}` (server.ts, `state`), which is not
// injective: `?meter=a|b` and `?meter=a&store=b|` both give the key `a|b|`, so within the cache window the second
// selection is answered with the first one's state (another meter's figures, silently). Query values are any text.
// Observed: state({ meter: 'a', store: 'b|' }) returns the state built for meter 'a|b'.
// Expected: distinct selections never share a cache entry (e.g. key = JSON.stringify([meter, store])).
// Fixed (s39q): server.ts keys the cache by JSON.stringify([meter ?? null, store ?? null]).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryClient } from '../../packages/dynotally/src/query/index.ts';
import {
  type DashboardServer,
  startDashboardServer,
} from '../../packages/dynotally-cli/src/dashboard/server.ts';

/** A query client whose every read fails naming its group, so the S3 panel's error says which meter it read. */
const naming = (_rollup: unknown, group: unknown): Promise<never> =>
  Promise.reject(new Error(`read of ${JSON.stringify(group)}`));
const query = { series: naming, total: naming, latest: naming } as unknown as QueryClient;

let dashboard: DashboardServer;
beforeAll(async () => {
  dashboard = await startDashboardServer({ query, scenarios: ['s3'], port: 0, now: () => 1_800_000_000_000 });
});
afterAll(() => dashboard.close());

describe('the state cache key', () => {
  it('does not answer one selection with another one whose parts join to the same text', async () => {
    const first = await dashboard.state({ meter: 'a|b' });
    expect(first.errors.s3).toContain('"deviceId":"a|b"');
    const second = await dashboard.state({ meter: 'a', store: 'b|' });
    expect(second.errors.s3).toContain('"deviceId":"a"}');
  });
});
