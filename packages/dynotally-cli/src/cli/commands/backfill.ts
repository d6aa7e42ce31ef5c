import type { Command } from 'commander';
import {
  type BackfillProgress,
  createClaimTable,
  DynamoDbDeadLetterSink,
  DynotallyError,
  readControl,
  runBackfill,
} from 'dynotally';
import { z } from 'zod';
import { makeClients } from '../config/clients.ts';
import type { CliContext } from '../context.ts';
import { plural } from '../output/plural.ts';
import { createProgress } from '../output/progress.ts';
import { backfillShare } from './backfill-share.ts';
import { expiredHistoryFlagNote } from './expired-history-flag.ts';
import { maxRecordAgeSeconds } from './max-record-age-flag.ts';
import { heldBackfillNote } from './repair-held.ts';
import {
  addBackfillTableOptions,
  concurrencyFlag,
  DEFAULT_CLAIM_TABLE,
  rollupNamed,
  settleMs,
  wholeFlag,
} from './rollup-work.ts';
import { etaText, scanBar } from './scan-bar.ts';
import { segmentList } from './segment-list-flag.ts';

const backfillSchema = z.object({
  segments: z.string().optional(),
  onlySegments: z.string().optional(),
  concurrency: z.string().optional(),
  rate: z.string().optional(),
  dryRun: z.boolean().default(false),
  resume: z.boolean().default(false),
  promote: z.boolean().default(false),
  register: z.boolean().default(false),
  claimTable: z.string().optional(),
  settle: z.string().optional(),
  maxRecordAge: z.string().optional(),
  acceptExpiredHistoryLoss: z.boolean().default(false),
});

/**
 * One progress line of a backfill: a bar with the share and ETA on a terminal, plain counts otherwise. The share is
 * of this process's segments (all of them, or `--only-segments`), items earlier runs scanned in them included, over
 * the table's estimated item count's share for them; the ETA is for the rest at this run's rate.
 *
 * @example
 * ```ts
 * backfillProgressLine(p, true); // '[########------------] 40% 4,000/10,000 items · 1,250/s · ETA 5s'
 * // while the table's item count is not estimated yet (0):
 * // '[????????????????????] 4,000/? items · the table's size is not estimated yet · 1,250/s · ETA ?'
 * ```
 */
export function backfillProgressLine(p: BackfillProgress, tty: boolean): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const scanned = p.scannedBefore + p.scanned;
  const share = backfillShare(p);
  const eta = etaText(p.itemsPerSecond, share, p.etaMs);
  const counts = `${n(scanned)}/${p.estimatedOwnItems > 0 ? n(p.estimatedOwnItems) : '?'} items`;
  const before = p.scannedBefore > 0 ? ` (${n(p.scannedBefore)} by earlier runs)` : '';
  const segments = `segments ${p.segmentsDoneBefore + p.segmentsDone}/${p.ownSegments}${p.ownSegments === p.segments ? '' : ` of ${p.segments}`}`;
  if (tty) return scanBar(share, `${counts}${before}`, [`${n(p.itemsPerSecond)}/s`, eta]);
  return `backfill: ${counts} scanned${before}, ${n(p.folded)} folded, ${n(p.claimedLive)} counted live, ${segments}, ${n(p.itemsPerSecond)} items/s, ${eta}`;
}

/**
 * `dynotally backfill <rollup> [--segments N] [--only-segments LIST] [--concurrency N] [--rate RU/s] [--dry-run]
 * [--resume] [--promote]`: builds the
 * configured definition's building version from the source table (`runBackfill`), with a progress bar on a
 * terminal and plain progress lines otherwise; `--dry-run` prints the estimate of reads, writes and dollars.
 *
 * @example
 * ```ts
 * registerBackfill(program, ctx); // dynotally backfill store --segments 8 --rate 2000
 * ```
 */
export function registerBackfill(program: Command, ctx: CliContext): void {
  addBackfillTableOptions(
    program
      .command('backfill')
      .description("build a rollup version's past from the source table (the stream side writes it already)")
      .argument('<rollup>', 'rollup name (its definition in the config is the version to build)')
      .option(
        '--segments <n>',
        'parallel scan segments (default: 4; a resume takes the number its backfill started with)',
      )
      .option(
        '--only-segments <list>',
        'run only these segments, e.g. 0-24 or 0,5,7-9 (spread one backfill over several machines: give each the same --segments and its own part; no --resume needed)',
      )
      .option(
        '--concurrency <n>',
        'segments this process scans at once, each holding a chunk in memory (default: 8; 1 to 1,000)',
      )
      .option('--rate <ru>', 'read units per second for the scan, over all segments (default: unlimited)')
      .option('--dry-run', 'print the estimate of reads, writes and dollars; scan nothing')
      .option('--resume', 'continue a backfill that was started before (stopped or crashed)')
      .option('--promote', 'switch reads to the version when the backfill completes')
      .option(
        '--max-record-age <d>',
        "the stream mapping's MaximumRecordAge (e.g. 24h): a chunk a crash left half applied is applied again on --resume only within that plus an hour (default: the shortest, so 1h)",
      )
      .option(
        '--accept-expired-history-loss',
        "for a rollup with ttlDeletes: 'ignore' while another version serves: build it although it lacks the history of items DynamoDB's TTL deleted (a scan cannot see them)",
      )
      .option(
        '--register',
        "register the definition as a new version first (for stream sides deployed with register: 'first'; run it once the new definition is deployed everywhere)",
      ),
  )
    .addHelpText(
      'after',
      "\nExamples:\n  dynotally backfill store --dry-run\n  dynotally backfill store --segments 8 --rate 2000 --promote\n  dynotally backfill store --segments 1000 --only-segments 0-24 --concurrency 16   # machine 1 of 40\n  dynotally backfill store --register --settle 0s   # stream sides deployed with register: 'first'",
    )
    .action(async (name: string, _opts, cmd: Command) => {
      const flags = ctx.flags(cmd, backfillSchema);
      const segments = wholeFlag('--segments', flags.segments, 1, 1_000_000);
      const onlySegments = segmentList(flags.onlySegments, segments);
      const concurrency = concurrencyFlag(flags.concurrency);
      const rate = wholeFlag('--rate', flags.rate, 1, 100_000_000);
      const settle = settleMs(flags.settle);
      const maxRecordAge = maxRecordAgeSeconds(flags.maxRecordAge);
      const globals = ctx.globals(cmd);
      const settings = await ctx.settings(globals, {
        tables: ['source', 'aggregate', 'deadLetter'],
        claimTable: flags.claimTable ?? DEFAULT_CLAIM_TABLE,
      });
      const rollup = rollupNamed(settings, name);
      const note = expiredHistoryFlagNote('backfill', rollup, flags.acceptExpiredHistoryLoss);
      if (note !== undefined) ctx.io.stderr(`${note}\n`);
      const clients = makeClients(settings);
      const claimTable = flags.claimTable ?? DEFAULT_CLAIM_TABLE;
      try {
        const options = {
          client: clients.ddb,
          source: settings.tables.source,
          table: settings.tables.aggregate,
          claimTable,
          rollup,
          ...(segments === undefined ? {} : { segments }),
          ...(onlySegments === undefined ? {} : { onlySegments }),
          ...(concurrency === undefined ? {} : { segmentConcurrency: concurrency }),
          ...(rate === undefined ? {} : { readUnitsPerSecond: rate }),
          settleMs: settle,
          ...(maxRecordAge === undefined ? {} : { redelivery: { maxRecordAgeSeconds: maxRecordAge } }),
          promote: flags.promote,
          register: flags.register,
          acceptExpiredHistoryLoss: flags.acceptExpiredHistoryLoss,
        };
        if (flags.dryRun) {
          const r = await runBackfill({ ...options, dryRun: true });
          const e = r.estimate;
          // the first refusal the real run would meet (the history of expired items first, then the version's state)
          const refused = r.refused === undefined ? undefined : `[${r.refused.code}] ${r.refused.message}`;
          const json = {
            rollup: name,
            version: r.version,
            dryRun: true,
            estimate: e,
            ...(r.promoteOnly === true ? { promoteOnly: true, held: r.held === true } : {}),
          };
          ctx.emit(globals, refused === undefined ? json : { ...json, refused }, () =>
            e === undefined
              ? ''
              : r.promoteOnly === true
                ? // ready, asked to promote: the real run scans nothing (review s41b)
                  `backfill ${name} version ${r.version} (dry run): its backfill ended (ready); a real run scans nothing and ${r.held === true ? 'leaves it held (it lacks items the store refused): promote it with dynotally rollups promote --force' : 'promotes it'}\n`
                : [
                    `backfill ${name} version ${r.version} (dry run, on-demand prices)`,
                    ...(refused === undefined ? [] : [`  refused    a real run refuses it: ${refused}`]),
                    `  items      ${e.items.toLocaleString('en-US')} (${e.bytes.toLocaleString('en-US')} bytes)`,
                    `  reads      ${e.readUnits.toLocaleString('en-US')} read units`,
                    `  writes     ≤ ${e.writeUnits.toLocaleString('en-US')} write units (claims and rows)`,
                    `  cost       ≤ $${e.dollars.toFixed(4)}`,
                    `  time       ${e.seconds === undefined ? 'unlimited rate: as fast as the table serves' : `≥ ${Math.ceil(e.seconds)} s at ${rate} RU/s`}`,
                    '',
                  ].join('\n'),
          );
          return;
        }
        const control = await readControl(clients.ddb, settings.tables.aggregate, name);
        const entry = control?.versions.find((v) => v.fingerprint === rollup.compiled.fingerprint);
        // the processes of a build spread over machines start one backfill: all but the first find it started
        if (
          entry?.backfill?.startedAt !== undefined &&
          // (or serving, promoted by force before its backfill ended: it is completed in place)
          (entry.state === 'building' ||
            (entry.state === 'serving' && entry.backfill.endedAt === undefined)) &&
          !flags.resume &&
          onlySegments === undefined
        )
          throw new DynotallyError(
            'CONFIG_INVALID',
            `a backfill of rollup '${name}' version ${entry.version} started at ${new Date(entry.backfill.startedAt).toISOString()}: add --resume to continue it`,
            { details: { rollup: name, version: entry.version } },
          );
        // the claim table `dynotally worker` creates when a version is being built, made here if it was not
        await createClaimTable(clients.ddb, claimTable);
        const progress = createProgress(ctx.io);
        const report = await runBackfill({
          ...options,
          deadLetter: new DynamoDbDeadLetterSink(clients.ddb, settings.tables.deadLetter),
          onProgress: (p) => progress.update(backfillProgressLine(p, ctx.io.isTTY)),
        });
        progress.done(globals.json ? undefined : backfillProgressLine(report.progress, false));
        const p = report.progress;
        // a held version is not promoted (also with --promote): said on stderr, also with --json
        const held = heldBackfillNote(name, report, settings.tables.deadLetter);
        if (held !== undefined) ctx.io.stderr(`${held}\n`);
        ctx.emit(globals, { rollup: name, ...report }, () =>
          [
            `backfill ${name} version ${report.version}: ${report.complete ? 'complete' : 'incomplete (other processes run segments, or run it again)'}`,
            `  scanned ${plural(p.scanned, 'item')}${p.scannedBefore > 0 ? ` (earlier runs ${p.scannedBefore.toLocaleString('en-US')})` : ''}, folded ${p.folded.toLocaleString('en-US')}, counted live ${p.claimedLive.toLocaleString('en-US')}, not members ${p.nonMembers.toLocaleString('en-US')}`,
            uncountableLine(p, settings.tables.deadLetter),
            p.extremaRefused === 0
              ? ''
              : `  ${plural(p.extremaRefused, 'min / max / last value')} refused: their rows are at DynamoDB's 400 KB item limit (ITEM_TOO_LARGE); their counts and sums are in`,
            `  ${plural(p.readUnits, 'read unit')}, ${plural(p.writeUnits, 'write unit')}, ${(report.durationMs / 1000).toFixed(1)} s`,
            report.complete
              ? report.held === true
                ? `  version ${report.version} NOT promoted: held, it lacks ${plural(report.storeRefused ?? 0, 'item')} the store refused (see above; dynotally rollups promote ${name} ${report.version} --force promotes it anyway)`
                : report.promoteRefused !== undefined
                  ? `  version ${report.version} NOT promoted: version ${report.promoteRefused.serving} of a newer definition serves (see below)`
                  : flags.promote
                    ? `  version ${report.version} serves reads`
                    : `  next: dynotally rollups promote ${name} ${report.version}`
              : '',
            '',
          ]
            .filter((l, i, a) => l !== '' || i === a.length - 1)
            .join('\n'),
        );
        // --promote asked for the switch: a held build fails the command (a script must not go on as if it served)
        if (flags.promote && report.held === true)
          throw new DynotallyError(
            'PROMOTE_REFUSED',
            `version ${report.version} of rollup '${name}' was built but not promoted: it lacks ${plural(report.storeRefused ?? 0, 'item')} the store refused (see above); dynotally rollups promote ${name} ${report.version} --force promotes it anyway`,
            { details: { rollup: name, version: report.version, storeRefused: report.storeRefused ?? 0 } },
          );
        // a newer definition's version serves: this one is left ready (promoting it would halt the stream sides
        // that deploy only the newer definition)
        if (report.promoteRefused !== undefined)
          throw new DynotallyError('PROMOTE_REFUSED', report.promoteRefused.reason, {
            details: { rollup: name, version: report.version, serving: report.promoteRefused.serving },
          });
      } finally {
        clients.destroy();
      }
    });
}

/**
 * The summary line of the items a backfill could not count (dead-lettered, with their codes), or '' for none.
 *
 * @example
 * ```ts
 * uncountableLine(p, 'dynotally-dead-letters');
 * // '  uncountable 2 (VALUE_INVALID 1, NUMBER_UNREPRESENTABLE 1): dead-lettered to dynotally-dead-letters, see dynotally dead-letters list'
 * ```
 */
export function uncountableLine(p: BackfillProgress, deadLetterTable: string): string {
  if (p.uncountable === 0) return '';
  const codes = Object.entries(p.uncountableCodes)
    .map(([code, n]) => `${code} ${n.toLocaleString('en-US')}`)
    .join(', ');
  return `  uncountable ${p.uncountable.toLocaleString('en-US')} (${codes}): dead-lettered to ${deadLetterTable}, see dynotally dead-letters list`;
}
