// One backfill spread over two processes through the bin, on DynamoDB Local, as docs/backfill.md's scale part
// describes it: each run gets the same --segments and its own --only-segments (the second needs no --resume: it
// finds the build started by the first), scanning --concurrency segments at a time. The first ends incomplete,
// the second completes the version; the progress lines count the process's own segments. Bad lists and counts
// are usage errors (exit 2) that say what was expected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDynotally } from '../../../../test/support/cli.ts';
import { type CliSourceStack, cliSourceStack } from '../../../../test/support/cli-source-stack.ts';
import { ddbReady, testClients } from '../../../../test/support/ddb.ts';
import { registerVersions } from '../../../dynotally/src/versions/index.ts';
import { scenario } from '../scenarios/generators/index.ts';
import { favouritesPerRestaurant } from '../scenarios/index.ts';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('dynotally backfill --only-segments and --concurrency', () => {
  const clients = testClients();
  let stack: CliSourceStack;

  beforeAll(async () => {
    const endpoint = await ddbReady();
    const gen = scenario('s2').create({ seed: 5 });
    stack = await cliSourceStack(clients.ddb, endpoint, 'bs', gen.history(NOW, 200));
    await registerVersions(clients.ddb, stack.tables.aggregate, [favouritesPerRestaurant.compiled], {
      firstVersion: 'building',
    });
  }, 120_000);
  afterAll(() => clients.destroy());

  it('two runs with parts of the segments build the version together', { timeout: 240_000 }, async () => {
    const first = await runDynotally([
      'backfill',
      'favourites',
      ...stack.work,
      '--segments',
      '4',
      '--only-segments',
      '0-1',
      '--concurrency',
      '1',
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('backfill favourites version 1: incomplete');
    expect(first.stderr).toMatch(/segments 2\/2 of 4/);
    // the same --segments, the other part, without --resume
    const second = await runDynotally([
      'backfill',
      'favourites',
      ...stack.work,
      '--segments',
      '4',
      '--only-segments',
      '2,3',
      '--promote',
    ]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('backfill favourites version 1: complete');
    expect(second.stdout).toContain('version 1 serves reads');
    const ok = await runDynotally(['verify', 'favourites', ...stack.work, '--concurrency', '2', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { drift: unknown[] }).drift).toEqual([]);
  });

  it('refuses bad lists and counts with what was expected (exit 2)', { timeout: 120_000 }, async () => {
    const cases: Array<[string[], string]> = [
      [['--only-segments', '0-x'], "'0-x' is not a segment number or a range of them"],
      [['--only-segments', '7-3'], "the range '7-3' runs backwards: write 3-7"],
      [['--only-segments', '0,,2'], 'an empty part'],
      [['--segments', '4', '--only-segments', '2-4'], 'segment 4 is outside --segments 4 (segments 0 to 3)'],
      [['--concurrency', '0'], "--concurrency '0' is not a whole number from 1 to 1,000"],
    ];
    for (const [args, message] of cases) {
      const run = await runDynotally(['backfill', 'favourites', ...stack.work, ...args]);
      expect({ args, code: run.code, stderr: run.stderr }).toMatchObject({
        args,
        code: 2,
        stderr: expect.stringContaining(message),
      });
    }
  });
});
