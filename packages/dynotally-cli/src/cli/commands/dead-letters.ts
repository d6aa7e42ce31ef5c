import type { Command } from 'commander';
import {
  createClaimTable,
  DynotallyError,
  deadLetterPages,
  dropDeadLetters,
  getDeadLetters,
  type ReplayResult,
  type Rollup,
  readControl,
  replayDeadLetterResults,
  type StoredDeadLetter,
  versionsOfDefinition,
} from 'dynotally';
import { shownDetail, shownText } from 'dynotally/local';
import { z } from 'zod';
import { makeClients } from '../config/clients.ts';
import type { CliContext } from '../context.ts';
import { numericFlag } from '../numeric-flag.ts';
import { jsonArrayStream } from '../output/json-array-stream.ts';
import { plural } from '../output/plural.ts';
import { formatTable } from '../output/table.ts';
import { tableStream } from '../output/table-stream.ts';
import { onInterrupt } from '../signals.ts';
import { noVersionsNote } from './also-write-note.ts';
import { addFilterOptions, filtered, letterFilter } from './dead-letter-flags.ts';
import { dropRefusal } from './drop-refusal.ts';
import { idLookup } from './id-scan-progress.ts';
import { lateLetterAge, maxRecordAgeSeconds } from './max-record-age-flag.ts';
import { queryVersionProblem } from './query-versions.ts';
import { ReplayTally, replayProgress } from './replay-tally.ts';
import { DEFAULT_CLAIM_TABLE } from './rollup-work.ts';

const ID = /^[0-9a-f]{16}$/;

function checkIds(ids: readonly string[]): string[] {
  const bad = ids.filter((id) => !ID.test(id));
  if (bad.length > 0)
    throw new DynotallyError(
      'CONFIG_INVALID',
      `${shownText(bad.map((b) => `'${b}'`).join(', '))} ${bad.length === 1 ? 'is not a dead-letter id' : 'are not dead-letter ids'}: ids are 16 hex digits, as \`dynotally dead-letters list\` shows them`,
      { details: { ids: shownDetail(bad) } },
    );
  return [...new Set(ids)];
}

const when = (ms: number | undefined): string =>
  ms === undefined || !Number.isFinite(ms) || ms <= 0
    ? ''
    : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

const oneLine = (s: string, max = 70): string => {
  const line = s.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/** A letter for `--json` (the record as stored, pending rows as keys). */
const toJson = (l: StoredDeadLetter) => ({
  id: l.id,
  source: l.source,
  shardId: l.shardId ?? null,
  sequenceNumber: l.sequenceNumber,
  eventId: l.eventId ?? null,
  code: l.code,
  reason: l.reason,
  at: l.at,
  replayedAt: l.replayedAt ?? null,
  pendingRows: l.pendingRows ?? null,
  deltas: l.deltas ?? null,
  truncated: l.truncated,
  unreadable: l.unreadable ?? null,
  record: l.record ?? null,
});

const wholeNumber = (what: string, max: number) =>
  numericFlag(`expected a whole number of ${what} from 1 to ${max.toLocaleString('en-US')}`).pipe(
    z
      .number()
      .int(`a whole number of ${what}`)
      .min(1, `at least 1`)
      .max(max, `at most ${max.toLocaleString('en-US')}`),
  );
const filterFlags = {
  code: z.array(z.string()).optional(),
  rollup: z.string().optional(),
  since: z.string().optional(),
  until: z.string().optional(),
  pageSize: wholeNumber('letters a page', 1_000).optional(),
};
const listFlags = z.object({
  all: z.boolean().default(false),
  limit: wholeNumber('letters', Number.MAX_SAFE_INTEGER).optional(),
  ...filterFlags,
});
const replayFlags = z.object({
  all: z.boolean().default(false),
  claimTable: z.string().optional(),
  late: z.boolean().default(false),
  maxRecordAge: z.string().optional(),
  progressEvery: wholeNumber('letters', 1_000_000).optional(),
  scan: z.boolean().default(true),
  ...filterFlags,
});

const PAGE_SIZE_HELP = 'letters one scan request of the dead-letter table reads (default 100, at most 1000)';
const dropFlags = z.object({ force: z.boolean().default(false), scan: z.boolean().default(true) });
const showFlags = z.object({ scan: z.boolean().default(true) });
const NO_SCAN_HELP =
  "an id without an id entry (a letter stored before 0.2.0, or none) is not found, instead of looked for by a scan of the table's keys";

/**
 * `dynotally dead-letters list | show <id> | replay [<id>…|--all] [--late] [--max-record-age d] | drop <id>…`: the
 * dead-letter table from the command line. `replay` folds each record again with the configured rollups and counts it exactly once (see
 * docs/dead-letters.md); a record that still fails stays a dead letter with its new reason, and the command
 * exits 1.
 *
 * @example
 * ```ts
 * registerDeadLetters(program, ctx); // dynotally dead-letters replay --all --endpoint http://127.0.0.1:8000
 * ```
 */
export function registerDeadLetters(program: Command, ctx: CliContext): void {
  const dl = program
    .command('dead-letters')
    .description('list, show, replay (exactly once) and drop the records that could not be counted');

  addFilterOptions(
    dl
      .command('list')
      .description(
        'dead letters still to replay (with --all, replayed ones too), a page at a time: each stream shard in sequence order',
      )
      .option('--all', 'include letters already replayed'),
  )
    .option('--limit <n>', 'stop after this many letters')
    .option('--page-size <n>', PAGE_SIZE_HELP)
    .addHelpText(
      'after',
      '\nExamples:\n  dynotally dead-letters list\n  dynotally dead-letters list --code RETRIES_EXHAUSTED --since 24h --limit 50\n  dynotally dead-letters list --all --rollup jobs --json',
    )
    .action(async (_opts, cmd: Command) => {
      const flags = ctx.flags(cmd, listFlags);
      const globals = ctx.globals(cmd);
      const filter = letterFilter(flags, Date.now());
      const settings = await ctx.settings(globals);
      const clients = makeClients(settings);
      // a page at a time: the table, or the JSON array, is printed as the pages come (never every letter in memory)
      const json = globals.json ? jsonArrayStream('deadLetters', (t) => ctx.io.stdout(t)) : undefined;
      const table = tableStream<StoredDeadLetter>([
        { header: 'ID', value: (l) => l.id },
        { header: 'AT', value: (l) => when(l.at) },
        { header: 'CODE', value: (l) => l.code },
        { header: 'SHARD', value: (l) => l.shardId ?? '' },
        // numbers right-aligned, so sequence numbers of different lengths compare by eye
        { header: 'SEQUENCE', value: (l) => l.sequenceNumber, align: 'right' },
        { header: 'REPLAYED', value: (l) => when(l.replayedAt) || 'no' },
        { header: 'REASON', value: (l) => oneLine(l.reason) },
      ]);
      let left = flags.limit ?? Number.POSITIVE_INFINITY;
      try {
        for await (const page of deadLetterPages({
          client: clients.ddb,
          table: settings.tables.deadLetter,
          ...filter,
          ...(flags.all ? {} : { replayed: false }),
          ...(flags.pageSize === undefined ? {} : { pageSize: flags.pageSize }),
          // no letter past the limit read whole, no more items scanned than it needs
          ...(flags.limit === undefined ? {} : { limit: flags.limit }),
        })) {
          const shown = page.length > left ? page.slice(0, left) : page;
          left -= shown.length;
          if (json !== undefined) for (const l of shown) json.push(toJson(l));
          else ctx.io.stdout(table.rows(shown));
          if (left <= 0) break;
        }
        if (json !== undefined) json.end();
        else if (table.count === 0)
          ctx.io.stdout(
            `no dead letters${flags.all ? '' : ' to replay'}${filtered(filter) ? ' of that selection' : ''} in ${settings.tables.deadLetter}\n`,
          );
        if (left <= 0) ctx.io.stderr(`stopped at --limit ${flags.limit}: more letters may follow\n`);
      } finally {
        // an error between two pages: the letters printed stay one JSON document (the error on stderr)
        json?.close();
        clients.destroy();
      }
    });

  dl.command('show')
    .description('one dead letter in full: code, reason, pending rows and the record')
    .argument('<id>', 'the id `dead-letters list` shows')
    .option('--no-scan', NO_SCAN_HELP)
    .addHelpText('after', '\nExample:\n  dynotally dead-letters show 9f3c0a1b2c3d4e5f')
    .action(async (id: string, _opts, cmd: Command) => {
      const flags = ctx.flags(cmd, showFlags);
      const globals = ctx.globals(cmd);
      const [checked] = checkIds([id]);
      const settings = await ctx.settings(globals);
      const clients = makeClients(settings);
      try {
        const [l] = await getDeadLetters(
          { client: clients.ddb, table: settings.tables.deadLetter },
          [checked as string],
          idLookup(ctx.io, flags.scan),
        );
        const letter = l as StoredDeadLetter;
        ctx.emit(globals, toJson(letter), () =>
          [
            `id          ${letter.id}`,
            `code        ${letter.code}`,
            `reason      ${letter.reason}`,
            `at          ${when(letter.at)}`,
            `stream      ${letter.source}`,
            `shard       ${letter.shardId ?? '(none)'}`,
            `sequence    ${letter.sequenceNumber || '(none)'}`,
            `replayed    ${when(letter.replayedAt) || 'no'}`,
            `pending     ${letter.unreadable !== undefined ? '(unreadable)' : letter.pendingRows === undefined ? 'every row the record touches' : `${plural(letter.pendingRows.length, 'row')}${letter.pendingRows.map((r) => `\n  ${r.pk} ${r.sk}`).join('')}`}`,
            ...(letter.deltas === undefined
              ? []
              : [
                  `deltas      ${letter.deltas.map((d) => `\n  ${d.pk} ${d.sk} ${d.adds.map(([a, v]) => `${a}+=${v}`).join(' ')}`).join('')}`,
                ]),
            ...(letter.truncated ? ['truncated   yes (only the record keys were kept)'] : []),
            ...(letter.unreadable === undefined
              ? []
              : [`unreadable  ${letter.unreadable} (not replayable: drop it)`]),
            `record      ${JSON.stringify(letter.record ?? null, null, 2)}`,
            '',
          ].join('\n'),
        );
      } finally {
        clients.destroy();
      }
    });

  addFilterOptions(
    dl
      .command('replay')
      .description('count dead letters now, exactly once (a second replay changes nothing)')
      .argument('[ids...]', 'ids from `dead-letters list`')
      .option('--all', 'every dead letter not replayed yet (that the filter flags select)'),
  )
    .option('--page-size <n>', `with --all: ${PAGE_SIZE_HELP}`)
    .option('--no-scan', `with ids: ${NO_SCAN_HELP}`)
    .option(
      '--progress-every <n>',
      'a progress line (to stderr) every this many letters (default 1000), and at least every 5 s',
    )
    .option(
      '--claim-table <name>',
      `the claim table the worker and dynotally backfill build versions with (default: ${DEFAULT_CLAIM_TABLE}); a record replayed into a version being built goes through its item's claim, as the worker's records do`,
    )
    .option(
      '--late',
      "also replay letters of records older than the redelivery horizon when they were dead-lettered (24 h 30 min; with --max-record-age, that plus 30 min), refused otherwise: rows whose shard state was pruned may hold them already; check with 'dynotally verify' first",
    )
    .option(
      '--max-record-age <d>',
      "the Lambda mapping's MaximumRecordAge (e.g. 1h: the construct's maxRecordAge, the handler's redelivery.maxRecordAgeSeconds), as backfill --max-record-age: shard states are kept that plus an hour, so a letter of a record older than that plus 30 min when dead-lettered needs --late (default: the stream's 24 h retention, as for the letters of dynotally worker)",
    )
    .addHelpText(
      'after',
      "\nEach record is counted in every version of the configured definitions that is not retired (the serving one, and one being built, through the claims), as the worker counts it; when a configured definition does not serve, the replay is refused (VERSION_BUILDING, VERSION_UNKNOWN) with what to run. Letters go in the order of their records' stream sequence numbers (an item's records oldest first, as its claim takes them), a row printed per letter as it is done; Ctrl-C stops after the letter being replayed (exit 130) and says how many were done: run the command again to go on.\n\nExamples:\n  dynotally dead-letters replay 9f3c0a1b2c3d4e5f\n  dynotally dead-letters replay --all --code RETRIES_EXHAUSTED --since 24h\n  dynotally dead-letters replay --all --json",
    )
    .action(async (ids: string[], _opts, cmd: Command) => {
      const flags = ctx.flags(cmd, replayFlags);
      const globals = ctx.globals(cmd);
      if (flags.all === ids.length > 0)
        throw new DynotallyError(
          'CONFIG_INVALID',
          flags.all
            ? 'give either ids or --all, not both'
            : 'name the dead letters to replay (ids from `dynotally dead-letters list`) or pass --all',
        );
      const checked = checkIds(ids);
      const filter = letterFilter(flags, Date.now());
      if (!flags.all && (filtered(filter) || flags.pageSize !== undefined))
        throw new DynotallyError(
          'CONFIG_INVALID',
          '--code, --rollup, --since, --until and --page-size select among --all: with ids, name the letters alone',
        );
      if (flags.all && !flags.scan)
        throw new DynotallyError(
          'CONFIG_INVALID',
          '--no-scan is for ids (an id without an id entry is not looked for): --all reads every letter by a scan already',
        );
      const maxRecordAge = maxRecordAgeSeconds(flags.maxRecordAge);
      const settings = await ctx.settings(globals, {
        tables: ['deadLetter', 'aggregate'],
        claimTable: flags.claimTable ?? DEFAULT_CLAIM_TABLE,
      });
      const clients = makeClients(settings);
      try {
        const claimTable = flags.claimTable ?? DEFAULT_CLAIM_TABLE;
        let claims = false;
        // a configured rollup none of whose definitions serves would count the records in no version that is
        // read: said in the command line's terms, as dynotally query says it (the library refuses it too). During a
        // rollout the serving one may be the alsoWrite definition.
        const replayed: Rollup[] = [];
        for (const rollup of settings.rollups) {
          const control = await readControl(clients.ddb, settings.tables.aggregate, rollup.compiled.name);
          // an alsoWrite definition of a rollup with no versions has nothing to keep written (the worker leaves it
          // out too, with the same note): the configured definition registers as version 1
          const also = settings.alsoWrite.filter((r) => r.compiled.name === rollup.compiled.name);
          if (control === undefined && also.length > 0)
            ctx.io.stderr(`${noVersionsNote(rollup.compiled.name)}\n`);
          const written = [rollup, ...(control === undefined ? [] : also)];
          replayed.push(...written);
          const problem = queryVersionProblem(rollup, control);
          if (problem !== undefined && written.every((r) => queryVersionProblem(r, control) !== undefined))
            throw new DynotallyError(
              problem.code,
              `dead-letters replay would count the records in no version that is read: ${problem.message}; then replay them`,
              { details: problem.details, cause: problem },
            );
          claims ||= written.some((r) =>
            versionsOfDefinition(control, r.compiled.fingerprint).some(
              (v) => v.needsBackfill && v.state !== 'retired',
            ),
          );
        }
        // a version a backfill builds (or built: records of before its end) is replayed through the claims, as the
        // worker creates the table for them
        if (claims) await createClaimTable(clients.ddb, claimTable);
        // Ctrl-C stops the replay between two letters, also while it reads the keys or skips letters --rollup leaves out
        const abort = new AbortController();
        const results = replayDeadLetterResults({
          signal: abort.signal,
          client: clients.ddb,
          deadLetterTable: settings.tables.deadLetter,
          table: settings.tables.aggregate,
          rollups: replayed,
          claimTable,
          ...(flags.late ? { replayLate: true } : {}),
          ...(maxRecordAge === undefined ? {} : { redelivery: { maxRecordAgeSeconds: maxRecordAge } }),
          ...(flags.all ? { all: true, ...filter } : { ids: checked, ...idLookup(ctx.io, flags.scan) }),
          ...(flags.pageSize === undefined ? {} : { pageSize: flags.pageSize }),
        });
        // a row (or a JSON element) per letter as it is done, counts for the progress and the summary: no result kept
        const tally = new ReplayTally();
        const progress = replayProgress(tally, (t) => ctx.io.stderr(t), {
          ...(flags.progressEvery === undefined ? {} : { everyLetters: flags.progressEvery }),
        });
        const json = globals.json ? jsonArrayStream('results', (t) => ctx.io.stdout(t)) : undefined;
        const table = tableStream<ReplayResult>([
          { header: 'ID', value: (r) => r.id },
          { header: 'OUTCOME', value: (r) => r.outcome },
          { header: 'ROWS', value: (r) => r.rows, align: 'right' },
          { header: 'CODE', value: (r) => r.code ?? '' },
          { header: 'REASON', value: (r) => oneLine(r.reason ?? '') },
        ]);
        // Ctrl-C (SIGTERM) stops after the letter being replayed: the generator is left between two letters
        const interrupt = onInterrupt();
        let stopped: NodeJS.Signals | undefined;
        void interrupt.signalled.then((sig) => {
          stopped = sig;
          abort.abort();
        });
        try {
          for await (const r of results) {
            tally.add(r);
            if (json !== undefined) json.push(r);
            else ctx.io.stdout(table.rows([r]));
            progress.tick();
            if (stopped !== undefined) break;
          }
        } finally {
          interrupt.dispose();
          // an error between two letters (a throttled read past its retries): the results printed stay one JSON
          // document, the error on stderr
          json?.close();
        }
        if (json !== undefined) json.end();
        else if (tally.done === 0 && stopped === undefined) ctx.io.stdout('nothing to replay\n');
        if (stopped !== undefined) {
          ctx.io.stderr(
            `replay: ${stopped} received: stopped after ${plural(tally.done, 'letter')} (${tally.text()}); the letters not reached are untouched: run the same command again to go on (replayed letters are skipped)\n`,
          );
          ctx.exitCode = stopped === 'SIGINT' ? 130 : 143;
          return;
        }
        if (tally.done > 0) ctx.io.stderr(`replay: ${plural(tally.done, 'letter')}: ${tally.text()}\n`);
        if (tally.failed > 0) {
          const late = tally.lateIds;
          const more = (shown: number, all: number) => (all > shown ? ', …' : '');
          throw new DynotallyError(
            'DEAD_LETTER_NOT_REPLAYABLE',
            `${tally.failed} of ${tally.done} dead letters could not be replayed and stay in ${settings.tables.deadLetter} with their new reason: fix the cause (rollups, limits), then replay them again${tally.late === 0 ? '' : `; ${tally.late} of them (${late.slice(0, 3).join(', ')}${more(3, tally.late)}) are of records older than ${lateLetterAge(maxRecordAge)} when dead-lettered, which rows whose exactly-once state was pruned may hold already: check with dynotally verify, then replay them with --late (dynotally dead-letters show <id> says why)`}`,
            { details: { ids: tally.failedIds, late, failed: tally.failed } },
          );
        }
      } finally {
        clients.destroy();
      }
    });

  dl.command('drop')
    .description('delete dead letters (a half-replayed one only with --force)')
    .argument('<ids...>', 'ids from `dead-letters list`')
    .option('--force', 'also drop a letter whose replay committed some chunks but not all')
    .option('--no-scan', NO_SCAN_HELP)
    .addHelpText('after', '\nExample:\n  dynotally dead-letters drop 9f3c0a1b2c3d4e5f 0a1b2c3d4e5f6a7b')
    .action(async (ids: string[], _opts, cmd: Command) => {
      const flags = ctx.flags(cmd, dropFlags);
      const globals = ctx.globals(cmd);
      const checked = checkIds(ids);
      const settings = await ctx.settings(globals);
      const clients = makeClients(settings);
      try {
        const results = await dropDeadLetters(
          { client: clients.ddb, table: settings.tables.deadLetter },
          checked,
          { force: flags.force, ...idLookup(ctx.io, flags.scan) },
        );
        ctx.emit(globals, { results }, () =>
          formatTable(results, [
            { header: 'ID', value: (r) => r.id },
            { header: 'OUTCOME', value: (r) => r.outcome },
          ]),
        );
        const missing = results.filter((r) => r.outcome !== 'dropped');
        if (missing.length > 0) throw dropRefusal(missing, settings.tables.deadLetter);
      } finally {
        clients.destroy();
      }
    });
}
