// `dynotally verify` on a terminal, in process on DynamoDB Local: its scans' progress is one live line on stderr
// (rewritten in place), which is cleared before each pass's verdict line and before the error, so that what stays on
// the terminal is those lines alone; stdout is the report. (Without a terminal the lines are plain:
// verify-backfill.int.test.ts.)
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_CWD } from '../../../../test/support/cli.ts';
import { cliSourceStack } from '../../../../test/support/cli-source-stack.ts';
import { ddbReady, scanTable, testClients } from '../../../../test/support/ddb.ts';
import { fakeIo } from '../../../../test/support/fake-io.ts';
import { registerVersions } from '../../../dynotally/src/versions/index.ts';
import { scenario } from '../scenarios/generators/index.ts';
import { favouritesPerRestaurant } from '../scenarios/index.ts';
import { runCli } from './run-cli.ts';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const CLEAR = '\r\u001b[2K';

/** The lines a terminal shows: each written line as it stands after its last clear. */
const shown = (err: string) =>
  err
    .split('\n')
    .map((l) => (l.includes(CLEAR) ? l.slice(l.lastIndexOf(CLEAR) + CLEAR.length) : l))
    .filter((l) => l !== '');

describe('dynotally verify on a terminal', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('shows a live progress line, cleared before the passes’ lines and the error', {
    timeout: 560_000,
  }, async () => {
    const endpoint = await ddbReady();
    const gen = scenario('s2').create({ seed: 5 });
    const changes = [
      ...gen.history(NOW, 200),
      ...Array.from({ length: 100 }, (_, i) => gen.next(NOW + i * 1_000)),
    ];
    const { tables, work } = await cliSourceStack(clients.ddb, endpoint, 'vtty', changes);
    await registerVersions(clients.ddb, tables.aggregate, [favouritesPerRestaurant.compiled], {
      firstVersion: 'building',
    });
    const built = fakeIo({ cwd: CLI_CWD });
    expect(await runCli(['backfill', 'favourites', ...work, '--promote'], built), built.err).toBe(0);
    // one drifted cell, so that each pass prints its line
    const row = (await scanTable(clients.ddb, tables.aggregate)).find(
      (r) => r.pk?.S?.startsWith('favourites#s') && r.sk?.S === 'ALL' && Number(r.favourites?.N) > 0,
    );
    await clients.ddb.send(
      new UpdateItemCommand({
        TableName: tables.aggregate,
        Key: { pk: { S: row?.pk?.S as string }, sk: { S: 'ALL' } },
        UpdateExpression: 'ADD favourites :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }),
    );

    const io = fakeIo({ cwd: CLI_CWD });
    io.isTTY = true;
    const code = await runCli(['verify', 'favourites', ...work], io);
    expect(code, io.err).toBe(1);
    // the live line, rewritten in place through each phase of both passes
    for (const phase of ['source', 'stored rows', 'missing rows'])
      for (const pass of [1, 2]) expect(io.err).toContain(`${CLEAR}verify: pass ${pass} of 2, ${phase}: `);
    expect(shown(io.err)).toEqual([
      'pass 1 of 2: 1 cell differs; checking again after 0 s',
      'pass 2 of 2: 1 cell differs in every pass',
      expect.stringMatching(/^dynotally: \[DRIFT_FOUND\] 1 cell of rollup 'favourites' version 1 differs /),
    ]);
    expect(io.out.split('\n')[0]).toMatch(/^verify favourites version 1: .*; 1 drifted/);
    expect(io.out).not.toContain('verify: pass');
  });
});
