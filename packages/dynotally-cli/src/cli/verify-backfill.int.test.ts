// `dynotally backfill` and `dynotally verify` end to end through the bin, on DynamoDB Local: the built-in S2
// rollup (favourites per restaurant) over a source table written by the scenario generator. A backfill builds
// a new rollup's first version (dry run, then for real), promotion, verify finds 0 drift, then exactly the
// cell of a corrupted row (exit 1, DRIFT_FOUND), and bad flags are coded usage errors (exit 2).
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDynotally } from '../../../../test/support/cli.ts';
import { type CliSourceStack, cliSourceStack } from '../../../../test/support/cli-source-stack.ts';
import { ddbReady, scanTable, testClients } from '../../../../test/support/ddb.ts';
import { registerVersions } from '../../../dynotally/src/versions/index.ts';
import { scenario } from '../scenarios/generators/index.ts';
import { favouritesPerRestaurant } from '../scenarios/index.ts';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('dynotally backfill and verify through the bin', () => {
  const clients = testClients();
  let tables: CliSourceStack['tables'];
  let claims = '';
  let flags: string[] = [];

  beforeAll(async () => {
    const endpoint = await ddbReady();
    // the source table's final items (inserts, deletes) from the S2 generator
    const gen = scenario('s2').create({ seed: 11 });
    const changes = [
      ...gen.history(NOW, 300),
      ...Array.from({ length: 200 }, (_, i) => gen.next(NOW + i * 1_000)),
    ];
    ({ tables, claims, flags } = await cliSourceStack(clients.ddb, endpoint, 'vb', changes));
    // a new rollup over an existing table: its first version is building until a backfill builds it
    await registerVersions(clients.ddb, tables.aggregate, [favouritesPerRestaurant.compiled], {
      firstVersion: 'building',
    });
  });
  afterAll(() => clients.destroy());

  it('backfill --dry-run prints the estimate; backfill builds the version; verify finds 0 drift, then the corrupted cell', {
    timeout: 560_000,
  }, async () => {
    const work = [...flags, '--claim-table', claims, '--settle', '0s'];
    const dry = await runDynotally(['backfill', 'favourites', ...work, '--dry-run', '--json']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    const estimate = JSON.parse(dry.stdout) as { version: number; estimate: Record<string, number> };
    expect(estimate.version).toBe(1);
    expect(Object.keys(estimate.estimate).sort()).toEqual(
      ['bytes', 'dollars', 'items', 'readUnits', 'writeUnits'].sort(),
    );

    // --register: the definition is registered already (version 1, building), so it only builds it
    const run = await runDynotally([
      'backfill',
      'favourites',
      ...work,
      '--register',
      '--segments',
      '2',
      '--promote',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('backfill favourites version 1: complete');
    expect(run.stdout).toContain('version 1 serves reads');
    expect(run.stderr).toMatch(/^backfill: [\d,]+\/[\d,?]+ items scanned/m); // plain progress lines (no TTY)
    // started before: another run must say --resume
    const again = await runDynotally(['rollups', 'status', 'favourites', ...flags, '--json']);
    expect(JSON.parse(again.stdout).versions[0]).toMatchObject({ version: 1, state: 'serving' });

    const ok = await runDynotally(['verify', 'favourites', ...work, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const clean = JSON.parse(ok.stdout) as { drift: unknown[]; groups: number; cells: number };
    expect(clean.drift).toEqual([]);
    expect(clean.groups).toBeGreaterThan(0);
    // the scans' progress goes to stderr (plain lines: no TTY; the first at once, then every 5 s), also with --json,
    // and nothing else does: stdout is the report alone (parsed above)
    expect(ok.stderr).toMatch(
      /^verify: pass 1 of 2, source: [\d,]+\/[\d,?]+ items scanned, [\d,]+ rows recomputed, segments \d+\/4, [\d,]+ items\/s, ETA (\d+s|\?)$/m,
    );
    expect(ok.stderr.trim().split('\n')).toEqual(
      ok.stderr
        .trim()
        .split('\n')
        .map(() => expect.stringMatching(/^verify: pass [12] of 2, (source|stored rows|missing rows): /)),
    );

    // corrupt one cell of one restaurant's all-time row
    const row = (await scanTable(clients.ddb, tables.aggregate)).find(
      (r) => r.pk?.S?.startsWith('favourites#s') && r.sk?.S === 'ALL' && Number(r.favourites?.N) > 0,
    );
    const first = { value: Number(row?.favourites?.N) };
    const id = (row?.pk?.S ?? '').slice('favourites#s'.length);
    await clients.ddb.send(
      new UpdateItemCommand({
        TableName: tables.aggregate,
        Key: { pk: { S: `favourites#s${id}` }, sk: { S: 'ALL' } },
        UpdateExpression: 'ADD favourites :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }),
    );
    const bad = await runDynotally(['verify', 'favourites', ...work, '--passes', '2']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('[DRIFT_FOUND]');
    expect(bad.stderr).toMatch(/^verify: pass 1 of 2, source: [\d,]+\/[\d,?]+ items scanned/m);
    const lines = bad.stdout.trim().split('\n');
    expect(lines[0]).toContain('1 drifted');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^GROUP\s+BUCKET\s+MEASURE\s+EXPECTED\s+ACTUAL$/),
      expect.stringMatching(/^-/),
      expect.stringMatching(
        new RegExp(
          `^restaurantId=${id}\\s+ALL\\s+favourites\\s+${first?.value}\\s+${(first?.value ?? 0) + 1}$`,
        ),
      ),
    ]);
    const named = await runDynotally([
      'verify',
      'favourites',
      ...work,
      '--group',
      `restaurantId=${id}`,
      '--json',
    ]);
    expect(named.code).toBe(1);
    expect(JSON.parse(named.stdout)).toMatchObject({
      groups: 1,
      drift: [{ bucket: 'ALL', measure: 'favourites' }],
    });
  });

  it('refuses bad flags with coded usage errors (exit 2)', { timeout: 560_000 }, async () => {
    const cases: Array<[string[], string]> = [
      [['verify', 'favourites', '--sample', '0%'], '[CONFIG_INVALID]'],
      [['verify', 'favourites', '--sample', '150%'], '[CONFIG_INVALID]'],
      [['verify', 'favourites', '--sample', '1%', '--group', 'restaurantId=r1'], '[CONFIG_INVALID]'],
      [['verify', 'favourites', '--group', 'nope'], '[CONFIG_INVALID]'],
      [['verify', 'nosuch'], '[UNKNOWN_ROLLUP]'],
      [['backfill', 'favourites', '--segments', '0'], '[CONFIG_INVALID]'],
      [['backfill', 'favourites', '--rate', 'fast'], '[CONFIG_INVALID]'],
      [['backfill', 'favourites', '--settle', 'soon'], '[CONFIG_INVALID]'],
    ];
    for (const [args, code] of cases) {
      const run = await runDynotally([...args, ...flags]);
      expect({ args, code: run.code, stderr: run.stderr }).toMatchObject({
        args,
        code: 2,
        stderr: expect.stringContaining(code),
      });
    }
  });
});
