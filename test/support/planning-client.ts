// A query client for tests that only plan or validate (explain, bad input): its endpoint is a closed port, so
// any request that did go out would fail at once instead of reaching a DynamoDB.
import {
  type AnyRollup,
  createQueryClient,
  type QueryClient,
} from '../../packages/dynotally/src/query/index.ts';

/**
 * A query client over `rollups` and table `aggregates`, with `now` as its clock, that sends nothing anywhere.
 *
 * @example
 * ```ts
 * const query = planningClient([jobsPerCustomer], Date.UTC(2026, 10, 22));
 * query.explain.total(jobsPerCustomer, { customerId: 'c-1' }, { last: '24h' });
 * ```
 */
export function planningClient<const R extends readonly AnyRollup[]>(
  rollups: R,
  now: number,
): QueryClient<R[number]> {
  return createQueryClient({
    clientConfig: {
      region: 'local',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    },
    table: 'aggregates',
    rollups,
    now: () => now,
  });
}
