// Review s21 (alsoWrite, commit 620fdaa): the worker registers an alsoWrite definition that is not registered.
// alsoWrite is documented as "the serving definition" of a rollup while a changed one rolls out (cli.md; define-
// config.ts), but the direct worker hands `[...rollups, ...alsoWrite]` to `createVersionedWriteSide`, whose default
// `register: 'deployed'` registers every definition it does not find in the control item, in that order. Nothing
// checks that the alsoWrite definition is the one that serves, or is registered at all:
// 1. A "before" definition that is not byte-for-byte the serving one (retyped, a measure renamed, a function whose
//    source text changed: a fingerprint that differs) becomes a third version, `building`, beside the changed one.
//    The serving version 1 is written by nobody (the gap alsoWrite is meant to close, with a start line saying "also
//    writing"), the worker writes two building versions through the claims, and the unbuilt third version makes every
//    worker without that definition refuse (VERSION_NOT_DEPLOYED) until someone retires it.
// 2. On a table where the rollup has no control item yet (a new environment or aggregate table deployed with the
//    rollout configuration), the configured definition is registered first (version 1, serving) and the alsoWrite
//    one as version 2, `building`: a version nobody will build, so the final configuration (alsoWrite dropped, as
//    cli.md says) refuses to start (VERSION_NOT_DEPLOYED) until version 2 is retired.
// Observed: (1) the rollout worker exits 0, version 3 (alsoWrite's definition) is registered, version 1 counts 1 of
// the source's 2 orders; (2) the worker with the final configuration exits 1 with VERSION_NOT_DEPLOYED.
// Expected: an alsoWrite definition is only written, never registered: (1) the worker refuses to start, naming
// alsoWrite (its definition has no version; version 1 serves another one), or it keeps version 1 complete without
// registering a version; (2) nothing is registered for it (no version of it to keep current), so the final
// configuration starts.
// Suggested fix: in prepareDirectSide, before the registering batch, refuse an alsoWrite definition that has no
// version in an existing control item (CONFIG_INVALID: "alsoWrite's definition of orders is not registered; version 1
// serves fingerprint …: put the serving definition there"), and leave out (with a note) one of a rollup that has no
// control item; or give the library's write side a way to deploy a definition write-only (never registered).
// Fixed (session 21): the worker checks alsoWrite against the control items before it builds its write side
// (commands/also-write-live.ts, liveAlsoWrite): an unregistered definition is refused, and one of a rollup with no
// control item is left out with a note; these were the review's it.fails.
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { cliTables, runDynotally } from '../support/cli.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { tempDir } from '../support/temp-dir.ts';
import { MEASURES, ordersConfig } from './s21-orders-configs.ts';

const DAY = Date.UTC(2026, 10, 20);

describe('an alsoWrite definition that is not registered', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  const setUp = async (prefix: string) => {
    const endpoint = await ddbReady();
    const made = cliTables(prefix);
    const { aggregate, source } = made.tables;
    const flags = [...made.flags(endpoint), '--claim-table', uniqueTableName(`${prefix}-claims`)];
    const created = await runDynotally(['tables', 'create', ...made.flags(endpoint)]);
    expect(created.code, created.stderr).toBe(0);
    const dir = tempDir(`dynotally-${prefix}-`);
    let n = 0;
    const put = () =>
      clients.ddb.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [source]: [
              {
                PutRequest: {
                  Item: marshall({ pk: 'order', sk: `o-${n++}`, storeId: 's-0', amount: n, t: DAY }),
                },
              },
            ],
          },
        }),
      );
    const worker = (config: string) => runDynotally(['worker', '--until-idle', '-c', config, ...flags]);
    const versions = async (): Promise<Array<{ version: number; state: string }>> => {
      const out = await runDynotally(['rollups', 'status', 'orders', '--json', ...made.flags(endpoint)]);
      expect(out.code, out.stderr).toBe(0);
      return JSON.parse(out.stdout).versions.map((v: { version: number; state: string }) => ({
        version: v.version,
        state: v.state,
      }));
    };
    const v1 = async () =>
      (await scanTable(clients.ddb, aggregate))
        .filter((r) => r.pk?.S?.startsWith('orders#') && r.sk?.S === 'ALL')
        .map((r) => [r.pk?.S, r.n?.N]);
    return { dir, put, worker, versions, v1 };
  };

  it('is refused, not registered, when the serving definition is another one', {
    timeout: 900_000,
  }, async () => {
    const { dir, put, worker, versions, v1 } = await setUp('s21r');
    const first = ordersConfig(dir, 'first', MEASURES.A);
    // the changed definition, with the serving one misremembered in alsoWrite (a measure's name differs)
    const rollout = ordersConfig(dir, 'rollout', MEASURES.B, MEASURES.A2);
    await put();
    expect((await worker(first)).code).toBe(0);
    await put();
    const rolledOut = await worker(rollout);
    // no version of the alsoWrite definition is registered (observed: version 3, building)
    expect((await versions()).filter((v) => v.version > 2)).toEqual([]);
    if (rolledOut.code !== 0) expect(rolledOut.stderr).toContain('alsoWrite');
    // a worker that ran kept the serving version complete: the source holds 2 orders (observed: 1)
    else expect(await v1()).toEqual([['orders#ss-0', '2']]);
  });

  it('registers nothing for it on a table without the rollup, so the final configuration starts', {
    timeout: 900_000,
  }, async () => {
    const { dir, put, worker, versions } = await setUp('s21f');
    const rollout = ordersConfig(dir, 'rollout', MEASURES.B, MEASURES.A);
    const final = ordersConfig(dir, 'final', MEASURES.B);
    await put();
    const rolledOut = await worker(rollout);
    expect(rolledOut.code, rolledOut.stderr).toBe(0);
    // observed: version 2 (alsoWrite's definition) building, which nobody builds
    expect(await versions()).toEqual([{ version: 1, state: 'serving' }]);
    await put();
    // alsoWrite dropped (cli.md): observed VERSION_NOT_DEPLOYED, version 2 building
    const after = await worker(final);
    expect(after.code, after.stderr).toBe(0);
  });
});
