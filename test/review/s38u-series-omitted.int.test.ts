// Review s38u (CLI, first use): `dynotally query series` printed a measure it could not answer as a column of '–'
// with no word why, where `query total` prints `omitted <measure>: <reason>` under its table (the guide's
// `query series orders … --granularity hour` shows `biggest`, kept by day, and `status`, kept all-time, so).
// The reasons were in `--json` (`omitted`) only.
// Fixed: query-series.ts prints the omitted measures under the table, as query-total.ts does.
// Break-check: without those lines the text output has no 'omitted' and the test fails.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { ddbReady, stackTables } from '../support/ddb.ts';
import { fakeIo } from '../support/fake-io.ts';

describe('query series, text output', () => {
  it('names the measures it leaves out, with the reason', { timeout: 120_000 }, async () => {
    const endpoint = await ddbReady();
    const t = stackTables('s38u-series');
    const flags = ['--reference', '--endpoint', endpoint, '--table', t.aggregate, '--source-table', t.source];
    const created = fakeIo();
    const tableFlags = ['--dead-letter-table', t.deadLetter, '--lease-table', t.leases];
    expect(await runCli(['tables', 'create', ...flags, ...tableFlags], created), created.err).toBe(0);
    const io = fakeIo();
    const args = ['query', 'series', 'energy', '--group', 'deviceId=meter-01', '--granularity', 'hour'];
    const code = await runCli([...args, '--calendar', 'day', ...flags], io);
    expect(code, io.err).toBe(0);
    // energy: wh by hour … year, peak (max) by day only, power (last) all-time only
    expect(io.out).toMatch(/^omitted peak: .*a series by hour/m);
    expect(io.out).toMatch(/^omitted power: .*kept only all-time/m);
    expect(io.out).not.toMatch(/^omitted wh/m);
  });
});
