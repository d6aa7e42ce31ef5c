// Review s19 (CLI errors): a DynamoDB endpoint that refuses connections (DynamoDB Local not started yet, a wrong
// port in --endpoint: the most common first-run mistake) is reported by almost every command as
//   dynotally: [APPLY_FAILED] a write still failed after 6 attempts (Error): the batch will be retried
// a runtime error about a write and a batch that do not exist (a query writes nothing, and nothing will be retried:
// the command has exited), with no endpoint and no advice. docs/cli.md promises `ENDPOINT_UNREACHABLE` with what to
// check, and `tables create` says it ("cannot reach DynamoDB at http://127.0.0.1:9 (ECONNREFUSED): start it …"),
// because its calls go to the SDK directly. The others make their first call through the library's `withRetry`
// (readControl, listDeadLetters …: query total/series/top/latest, rollups promote, verify, backfill, dead-letters
// list/show/replay, worker), which wraps the retried ECONNREFUSED in a DynotallyError APPLY_FAILED; the CLI's
// toDynotallyError (errors/to-dynotally-error.ts) returns any DynotallyError unchanged before it looks for a
// network code in the cause chain, so the ECONNREFUSED underneath (shown only with --verbose) is never seen.
// Observed: `query total jobs --group customerId=acme --last 24h --endpoint http://127.0.0.1:<closed>` exits 1 with
// [APPLY_FAILED] a write still failed after 6 attempts (Error): the batch will be retried; the same for
// `query top`, `dead-letters list`, `verify`, `worker`.
// Expected: [ENDPOINT_UNREACHABLE] cannot reach DynamoDB at http://127.0.0.1:<port> (ECONNREFUSED): start it …, as
// `tables create` prints, exit 1.
// Suggested fix: in toDynotallyError, look for a network code (networkCode walks `cause`) before passing a
// DynotallyError through, at least for APPLY_FAILED; or have withRetry rethrow connection errors (ECONNREFUSED,
// ENOTFOUND …) as they are once its attempts are spent, and word APPLY_FAILED for reads as well as writes.
// Fixed (session 19): toDynotallyError looks under APPLY_FAILED and WORKER_ERROR (the library's spent retries) for a
// network error and reports ENDPOINT_UNREACHABLE, the library's error kept as cause; withRetry's APPLY_FAILED (same
// code, so the worker's retries are unchanged) now says "a DynamoDB call still failed after 6 attempts (Error
// ECONNREFUSED): the connection to the endpoint failed: …" for library users; this was the review's it.fails.
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { closedPort } from '../support/closed-port.ts';
import { fakeIo } from '../support/fake-io.ts';

describe('a command against an endpoint that refuses connections', () => {
  let endpoint = '';
  beforeAll(async () => {
    endpoint = `http://127.0.0.1:${await closedPort()}`;
  });

  it('tables create says ENDPOINT_UNREACHABLE (the expected wording)', async () => {
    const io = fakeIo();
    const code = await runCli(['tables', 'create', '--endpoint', endpoint], io);
    expect(io.err).toContain(`[ENDPOINT_UNREACHABLE] cannot reach DynamoDB at ${endpoint} (ECONNREFUSED)`);
    expect(code).toBe(1);
  });

  it.each([
    [['query', 'total', 'jobs', '--group', 'customerId=acme', '--last', '24h']],
    [['query', 'top', 'favourites']],
    [['dead-letters', 'list']],
    [['verify', 'jobs']],
    [['worker', '--until-idle']],
  ])('%j says ENDPOINT_UNREACHABLE too, not APPLY_FAILED about a write', async (args) => {
    const io = fakeIo();
    const code = await runCli([...args, '--endpoint', endpoint], io);
    expect(io.err).not.toContain('APPLY_FAILED');
    expect(io.err).toContain(`[ENDPOINT_UNREACHABLE] cannot reach DynamoDB at ${endpoint} (ECONNREFUSED)`);
    expect(code).toBe(1);
  });
});
