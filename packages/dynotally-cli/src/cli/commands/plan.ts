import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Command } from 'commander';
import { Applier, DynotallyError, type PlannedSend, type Rollup, toPlain } from 'dynotally';
import { z } from 'zod';
import { sampleRecords, scenario } from '../../scenarios/generators/index.ts';
import { clientConfigFor } from '../config/clients.ts';
import type { CliContext } from '../context.ts';
import { countFlag, countFlagIn } from '../flags.ts';
import { plural } from '../output/plural.ts';
import { type Column, formatTable } from '../output/table.ts';

const flagsSchema = z.object({
  dryRun: z.literal(true, {
    message: 'plan only prints what would be written; add --dry-run (to apply records, run the worker)',
  }),
  records: z.string().optional(),
  scenario: z.string().optional(),
  count: countFlagIn(1, 100_000).default(20),
  seed: countFlag.optional(),
  shardId: z.string().min(1).default('shardId-00000001700000000000-sample'),
  mode: z.enum(['exactly-once', 'at-least-once']).optional(),
  strategy: z.enum(['row-watermark', 'transaction']).optional(),
  writeApi: z.enum(['partiql', 'update-item']).optional(),
  requests: z.boolean().default(false),
});

/**
 * `dynotally plan --dry-run`: folds a batch of stream records (a file, or sample records from a scenario
 * generator) and prints the coalesced plan and the requests the configured applier would send for it — PartiQL
 * `BatchExecuteStatement`s, `UpdateItem`s or `TransactWriteItems`, by the configuration's `write` and `strategy`
 * (or `--write-api`, `--strategy`) — without sending anything (`Applier.plan`, its `sends`). A batch with a row
 * wider than one write is shown in the parts the applier writes it in, one after the other (`parts`, and a PART
 * column).
 *
 * @example
 * ```ts
 * registerPlan(program, ctx); // dynotally plan --dry-run --scenario s2 --count 50
 * ```
 */
export function registerPlan(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description("print a batch's write plan and requests without sending anything")
    .option('--dry-run', 'required: nothing is written')
    .option(
      '--records <file>',
      'a JSON file: a Lambda DynamoDB stream event ({ Records: [...] }) or an array of records',
    )
    .option('--scenario <id>', 'or sample records from a scenario generator (s0…s4)')
    .option('--count <n>', 'sample records to generate with --scenario', '20')
    .option('--seed <n>', 'PRNG seed for --scenario')
    .option('--shard-id <id>', 'the shard id the batch came from (exactly-once watermarks)')
    .option('--mode <mode>', 'exactly-once or at-least-once (default: the config file, else exactly-once)')
    .option(
      '--strategy <strategy>',
      'row-watermark or transaction (default: the config file, else row-watermark)',
    )
    .option('--write-api <api>', 'partiql or update-item (default: the config file, else partiql)')
    .option('--requests', 'also print every request in full')
    .addHelpText(
      'after',
      '\nExamples:\n  dynotally plan --dry-run --scenario s4 --count 100\n  dynotally plan --dry-run --records event.json --requests\n  dynotally plan --dry-run --scenario s2 --strategy transaction --requests',
    )
    .action(async (_opts, cmd: Command) => {
      const flags = ctx.flags(cmd, flagsSchema, { dryRun: '--dry-run' });
      const globals = ctx.globals(cmd);
      const settings = await ctx.settings(globals);
      const records = await loadRecords(flags, ctx.io.cwd);
      // also with --json: stdout stays the plan
      if (settings.alsoWrite.length > 0) ctx.io.stderr(alsoWriteNote(settings.alsoWrite));
      const client = new DynamoDBClient(clientConfigFor(settings)); // required by Applier; plan() sends nothing
      try {
        const mode = flags.mode ?? settings.mode;
        const strategy = flags.strategy ?? settings.strategy ?? 'row-watermark';
        const api = flags.writeApi ?? settings.writeApi ?? 'partiql';
        const applier = new Applier({
          client,
          table: settings.tables.aggregate,
          rollups: settings.rollups,
          mode,
          strategy,
          write: { api },
        });
        const { plan, poison, requests, sends, parts, watermarkOnly } = applier.plan({
          records,
          shardId: flags.shardId,
        });
        const kinds = { INSERT: 0, MODIFY: 0, REMOVE: 0 };
        for (const r of records) if (r.eventName) kinds[r.eventName] += 1;
        const data = {
          records: records.length,
          events: kinds,
          // the write path the requests are for (the transaction strategy only under exactly-once)
          write: { mode, strategy, api },
          poison: poison.map((p) => ({
            index: p.index,
            sequenceNumber: p.sequenceNumber,
            code: p.error.code,
            reason: p.error.message,
          })),
          rows: parts.flatMap((part, i) =>
            part.plan.rows.map((r) => ({
              part: i + 1,
              rollup: r.rollup,
              pk: r.pk,
              sk: r.sk,
              add: Object.fromEntries(r.adds.map(([a, v]) => [a, String(v)])),
              ttl: r.ttl,
              leaderboard:
                r.leaderboard === undefined
                  ? undefined
                  : { key: r.leaderboard.key, delta: String(r.leaderboard.delta) },
            })),
          ),
          extrema: plan.extrema.map((e) => ({ ...e, value: String(e.value) })),
          expired: plan.expired,
          cancelled: plan.cancelled,
          // exactly-once: rows whose deltas cancelled out still move their watermark (one request each)
          watermarkOnly: watermarkOnly.map((r) => ({ rollup: r.rollup, pk: r.pk, sk: r.sk })),
          // a batch with a row wider than one write is applied in parts, one after the other
          parts: parts.map((p) => ({
            firstRecord: p.firstRecord,
            records: p.records,
            rows: p.plan.rows.length,
            requests: p.requests.length,
            sends: p.sends.length,
            sent: apiCounts(p.sends),
          })),
          // every row update and conditional set as an UpdateItem input, whatever the write path (earlier output)
          requests,
          // what apply sends, in order, on the write path: { api, of: 'rows' | 'extrema', input }
          sends,
        };
        const note =
          data.rows.length + data.extrema.length + data.poison.length === 0
            ? noGroupNote(settings.rollups, records)
            : '';
        ctx.emit(globals, data, () => human(data, flags.requests) + note);
      } finally {
        client.destroy();
      }
    });
}

async function loadRecords(flags: z.output<typeof flagsSchema>, cwd: string): Promise<DynamoDBRecord[]> {
  if ((flags.records === undefined) === (flags.scenario === undefined)) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      'plan needs exactly one source of records (give --records <file> or --scenario <id>)',
    );
  }
  if (flags.scenario !== undefined) {
    const gen = scenario(flags.scenario).create(flags.seed === undefined ? {} : { seed: flags.seed });
    const now = Date.now();
    return sampleRecords(Array.from({ length: flags.count }, (_, i) => gen.next(now + i * 100)));
  }
  const path = resolve(cwd, flags.records as string);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `--records ${flags.records}: ${String((cause as Error).message).split('\n', 1)[0]} (give a JSON file with a stream event or an array of records)`,
      { cause },
    );
  }
  const records = Array.isArray(parsed) ? parsed : (parsed as { Records?: unknown })?.Records;
  if (!Array.isArray(records)) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `--records ${flags.records} holds neither an array of records nor a stream event with Records (see docs/cli.md in the dynotally-cli package, "plan --dry-run")`,
    );
  }
  return records as DynamoDBRecord[];
}

/**
 * When a batch made no write at all: the rollups none of whose groupBy attributes sets every record carries,
 * which counts nothing for those records (a misspelt attribute says nothing else), and the rollups grouped by a
 * function that returned no group for any record (run on each record's image; a function that throws is left to
 * the plan's dead letters), as a note; else '' (also when any rollup has a group for a record).
 *
 * @example
 * ```ts
 * noGroupNote([orders], records); // "note: no record has every groupBy attribute of rollup 'orders' (storeID) …"
 * ```
 */
export function noGroupNote(rollups: readonly Rollup[], records: readonly DynamoDBRecord[]): string {
  if (records.length === 0) return '';
  const lacking: string[] = [];
  for (const r of rollups) {
    const attrs = r.compiled.groupAttributes;
    const fn = r.compiled.groupFn;
    // a rollup grouped by a function (plain or with declared names): its own function on each image (review s41b)
    if (attrs === undefined && fn !== undefined) {
      const grouped = records.some((rec) => {
        const image = rec.dynamodb?.NewImage ?? rec.dynamodb?.OldImage;
        if (image === undefined) return false;
        try {
          return fn(toPlain(image as never)) !== undefined;
        } catch {
          return true; // a poison record, which the plan reports: no note about it
        }
      });
      if (grouped) return '';
      lacking.push(`rollup '${r.compiled.name}' (its groupBy function returned no group for any record)`);
      continue;
    }
    if (attrs === undefined) return '';
    const counted = records.some((rec) => {
      const image = rec.dynamodb?.NewImage ?? rec.dynamodb?.OldImage;
      return image !== undefined && attrs.every((a) => a in image);
    });
    if (counted) return '';
    lacking.push(`rollup '${r.compiled.name}' (${attrs.join(', ')})`);
  }
  return `note: no record has every groupBy attribute of ${lacking.join(', ')}, so none was counted: check the attribute names in the configuration against the items\n`;
}

/**
 * The configuration's `alsoWrite` definitions are not in the plan: the direct worker writes each definition in its
 * own version's rows, which only the control item tells, and the plan reads none (it needs no endpoint); a
 * version-less applier given both definitions of a rollup would add them up in the same rows.
 */
function alsoWriteNote(alsoWrite: readonly Rollup[]): string {
  const names = alsoWrite.map((r) => `'${r.compiled.name}'`).join(', ');
  return `note: alsoWrite (${names}) is not in this plan: during a rollout dynotally worker also writes that serving definition, in its own version's rows; the plan folds the definitions in rollups only, under the rollup's name (version 1's rows), since it reads no control item\n`;
}

interface PlanView {
  records: number;
  events: Record<string, number>;
  poison: { index: number; code: string; reason: string }[];
  rows: {
    part: number;
    rollup: string;
    pk: string;
    sk: string;
    add: Record<string, string>;
    leaderboard?: { key: string; delta: string } | undefined;
  }[];
  extrema: { rollup: string; pk: string; sk: string; attr: string; op: string; value: string }[];
  expired: number;
  cancelled: number;
  watermarkOnly: { rollup: string; pk: string; sk: string }[];
  parts: { firstRecord: number; records: number; rows: number; requests: number; sent: string }[];
  requests: unknown[];
  sends: readonly PlannedSend[];
}

/** "2 rows cancelled out", and how many of them are written for their watermark only (exactly-once). */
function cancelledText(p: PlanView): string {
  const n = p.watermarkOnly.length;
  const written = n === 0 ? '' : ` (${n} written for their watermark only: ${n} of the row writes)`;
  return `${plural(p.cancelled, 'row')} cancelled out${written}`;
}

/**
 * The requests by API: "1 BatchExecuteStatement request (24 statements)", "2 UpdateItem requests",
 * "1 TransactWriteItems request (25 items)"; "no request" for none.
 */
function apiCounts(sends: readonly PlannedSend[]): string {
  const by = new Map<PlannedSend['api'], { requests: number; items: number }>();
  for (const s of sends) {
    const c = by.get(s.api) ?? { requests: 0, items: 0 };
    by.set(s.api, c);
    c.requests += 1;
    if (s.api === 'BatchExecuteStatement') c.items += s.input.Statements?.length ?? 0;
    else if (s.api === 'TransactWriteItems') c.items += s.input.TransactItems?.length ?? 0;
    else c.items += 1;
  }
  if (by.size === 0) return 'no request';
  return [...by]
    .map(([api, c]) => {
      const requests = `${plural(c.requests, `${api} request`)}`;
      if (api === 'BatchExecuteStatement') return `${requests} (${plural(c.items, 'statement')})`;
      if (api === 'TransactWriteItems') return `${requests} (${plural(c.items, 'item')})`;
      return requests;
    })
    .join(' and ');
}

/** "36 row writes in 2 BatchExecuteStatement requests (36 statements), 12 conditional sets in …". */
function sendsText(p: PlanView): string {
  const rows = p.sends.filter((s) => s.of === 'rows');
  const sets = p.sends.filter((s) => s.of === 'extrema');
  const written = p.rows.length + p.watermarkOnly.length;
  let out = `${plural(written, 'row write')} in ${apiCounts(rows)}`;
  if (sets.length > 0) out += `, ${plural(p.extrema.length, 'conditional set')} in ${apiCounts(sets)}`;
  return out;
}

/** What the dry run leaves out on the write path it shows. */
function sendsNotes(p: PlanView): string {
  let out = '';
  if (p.sends.some((s) => s.api === 'BatchExecuteStatement'))
    out +=
      "PartiQL statements as a fresh applier sends them: a row it has not written is an INSERT. On a refusal apply sends the other statement (a stored row's DuplicateItem: an UPDATE; a missing row: an INSERT), and a conditional set on a missing row goes by UpdateItem: such fallbacks are not in the dry run.\n";
  if (p.sends.some((s) => s.api === 'TransactWriteItems'))
    out +=
      "Transactions as sent after reading the shard's watermark items (one per rollup) and finding none, on rows carrying no state of the shard (a new shard): with an item, apply starts each row after it and conditions the transaction on its value; a row holding the shard's per-row state cancels the transaction, which is sent again with that row's records after its state.\n";
  return out === '' ? '' : `${out}\n`;
}

function human(p: PlanView, withRequests: boolean): string {
  const events = Object.entries(p.events)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const inParts = p.parts.length > 1 ? `, in ${p.parts.length} parts` : '';
  let out = `${plural(p.records, 'record')} (${events}) → ${plural(p.rows.length, 'row update')}, ${plural(p.extrema.length, 'conditional set')}; ${sendsText(p)}${inParts}; ${cancelledText(p)}, ${p.expired} past retention, ${p.poison.length} poison\n\n`;
  out += sendsNotes(p);
  if (p.parts.length > 1) {
    // a row gathers more counters than one write carries: apply writes the batch in these parts, in order
    out += `Written in ${p.parts.length} parts, one after the other (a row is wider than one write carries):\n`;
    p.parts.forEach((part, i) => {
      const last = part.firstRecord + part.records - 1;
      out += `  part ${i + 1}: records ${part.firstRecord}–${last}, ${plural(part.rows, 'row update')}, ${part.sent}\n`;
    });
    out += '\n';
  }
  const partColumn: Column<PlanView['rows'][number]>[] =
    p.parts.length > 1 ? [{ header: 'PART', value: (r) => r.part }] : [];
  out += formatTable(p.rows, [
    ...partColumn,
    { header: 'ROLLUP', value: (r) => r.rollup },
    { header: 'PK', value: (r) => r.pk },
    { header: 'SK', value: (r) => r.sk },
    {
      header: 'ADD',
      value: (r) =>
        Object.entries(r.add)
          .map(([a, v]) => `${a} ${v.startsWith('-') ? v : `+${v}`}`)
          .join(', '),
    },
    {
      header: 'LEADERBOARD',
      value: (r) => (r.leaderboard ? `${r.leaderboard.key} ${r.leaderboard.delta}` : ''),
    },
  ]);
  if (p.extrema.length > 0) {
    out += `\n${formatTable(p.extrema, [
      { header: 'ROLLUP', value: (e) => e.rollup },
      { header: 'PK', value: (e) => e.pk },
      { header: 'SK', value: (e) => e.sk },
      { header: 'SET', value: (e) => `${e.attr} = ${e.value} if ${e.op}` },
    ])}`;
  }
  for (const x of p.poison) out += `poison #${x.index}: [${x.code}] ${x.reason}\n`;
  if (withRequests) out += `\n${JSON.stringify(p.sends, null, 2)}\n`;
  else out += '\n(--requests prints every request in full; --json prints everything)\n';
  return out;
}
