import type { Command } from 'commander';
import { type ControlItem, DynotallyError, promoteVersion, readControl, retireVersion } from 'dynotally';
import { shownText } from 'dynotally/local';
import { z } from 'zod';
import { makeClients } from '../config/clients.ts';
import type { CliContext } from '../context.ts';
import { plural } from '../output/plural.ts';
import { formatTable } from '../output/table.ts';
import { unknownRollup } from './rollup-work.ts';

const promoteSchema = z.object({ force: z.boolean().default(false) });
const noFlags = z.object({});

/**
 * One version row of `rollups status`.
 *
 * @example
 * ```ts
 * const row: VersionStatusRow = { rollup: 'store', version: 2, state: 'building', serving: false,
 *   fingerprint: 'ab12…', backfill: 'running since 2026-12-01T10:00:00.000Z', storeRefused: 0,
 *   backfillStoreRefused: 0 };
 * ```
 */
export interface VersionStatusRow {
  rollup: string;
  version: number;
  state: string;
  serving: boolean;
  fingerprint: string;
  backfill: string;
  /**
   * Items of the source the store refused during the version's backfill, recorded when a repair held it (0: no
   * hold): a `ready` version with them is not promoted unless forced; a serving one was forced and lacks them.
   */
  storeRefused: number;
  /**
   * Items of the source the store refused over the version's whole backfill, as its end recorded them
   * (`backfill.storeRefused`; 0 when none, before the end, or in an end an earlier release recorded): dead-lettered
   * and in none of the version's rows. While another version serves, a backfill or repair holds its promotion for them.
   */
  backfillStoreRefused: number;
}

/** What a BACKFILL cell's refused items mean, said once under the table. */
const STORE_REFUSED_NOTE =
  'the store refused: items its backfill could not store (a sum past 38 digits in the scan order, a row past 400 KB), dead-lettered and in none of its rows; while another version serves, a backfill or repair holds its promotion for them (HOLD: rollups promote --force promotes it without them)';

/**
 * The text of `rollups status`: a row per version, and what refused items mean when a backfill left some.
 *
 * @example
 * ```ts
 * process.stdout.write(versionStatusText(versionStatusRows([{ name: 'store', control }])));
 * ```
 */
export function versionStatusText(rows: readonly VersionStatusRow[]): string {
  const table = formatTable(rows, [
    { header: 'ROLLUP', value: (r) => r.rollup },
    { header: 'VERSION', value: (r) => r.version },
    { header: 'STATE', value: (r) => r.state },
    { header: 'SERVES', value: (r) => (r.serving ? 'yes' : '') },
    {
      header: 'BACKFILL',
      value: (r) =>
        r.backfillStoreRefused > 0
          ? `${r.backfill}, ${plural(r.backfillStoreRefused, 'item')} the store refused`
          : r.backfill,
    },
    { header: 'HOLD', value: holdText },
    { header: 'FINGERPRINT', value: (r) => r.fingerprint },
  ]);
  return rows.some((r) => r.backfillStoreRefused > 0) ? `${table}${STORE_REFUSED_NOTE}\n` : table;
}

/**
 * The rows of `rollups status` for some control items (a rollup without one has only version 1, serving).
 *
 * @example
 * ```ts
 * versionStatusRows([control]).map((r) => `${r.version} ${r.state}`);
 * ```
 */
export function versionStatusRows(
  controls: ReadonlyArray<{ name: string; control: ControlItem | undefined }>,
) {
  const rows: VersionStatusRow[] = [];
  for (const { name, control } of controls) {
    if (control === undefined) {
      rows.push({
        rollup: name,
        version: 1,
        state: 'serving',
        serving: true,
        fingerprint: '',
        backfill: '',
        storeRefused: 0,
        backfillStoreRefused: 0,
      });
      continue;
    }
    for (const v of control.versions) {
      const b = v.backfill;
      rows.push({
        rollup: name,
        version: v.version,
        state: v.state,
        serving: control.serving === v.version,
        fingerprint: v.fingerprint,
        backfill:
          b?.endedAt !== undefined
            ? `done ${new Date(b.endedAt).toISOString()}`
            : b?.startedAt !== undefined
              ? `running since ${new Date(b.startedAt).toISOString()} (${b.segments ?? '?'} segments)`
              : v.needsBackfill
                ? 'not started'
                : '',
        storeRefused: v.hold?.storeRefused ?? 0,
        backfillStoreRefused: b?.storeRefused ?? 0,
      });
    }
  }
  return rows;
}

/**
 * `dynotally rollups status <rollup…>` (versions, states, backfill progress, which one serves),
 * `dynotally rollups promote <rollup> <version> [--force]` (switch reads in one conditional write) and
 * `dynotally rollups retire <rollup> <version>` (abandon a version that does not serve: a rolled-back change).
 *
 * @example
 * ```ts
 * registerRollups(program, ctx); // dynotally rollups status store --endpoint http://127.0.0.1:8000
 * ```
 */
export function registerRollups(program: Command, ctx: CliContext): void {
  const rollups = program.command('rollups').description('rollup versions: status, promotion and retirement');
  rollups
    .command('status')
    .description('versions of each rollup, their state and backfill, and which one serves reads')
    .argument('<rollup...>', 'rollup names')
    .addHelpText('after', '\nExample:\n  dynotally rollups status store jobs --json')
    .action(async (names: string[], _opts, cmd: Command) => {
      ctx.flags(cmd, noFlags);
      const globals = ctx.globals(cmd);
      const settings = await ctx.settings(globals);
      const clients = makeClients(settings);
      try {
        const controls = await Promise.all(
          names.map(async (name) => ({
            name,
            control: await readControl(clients.ddb, settings.tables.aggregate, name),
          })),
        );
        // a name neither configured nor registered in the table is a typo, not a rollup at version 1
        for (const { name, control } of controls)
          if (control === undefined && !settings.rollups.some((r) => r.compiled.name === name))
            throw unknownRollup(settings, name);
        const rows = versionStatusRows(controls);
        ctx.emit(globals, { versions: rows }, () => versionStatusText(rows));
      } finally {
        clients.destroy();
      }
    });
  rollups
    .command('promote')
    .description('make a version (backfill complete) the one reads use; the previous one is retired')
    .argument('<rollup>', 'rollup name')
    .argument('<version>', 'version number')
    .option(
      '--force',
      'promote a version whose backfill has not completed (it serves partial counts: rebuild it with verify --repair), or one a repair held',
    )
    .addHelpText(
      'after',
      '\nA version is promoted once its backfill completed (state ready). --force promotes one still building: it\nlacks the existing items its backfill had not reached until its backfill completes it in place (dynotally\nbackfill <rollup> --resume, within 28 days of its registration), or rebuild it: dynotally verify <rollup> --repair. A version a repair held (rollups\nstatus: HOLD, it lacks items the store refused) is refused too (PROMOTE_REFUSED); --force promotes it\nwithout them. So is a version numbered below the serving one of another definition: it would retire the\nserving version for good and halt stream sides deploying only its definition; --force promotes it (a rollback).\n\nExample:\n  dynotally rollups promote store 2',
    )
    .action(async (name: string, version: string, _opts, cmd: Command) => {
      const flags = ctx.flags(cmd, promoteSchema);
      const n = versionNumber(version);
      const globals = ctx.globals(cmd);
      const settings = await ctx.settings(globals);
      const clients = makeClients(settings);
      try {
        const control = await promoteVersion(clients.ddb, settings.tables.aggregate, name, n, {
          force: flags.force,
        });
        const rows = versionStatusRows([{ name, control }]);
        // dynotally backfill builds the configured definition's own version only (not a rebuild, nor another one)
        const configured = settings.rollups.find((r) => r.compiled.name === name)?.compiled.fingerprint;
        const note = unfinishedNote(control, name, n, configured);
        ctx.emit(globals, { promoted: { rollup: name, version: n }, versions: rows, note }, () => {
          const table = formatTable(rows, [
            { header: 'VERSION', value: (r) => r.version },
            { header: 'STATE', value: (r) => r.state },
            { header: 'SERVES', value: (r) => (r.serving ? 'yes' : '') },
          ]);
          return note === undefined ? table : `${table}\n${note}\n`;
        });
      } finally {
        clients.destroy();
      }
    });
  rollups
    .command('retire')
    .description(
      'abandon a version that does not serve (building or ready): workers stop writing it, its rows can be deleted',
    )
    .argument('<rollup>', 'rollup name')
    .argument('<version>', 'version number')
    .addHelpText(
      'after',
      "\nA changed definition rolled back: workers with the old configuration refuse batches while a newer\nversion they do not have is registered (VERSION_NOT_DEPLOYED); retiring it lets them go on. Workers whose\nconfiguration kept the serving definition in alsoWrite wrote it all along: nothing is missing. What workers\nwith the retired version's configuration alone applied is not in the serving version: rebuild that one with\ndynotally verify <rollup> --repair (serving configuration). A retired version never serves again; to try the\nchange again later, rebuild it: dynotally verify <rollup> --repair.\n\nExample:\n  dynotally rollups retire store 2",
    )
    .action(async (name: string, version: string, _opts, cmd: Command) => {
      ctx.flags(cmd, noFlags);
      const n = versionNumber(version);
      const globals = ctx.globals(cmd);
      const settings = await ctx.settings(globals);
      const clients = makeClients(settings);
      try {
        const control = await retireVersion(clients.ddb, settings.tables.aggregate, name, n);
        const rows = versionStatusRows([{ name, control }]);
        // workers with the retired version's configuration and without the serving definition in alsoWrite wrote
        // it instead of the serving one: what they applied is in no version that is read
        const note = `version ${control.serving ?? '?'} serves; unless every worker with version ${n}'s configuration also wrote the serving definition (alsoWrite), changes they applied are not in it: rebuild it from the source with dynotally verify ${name} --repair (with the serving configuration)`;
        ctx.emit(globals, { retired: { rollup: name, version: n }, versions: rows, note }, () => {
          const table = formatTable(rows, [
            { header: 'VERSION', value: (r) => r.version },
            { header: 'STATE', value: (r) => r.state },
            { header: 'SERVES', value: (r) => (r.serving ? 'yes' : '') },
          ]);
          return `${table}\n${note}\n`;
        });
      } finally {
        clients.destroy();
      }
    });
}

/**
 * The HOLD cell of a version a repair held: not promoted (it lacks items the store refused), or, once forced,
 * serving (or retired) without them; empty without a hold.
 */
function holdText(r: VersionStatusRow): string {
  if (r.storeRefused === 0) return '';
  return r.state === 'ready'
    ? `held: lacks ${plural(r.storeRefused, 'refused item')}`
    : `lacks ${plural(r.storeRefused, 'refused item')}`;
}

/** The `<version>` argument as a version number (`CONFIG_INVALID` when it is not a whole number ≥ 1). */
function versionNumber(version: string): number {
  const n = Number(version);
  if (!Number.isInteger(n) || n < 1)
    throw new DynotallyError(
      'CONFIG_INVALID',
      `version must be a whole number ≥ 1, not '${shownText(version)}'`,
    );
  return n;
}

/**
 * What a forced promotion leaves (undefined when the version's backfill had ended, or it needed none): a serving
 * version that lacks the items its backfill did not reach, and whose claims are used until its backfill records an
 * end: its backfill, or a repair, completes it in place (within 28 days of its registration; a repair rebuilds it
 * after). The CLI's
 * backfill builds the configured definition's own version only (`configured`, its fingerprint): a rebuild a repair
 * registered (`<fingerprint>~<n>`), or a version of another definition, is named the repair alone (review s40z).
 */
function unfinishedNote(
  control: ControlItem,
  rollup: string,
  version: number,
  configured: string | undefined,
): string | undefined {
  const entry = control.versions.find((v) => v.version === version);
  if (entry === undefined || !entry.needsBackfill || entry.backfill?.endedAt !== undefined) return undefined;
  // a repair finishes the serving version in place within its 28 days, as its backfill does (review s41b)
  const repair = `dynotally verify ${rollup} --repair (which finishes it in place within 28 days of the version's registration, and rebuilds it from the source after)`;
  const ways =
    entry.fingerprint === configured
      ? `finish it with dynotally backfill ${rollup} --resume (within 28 days of the version's registration), or with ${repair}`
      : `finish it with ${repair} (dynotally backfill builds the configured definition's own version, not this one; the library's runBackfill({ version: ${version} }) finishes it in place)`;
  return `version ${version} serves before its backfill ended: it lacks the existing items the backfill did not reach until its backfill completes it, and its claims are used (and may expire, 30 days after they were written) until that backfill records its end: ${ways}`;
}
