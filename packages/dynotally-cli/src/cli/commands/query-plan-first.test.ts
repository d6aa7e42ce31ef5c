// Session 19 (the review's suspected item): a query's bad window, granularity, bucket or measure is its usage error
// (exit 2) before any read, not the network error of an endpoint that cannot be reached.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeIo } from '../../../../../test/support/fake-io.ts';
import { runCli } from '../run-cli.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('query flags are checked before the first read', () => {
  it.each([
    [['query', 'total', 'jobs', '--group', 'customerId=acme', '--last', '24x'], 'DURATION_INVALID'],
    [
      ['query', 'total', 'jobs', '--group', 'customerId=acme', '--from', 'yesterday', '--to', 'now'],
      'QUERY_INVALID',
    ],
    [
      [
        'query',
        'series',
        'jobs',
        '--group',
        'customerId=acme',
        '--last',
        '24h',
        '--granularity',
        'fortnight',
      ],
      'GRANULARITY_INVALID',
    ],
    [['query', 'top', 'favourites', '--bucket', 'bogus'], 'QUERY_INVALID'],
    [['query', 'latest', 'energy', '--group', 'deviceId=m-1', '--measures', 'nope'], 'UNKNOWN_MEASURE'],
  ])('%j is %s (exit 2) with nothing listening on --endpoint', async (args, code) => {
    const io = fakeIo({ cwd: ROOT });
    const exit = await runCli([...args, '--endpoint', 'http://127.0.0.1:9'], io);
    expect(io.err).toContain(`[${code}]`);
    expect(exit).toBe(2);
  });
});
