// Review s40z: `dynotally rollups promote --force` of a rebuild (the version `verify --repair` registers, fingerprint
// `<definition>~<n>`) still building. Review s40b made its note name `dynotally backfill <rollup> --resume` as the way
// to complete a forced version in place, but the CLI's backfill builds the configured definition's own version (it
// has no --version), never a rebuild: that version was retired by the forced promotion, so the command the note
// names is refused (BACKFILL_REFUSED, retired) and the rebuild stays partial.
// Observed (main): the note of a forced rebuild names `dynotally backfill favourites --resume`, whose dry run says a
// real run refuses it (version 1 is retired).
// Expected: for a rebuild the note names only what completes it: `dynotally verify <rollup> --repair` (or the
// library's `runBackfill({ version })`).
// Fixed: `unfinishedNote` (packages/dynotally-cli/src/cli/commands/rollups.ts) names `dynotally backfill --resume`
// only for the configured definition's own version (its fingerprint), the repair (and runBackfill({ version }))
// otherwise. The own version's note is unchanged (packages/dynotally-cli/src/cli/promote-force.int.test.ts).
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerVersionParams } from '../../packages/dynotally/src/versions/control-params.ts';
import { registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { rebuildFingerprint } from '../../packages/dynotally/src/versions/rebuild.ts';
import { scenario } from '../../packages/dynotally-cli/src/scenarios/generators/index.ts';
import { favouritesPerRestaurant } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { runDynotally } from '../support/cli.ts';
import { cliSourceStack } from '../support/cli-source-stack.ts';
import { ddbReady, testClients } from '../support/ddb.ts';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('dynotally rollups promote --force of a rebuild', () => {
  const clients = testClients();
  let flags: string[] = [];
  let work: string[] = [];

  beforeAll(async () => {
    const endpoint = await ddbReady();
    const gen = scenario('s2').create({ seed: 12 });
    ({ flags, work } = await cliSourceStack(clients.ddb, endpoint, 's40z-pfr', gen.history(NOW, 20)));
    const table = flags[flags.indexOf('--table') + 1] as string;
    const { compiled } = favouritesPerRestaurant;
    // version 1 serves; a repair registered its rebuild, version 2, and stopped before its backfill
    await registerVersions(clients.ddb, table, [compiled], { firstVersion: 'serving' });
    await clients.ddb.send(
      new UpdateItemCommand(
        registerVersionParams(table, compiled.name, {
          fingerprint: rebuildFingerprint(compiled.fingerprint, 2),
          version: 2,
          expectedNext: 2,
          state: 'building',
          needsBackfill: true,
          now: Date.now(),
        }),
      ),
    );
  }, 300_000);
  afterAll(() => clients.destroy());

  it('names the repair, not a backfill that builds another version', { timeout: 300_000 }, async () => {
    const forced = await runDynotally([
      'rollups',
      'promote',
      'favourites',
      '2',
      '--force',
      ...flags,
      '--json',
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    const note = JSON.parse(forced.stdout).note as string;
    expect(note).toContain('dynotally verify favourites --repair');
    // what the backfill would do: build version 1, retired by the promotion
    const dry = await runDynotally(['backfill', 'favourites', '--dry-run', ...work, '--json']);
    expect(JSON.parse(dry.stdout).refused).toContain('retired');
    expect(note).not.toContain('dynotally backfill favourites');
  });
});
