// `dynotally rollups status` with a name the configuration does not define and the table has no control item of:
// a typo, reported as one (UNKNOWN_ROLLUP, naming the configured rollups), not shown as a rollup at version 1,
// serving. A configured rollup without a control item is version 1, serving; a name the table has a control item
// of is shown even if this configuration does not define it (a table another configuration writes).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ddbReady, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { fakeIo } from '../../../../test/support/fake-io.ts';
import { count, defineRollup } from '../../../dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../../dynotally/src/tables/index.ts';
import { registerVersions } from '../../../dynotally/src/versions/index.ts';
import { runCli } from './run-cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const clients = testClients();
const table = uniqueTableName('rollups-status');
let flags: string[] = [];

beforeAll(async () => {
  const endpoint = await ddbReady();
  await createAggregateTable(clients.ddb, table);
  const elsewhere = defineRollup({
    name: 'elsewhere',
    groupBy: 'g',
    granularities: ['all'],
    measures: { n: count() },
  });
  await registerVersions(clients.ddb, table, [elsewhere.compiled]);
  flags = ['--endpoint', endpoint, '--table', table, '--json'];
}, 120_000);
afterAll(() => clients.destroy());

async function status(...names: string[]) {
  const io = fakeIo({ cwd: ROOT });
  const code = await runCli(['rollups', 'status', ...names, ...flags], io);
  return { code, io };
}

describe('dynotally rollups status', () => {
  it('refuses a name neither configured nor registered, naming the configured rollups', async () => {
    const { code, io } = await status('store', 'stroe');
    expect(code).toBe(2); // a usage error, as for query
    expect(io.err).toContain("[UNKNOWN_ROLLUP] no rollup named 'stroe'");
    expect(io.err).toContain('known: ');
    expect(io.err).toContain('store');
    expect(io.out).toBe('');
  });

  it('shows a configured rollup without a control item as version 1, serving, and a registered one', async () => {
    const { code, io } = await status('store', 'elsewhere');
    expect(code, io.err).toBe(0);
    const rows = JSON.parse(io.out).versions as { rollup: string; version: number; state: string }[];
    expect(rows).toEqual([
      expect.objectContaining({ rollup: 'store', version: 1, state: 'serving' }),
      expect.objectContaining({ rollup: 'elsewhere', version: 1, state: 'serving' }),
    ]);
  });
});
