import type { Command } from 'commander';
import {
  createClaimTable,
  type DriftCell,
  DynamoDbDeadLetterSink,
  DynotallyError,
  type GroupValue,
  isDynotallyError,
  type RepairReport,
  repairRollup,
  type VerifyReport,
  verify,
} from 'dynotally';
import { z } from 'zod';
import { makeClients } from '../config/clients.ts';
import type { CliContext } from '../context.ts';
import { agree, plural } from '../output/plural.ts';
import { createProgress } from '../output/progress.ts';
import { formatTable } from '../output/table.ts';
import { backfillProgressLine, uncountableLine } from './backfill.ts';
import { checkAcceptNeedsRepair, expiredHistoryFlagNote } from './expired-history-flag.ts';
import { collect, ownPair, parseGroup, splitPairs } from './query-args.ts';
import { topGroupText } from './query-top.ts';
import { checkAcceptUncountableNeedsRepair, uncountableRepairNote } from './repair-held.ts';
import { refusedRepairNote, repairPromotionRefusal } from './repair-refused.ts';
import {
  addBackfillTableOptions,
  concurrencyFlag,
  DEFAULT_CLAIM_TABLE,
  rollupNamed,
  settleMs,
  wholeFlag,
} from './rollup-work.ts';
import { parseSampleFlag } from './sample-flag.ts';
import { repairRefusal, verifyThroughAlsoWrite } from './verify-also-write.ts';
import { verifyProgressLine } from './verify-progress.ts';

/** The passes `verify` runs unless `--passes` says otherwise (its help says so; the library's default too). */
const DEFAULT_PASSES = 2;

const verifySchema = z.object({
  sample: z.string().optional(),
  group: z.array(z.string()).default([]),
  repair: z.boolean().default(false),
  segments: z.string().optional(),
  concurrency: z.string().optional(),
  passes: z.string().optional(),
  claimTable: z.string().optional(),
  settle: z.string().optional(),
  acceptExpiredHistoryLoss: z.boolean().default(false),
  acceptUncountable: z.boolean().default(false),
});

/**
 * The groups of repeated `--group` flags: pairs accumulate into one group, and a key that repeats starts the
 * next group (`--group storeId=a --group storeId=b` names two groups; `--group a=1,b=2` one group of two
 * attributes).
 *
 * @example
 * ```ts
 * groupsOf(['storeId=s-1', 'storeId=s-2']); // [{ storeId: 's-1' }, { storeId: 's-2' }]
 * ```
 */
export function groupsOf(flags: readonly string[]): Record<string, GroupValue>[] {
  const groups: Record<string, GroupValue>[] = [];
  let current: Record<string, GroupValue> | undefined;
  // pair by pair (parseGroup refuses a key twice): `--group storeId=a,storeId=b` is two groups too
  for (const pair of flags.flatMap(splitPairs)) {
    for (const [k, v] of Object.entries(parseGroup([pair]))) {
      // own keys only: `constructor` is in every object (review s40x)
      if (current === undefined || Object.hasOwn(current, k)) {
        current = {};
        groups.push(current);
      }
      ownPair(current, k, v);
    }
  }
  return groups;
}

/**
 * `dynotally verify <rollup> [--sample 1%] [--group k=v]... [--segments N] [--concurrency N] [--repair]`:
 * recomputes the serving version's aggregates from the source (`--concurrency` segments scanned at once, in its
 * scans and in `--repair`'s backfill) and prints the drifted cells (table or `--json`); exits 1 (`DRIFT_FOUND`)
 * when any cell drifted. `--repair` then rebuilds the rollup through a new version and promotes it; when no version of
 * the definition serves (deployed over existing data, or changed, and never promoted: verify's `VERSION_UNKNOWN`),
 * there is nothing to compare, and `--repair` goes straight to the repair, which builds and promotes one. With the
 * serving definition in the configuration's `alsoWrite` (a rollout, or its rollback) it checks the serving version
 * through that one and refuses `--repair` ({@link verifyThroughAlsoWrite}).
 *
 * @example
 * ```ts
 * registerVerify(program, ctx); // dynotally verify store --sample 1% --json
 * ```
 */
export function registerVerify(program: Command, ctx: CliContext): void {
  addBackfillTableOptions(
    program
      .command('verify')
      .description("recompute a rollup from the source table and report the serving version's drifted cells")
      .argument(
        '<rollup>',
        'rollup name (its definition in the config, or in alsoWrite, must be the serving one)',
      )
      .option(
        '--sample <share>',
        'check this percentage of groups, chosen by a stable hash, e.g. 1% (the % sign is required; default: 100%)',
      )
      .option(
        '--group <key=value>',
        'check this group only (repeatable; a repeated key starts another group)',
        collect,
      )
      .option(
        '--repair',
        'when drift is found, rebuild the rollup through a new version and promote it; when no version of the definition serves, build one and promote it',
      )
      .option(
        '--accept-expired-history-loss',
        "with --repair, for a rollup with ttlDeletes: 'ignore': rebuild it although the rebuild lacks the history of items DynamoDB's TTL deleted (a scan cannot see them)",
      )
      .option(
        '--accept-uncountable',
        "with --repair, promote the rebuild although the store refused some of its items (a sum past 38 digits in the scan's order): without it such a rebuild is left ready and the serving version kept",
      )
      .option('--segments <n>', 'parallel scan segments (default: 4)')
      .option(
        '--concurrency <n>',
        "segments this process scans at once, in verify's scans and --repair's backfill (default: 8; 1 to 1,000)",
      )
      .option('--passes <n>', 'a cell is drift only if it differs in every pass (default: 2)'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  dynotally verify store --sample 1%\n  dynotally verify store --group storeId=s-1 --json\n  dynotally verify store --repair\n\nExit codes: 0 no drift, 1 drift found (DRIFT_FOUND) or a runtime error, 2 usage error.',
    )
    .action(async (name: string, _opts, cmd: Command) => {
      const flags = ctx.flags(cmd, verifySchema);
      const sample = flags.sample === undefined ? undefined : parseSampleFlag(flags.sample);
      const groups = flags.group.length === 0 ? undefined : groupsOf(flags.group);
      if (sample !== undefined && groups !== undefined)
        throw new DynotallyError('CONFIG_INVALID', 'give --sample or --group, not both');
      checkAcceptNeedsRepair({ accept: flags.acceptExpiredHistoryLoss, repair: flags.repair });
      checkAcceptUncountableNeedsRepair({ accept: flags.acceptUncountable, repair: flags.repair });
      const segments = wholeFlag('--segments', flags.segments, 1, 1_000_000);
      const concurrency = concurrencyFlag(flags.concurrency);
      const passes = wholeFlag('--passes', flags.passes, 1, 10) ?? DEFAULT_PASSES;
      const settle = settleMs(flags.settle);
      const globals = ctx.globals(cmd);
      const settings = await ctx.settings(
        globals,
        flags.repair
          ? {
              tables: ['source', 'aggregate', 'deadLetter'],
              claimTable: flags.claimTable ?? DEFAULT_CLAIM_TABLE,
            }
          : { tables: ['source', 'aggregate'] },
      );
      const rollup = rollupNamed(settings, name);
      const note = expiredHistoryFlagNote('verify', rollup, flags.acceptExpiredHistoryLoss);
      if (note !== undefined) ctx.io.stderr(`${note}\n`); // also with --json: stdout stays the report
      const clients = makeClients(settings);
      const repairIt = async (): Promise<RepairReport> => {
        const claimTable = flags.claimTable ?? DEFAULT_CLAIM_TABLE;
        await createClaimTable(clients.ddb, claimTable); // if no worker made it yet
        const progress = createProgress(ctx.io);
        const repair = await repairRollup({
          deadLetter: new DynamoDbDeadLetterSink(clients.ddb, settings.tables.deadLetter),
          client: clients.ddb,
          source: settings.tables.source,
          table: settings.tables.aggregate,
          claimTable,
          rollup,
          ...(segments === undefined ? {} : { segments }),
          ...(concurrency === undefined ? {} : { segmentConcurrency: concurrency }),
          settleMs: settle,
          acceptExpiredHistoryLoss: flags.acceptExpiredHistoryLoss,
          acceptUncountable: flags.acceptUncountable,
          onProgress: (p) => progress.update(backfillProgressLine(p, ctx.io.isTTY)),
        });
        // the scan's end as its last progress line, as `dynotally backfill` prints it (on a non-TTY the lines are
        // rate-limited, so the last one printed was mid-scan), and what it could not count
        progress.done(
          globals.json || repair.backfill === undefined
            ? undefined
            : backfillProgressLine(repair.backfill.progress, false),
        );
        const skipped =
          repair.backfill === undefined
            ? ''
            : uncountableLine(repair.backfill.progress, settings.tables.deadLetter);
        if (skipped !== '' && !globals.json) ctx.io.stderr(`repair:${skipped.slice(1)}\n`);
        // items the rebuild lacks (over every run of its backfill): why it was not promoted, or that it serves
        // without them; also with --json (stdout stays the report)
        const refused = uncountableRepairNote(name, repair, settings.tables.deadLetter);
        if (refused !== undefined) ctx.io.stderr(`${refused}\n`);
        // its promotion refused (the control item changed meanwhile): why, and what serves; also with --json
        const notPromoted = refusedRepairNote(name, repair);
        if (notPromoted !== undefined) ctx.io.stderr(`${notPromoted}\n`);
        return repair;
      };
      try {
        // with the rollout configuration (or after its rollback) the serving version is checked through alsoWrite
        const through = await verifyThroughAlsoWrite(clients.ddb, settings, rollup);
        if (through !== undefined) {
          if (flags.repair) throw repairRefusal(name, through);
          ctx.io.stderr(`${through.note}\n`); // also with --json: stdout stays the report
        }
        let report: VerifyReport;
        // the scans' progress on stderr (a live line on a terminal, a line every 5 s otherwise), also with --json
        const scans = createProgress(ctx.io);
        try {
          report = await verify({
            client: clients.ddb,
            source: settings.tables.source,
            table: settings.tables.aggregate,
            rollup: through?.rollup ?? rollup,
            sample,
            groups,
            segments,
            segmentConcurrency: concurrency,
            passes,
            settleMs: settle,
            onProgress: (p) => scans.update(verifyProgressLine(p, ctx.io.isTTY)),
            onPass: (pass, drifted) => {
              scans.done(); // ends the live line before the pass's own line
              if (drifted > 0 && !globals.json)
                ctx.io.stderr(
                  `pass ${pass} of ${passes}: ${plural(drifted, 'cell')} ${agree(drifted, 'differs', 'differ')}${pass < passes ? `; checking again after ${settle / 1000} s` : ' in every pass'}\n`,
                );
            },
          });
        } catch (e) {
          scans.done();
          const unserved = flags.repair ? unservedDefinition(e) : undefined;
          if (unserved === undefined) throw e;
          // nothing of this definition serves (deployed over existing data, or changed, and never promoted): there
          // is nothing to compare, and the repair builds the definition's version and promotes it
          if (!globals.json)
            ctx.io.stderr(
              `verify ${name}: no version of this definition of rollup '${name}' serves (${unserved.serving === undefined ? 'none does' : `version ${unserved.serving} of another definition does`}), so there is nothing to compare with the source; --repair builds a version of it from the source and promotes it\n`,
            );
          const repair = await repairIt();
          ctx.emit(
            globals,
            { rollup: name, serving: unserved.serving, versions: unserved.versions, compared: false, repair },
            () =>
              `verify ${name}: nothing compared (no version of this definition served)\nrepair: version ${repair.version} built${repair.promoted ? ' and serving' : ''} (${plural(repair.backfill?.progress.folded ?? 0, 'item')} folded)\n`,
          );
          if (repair.held)
            throw new DynotallyError(
              'PROMOTE_REFUSED',
              `version ${repair.version} of rollup '${name}' was built but not promoted: it lacks ${plural(repair.storeRefused, 'item')} the store refused (see above); promote it anyway with --accept-uncountable`,
              { details: { rollup: name, version: repair.version, storeRefused: repair.storeRefused } },
            );
          const refusal = repairPromotionRefusal(name, repair);
          if (refusal !== undefined) throw refusal;
          if (!repair.promoted)
            throw new DynotallyError(
              'VERSION_UNKNOWN',
              `version ${repair.version} of rollup '${name}' was built but does not serve yet (its backfill is incomplete: other processes run segments, or run it again): see dynotally rollups status ${name}`,
              { details: { rollup: name, version: repair.version } },
            );
          return;
        }
        let repair: RepairReport | undefined;
        if (flags.repair && report.drift.length > 0) {
          // the report is printed after the repair (--json holds both): say now what the wait is for
          if (!globals.json)
            ctx.io.stderr(
              `verify ${name}: ${plural(report.drift.length, 'cell')} of version ${report.version} ${agree(report.drift.length, 'differs', 'differ')} from the source; --repair rebuilds the rollup from the source as a new version and promotes it\n`,
            );
          try {
            repair = await repairIt();
          } catch (e) {
            // the verify's scan stands whatever the repair did (refused: an 'ignore' rollup without
            // --accept-expired-history-loss, another --segments; or failed): print the drift it found, then the error
            ctx.emit(globals, report, () => humanReport(name, report, undefined));
            throw e;
          }
        }
        // --json says which definition checked the serving version when it was alsoWrite's (stderr says it too)
        const checked = through === undefined ? report : { ...report, through: 'alsoWrite' as const };
        ctx.emit(globals, { ...checked, ...(repair ? { repair } : {}) }, () =>
          humanReport(name, report, repair),
        );
        if (report.drift.length > 0)
          throw new DynotallyError(
            'DRIFT_FOUND',
            repair === undefined
              ? `${plural(report.drift.length, 'cell')} of rollup '${name}' version ${report.version} ${agree(report.drift.length, 'differs', 'differ')} from the source: ${through === undefined ? `run dynotally verify ${name} --repair to rebuild it through a new version` : through.remedy}`
              : repair.finishedInPlace
                ? `${plural(report.drift.length, 'cell')} of rollup '${name}' version ${report.version} differed from the source; it was promoted by force before its backfill ended, and its backfill was finished in place: run dynotally verify ${name} again (drift that remains is repaired by a rebuild)`
                : `${plural(report.drift.length, 'cell')} of rollup '${name}' version ${report.version} differed from the source; rebuilt as version ${repair.version}${repair.promoted ? ', which now serves' : repair.held ? ` (not promoted: it lacks ${plural(repair.storeRefused, 'item')} the store refused, see above; promote it anyway with --accept-uncountable)` : repair.promoteRefused !== undefined ? ` (not promoted: ${repair.promoteRefused.reason})` : ' (not promoted: see dynotally rollups status)'}`,
            { details: { rollup: name, version: report.version, drift: report.drift.length } },
          );
      } finally {
        clients.destroy();
      }
    });
}

/**
 * What verify's `VERSION_UNKNOWN` says when the definition has versions but none serves (a repair builds one), or
 * undefined for any other error.
 */
function unservedDefinition(e: unknown): { serving: number | undefined; versions: number[] } | undefined {
  if (!isDynotallyError(e, 'VERSION_UNKNOWN')) return undefined;
  const { serving, versions } = e.details;
  if (!Array.isArray(versions) || versions.length === 0) return undefined;
  return {
    serving: typeof serving === 'number' ? serving : undefined,
    versions: versions.filter((v): v is number => typeof v === 'number'),
  };
}

function humanReport(name: string, report: VerifyReport, repair: RepairReport | undefined): string {
  const uncountable =
    report.uncountableTotal === 0
      ? ''
      : `${plural(report.uncountableTotal, 'thing')} in the source cannot be counted (dead-lettered by the stream and a backfill; not compared): ${report.uncountable
          .slice(0, 5)
          .map(
            (u) =>
              `${u.code} ${u.item !== undefined ? JSON.stringify(u.item) : `${u.row?.pk} ${u.row?.sk} ${u.attr}`}`,
          )
          .join('; ')}${report.uncountableTotal > 5 ? '; …' : ''}\n`;
  const untimed =
    report.untimed === 0
      ? ''
      : `${plural(report.untimed, 'item')} ${agree(report.untimed, 'lacks', 'lack')} the rollup's time attribute: the stream counted them at their records' times, which no scan knows, so their groups' counts and sums are not compared (unverified)\n`;
  const head = `verify ${name} version ${report.version}: ${plural(report.groups, 'group')} (${Math.round(report.sample * 10_000) / 100}% sample), ${plural(report.rows, 'row')}, ${plural(report.cells, 'cell')}, ${plural(report.scannedItems, 'item')} scanned in ${plural(report.passes, 'pass', 'passes')}; ${report.drift.length} drifted, ${report.settled} settled (in flight)${report.unverified > 0 ? `, ${report.unverified} unverified (${report.untimed > 0 ? 'cells of groups with untimed items, or ' : ''}sums of a rollup with ttlDeletes 'ignore': expired items are in no scan)` : ''}\n`;
  if (report.drift.length === 0) return head + uncountable + untimed;
  const table = formatTable<DriftCell>(report.drift, [
    {
      header: 'GROUP',
      // as query top prints an entry: a plain groupBy function's group by its values alone (`=s-1`; review s41b)
      value: (d) => topGroupText(d),
    },
    { header: 'BUCKET', value: (d) => d.bucket },
    { header: 'MEASURE', value: (d) => d.measure },
    { header: 'EXPECTED', value: (d) => d.expected ?? '-', align: 'right' },
    { header: 'ACTUAL', value: (d) => d.actual ?? '-', align: 'right' },
  ]);
  const tail = repair === undefined ? '' : repairLine(name, repair);
  return head + uncountable + untimed + table + tail;
}

/** What `--repair` did after drift was found: the rebuilt version, and whether it replaced the drifted one. */
function repairLine(name: string, repair: RepairReport): string {
  // the serving version, promoted by force before its backfill ended: finished in place, not rebuilt (review s41b)
  if (repair.finishedInPlace)
    return `repair: version ${repair.version} was promoted by force before its backfill ended: its backfill was finished in place (${plural(repair.backfill?.progress.folded ?? 0, 'item')} folded), as dynotally backfill ${name} --resume does, and it still serves; run dynotally verify ${name} again: drift that remains is repaired by a rebuild\n`;
  const built =
    repair.backfill === undefined
      ? `repair: version ${repair.version} was built from the source already`
      : `repair: rebuilt from the source as version ${repair.version} (${plural(repair.backfill.progress.folded, 'item')} folded)`;
  if (repair.held)
    return `${built}, which is NOT promoted: it lacks ${plural(repair.storeRefused, 'item')} the store refused (see above); version ${repair.previous ?? '?'} keeps serving\n`;
  if (repair.promoteRefused !== undefined)
    return `${built}, which is NOT promoted: its promotion was refused (see above); ${repair.promoteRefused.serving === undefined ? 'no version serves' : `version ${repair.promoteRefused.serving} serves`}\n`;
  if (!repair.promoted)
    return `${built}, which does not serve yet (its backfill is incomplete): see dynotally rollups status ${name}\n`;
  return `${built}, which now serves${repair.previous === undefined ? '' : `; version ${repair.previous} is retired`}\n`;
}
