// An endpoint that accepts TCP connections but never answers (issue 11 #12): the CLI fails with
// ENDPOINT_UNREACHABLE within its --timeout (default 10 s) instead of hanging, and clients the library
// creates from a clientConfig time out too. Loopback sockets only.
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIo } from '../../../../test/support/fake-io.ts';
import { count, defineRollup } from '../../../dynotally/src/definition/index.ts';
import { LOCAL_REGION } from '../../../dynotally/src/local/index.ts';
import { createQueryClient } from '../../../dynotally/src/query/index.ts';
import { runCli } from './run-cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let server: Server;
const sockets: Socket[] = [];
let endpoint = '';
/** When the endpoint accepted each connection (Date.now()). */
const connectedAt: number[] = [];
/** ms since the first connection accepted at or after `t0`: the wait itself, without the CLI's start before it (config
 * load, client set-up), which a machine at load 15 stretches by seconds. */
const waitedSince = (t0: number): number => Date.now() - (connectedAt.find((at) => at >= t0) ?? Number.NaN);

beforeAll(async () => {
  server = createServer((s) => {
    sockets.push(s);
    connectedAt.push(Date.now());
    s.on('data', () => {}); // read the request, never answer
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  endpoint = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

const query = ['query', 'total', 'jobs', '--group', 'customerId=acme', '--last', '24h'];

describe('an endpoint that accepts connections and never answers', () => {
  it('dynotally query fails with ENDPOINT_UNREACHABLE within the default 10 s, saying what to check', async () => {
    const io = fakeIo({ cwd: ROOT });
    const t0 = Date.now();
    const code = await runCli([...query, '--endpoint', endpoint], io);
    const took = waitedSince(t0);
    expect(io.err).toMatch(
      /^dynotally: \[ENDPOINT_UNREACHABLE\] DynamoDB at http:\/\/127\.0\.0\.1:\d+ did not answer (within 10 s|in time).*check that it is running/,
    );
    expect(code).toBe(1);
    expect(took).toBeGreaterThanOrEqual(4_500);
    expect(took).toBeLessThan(15_000); // without a bound the CLI hangs until the test's timeout
  }, 60_000);

  it('--timeout (and DYNOTALLY_TIMEOUT) sets the wait', async () => {
    const io = fakeIo({ cwd: ROOT });
    const t0 = Date.now();
    expect(await runCli([...query, '--endpoint', endpoint, '--timeout', '2s'], io)).toBe(1);
    // well under the default's 10 s (the option ignored: 9.9 s)
    expect(waitedSince(t0)).toBeLessThan(6_000);
    expect(io.err).toContain('[ENDPOINT_UNREACHABLE]');
    const bad = fakeIo({ cwd: ROOT });
    expect(await runCli([...query, '--endpoint', endpoint, '--timeout', 'soon'], bad)).toBe(2);
    expect(bad.err).toMatch(
      /\[CONFIG_INVALID\] settings: --timeout \/ DYNOTALLY_TIMEOUT: 'soon' is not a timeout/,
    );
  }, 60_000);

  it('a query client made from a clientConfig times out too (request timeout settable through requestHandler)', async () => {
    const r = defineRollup({
      name: 'jobs',
      groupBy: 'customerId',
      time: { attribute: 'ts', format: 'epoch-millis' },
      granularities: ['hour'],
      measures: { jobs: count() },
    });
    const q = createQueryClient({
      clientConfig: {
        endpoint,
        region: LOCAL_REGION,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        maxAttempts: 1,
        requestHandler: { requestTimeout: 500 },
      },
      table: 'aggregates',
      rollups: [r],
    });
    const t0 = Date.now();
    await expect(q.total(r, { customerId: 'acme' }, { last: '2h' })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(waitedSince(t0)).toBeLessThan(5_000); // the 500 ms request timeout, not a hang
    q.close();
  }, 60_000);
});
