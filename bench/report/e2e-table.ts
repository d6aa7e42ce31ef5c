import type { E2eCell, E2eResult } from '../suites/e2e.ts';
import { duration, fixed, int, ratio } from './format.ts';
import { markdownTable } from './markdown-table.ts';

/** One of the targets for dynotally exactly-once (issues 6 and 13), evaluated. */
export interface TargetCheck {
  target: string;
  /** For speed: on the events naive consumed (the first of the stream), so both wrote tables of the same size. */
  measured: number;
  /** For speed: dynotally's rate over all its events against naive's, when dynotally consumed more. */
  overAllEvents?: number;
  /**
   * The same ratio per CPU second (client + DynamoDB Local), when both CPU times are known: less sensitive to a
   * loaded machine. On the same events (dynotally's CPU over its batches up to the baseline's event count) when
   * the cell has per-batch CPU.
   */
  perCpuSecond?: number;
  /** Per CPU second over all of dynotally's events, when it consumed more than the baseline. */
  perCpuSecondOverAll?: number;
  required: number;
  /** `ratio ≥ required` (speed: per CPU second when both CPU times are known) or `ratio ≤ required` (cost). */
  met: boolean;
  /** How far off when missed, e.g. the speed-up reached is 0.49 of the one required. */
  shortfall?: string;
}

const HEADLINE = 'eo-row';
/** The same strategy on one `UpdateItem` a row: the path issue 13 measures the PartiQL path against. */
const UPDATE_ITEM = 'eo-row-ui';

/**
 * The targets of issue 13, from the cells of one run: exactly-once (row-watermark, its default PartiQL
 * path) ≥ 10× naive's events per CPU second at 1,000 a batch and ≥ 20× at 10,000, on the events both
 * consumed; client CPU per event ≤ ⅕ of the UpdateItem path's; write units per event no higher than the
 * UpdateItem path's; and issue 6's ≤ ¼ of naive's write units at 1,000. A wrong or failed cell meets nothing.
 *
 * @example
 * ```ts
 * for (const t of e2eTargets(result)) console.log(t.target, t.met);
 * ```
 */
export function e2eTargets(result: E2eResult): TargetCheck[] {
  const out: TargetCheck[] = [];
  const pair = (batchSize: number) => ({
    eo: result.cells.find((c) => c.contender === HEADLINE && c.batchSize === batchSize),
    naive: result.cells.find((c) => c.contender === 'naive' && c.batchSize === batchSize),
  });
  const speed = (batchSize: number, required: number): void => {
    const { eo, naive } = pair(batchSize);
    if (!usable(eo) || !usable(naive)) return;
    const measured = rateOverFirst(eo, naive.events) / naive.eventsPerSecond;
    const eoCpu = cpuPerEventOverFirst(eo, naive.events);
    const eoCpuAll = cpuPerEvent(eo);
    const naiveCpu = cpuPerEvent(naive);
    const perCpuSecond = eoCpu !== undefined && naiveCpu !== undefined ? naiveCpu / eoCpu : undefined;
    const overAll = eoCpuAll !== undefined && naiveCpu !== undefined ? naiveCpu / eoCpuAll : undefined;
    const judged = perCpuSecond ?? measured;
    const met = judged >= required;
    out.push({
      target: `${int(batchSize)} a batch: events per CPU second ≥ ${required}× naive`,
      measured,
      ...(eo.events > naive.events ? { overAllEvents: eo.eventsPerSecond / naive.eventsPerSecond } : {}),
      ...(perCpuSecond !== undefined ? { perCpuSecond } : {}),
      ...(eo.events > naive.events && overAll !== undefined ? { perCpuSecondOverAll: overAll } : {}),
      required,
      met,
      ...(met ? {} : { shortfall: `reached ${fixed(judged / required, 2)} of the required speed-up` }),
    });
  };
  const against = (batchSize: number) => ({
    eo: result.cells.find((c) => c.contender === HEADLINE && c.batchSize === batchSize),
    ui: result.cells.find((c) => c.contender === UPDATE_ITEM && c.batchSize === batchSize),
  });
  const clientCpu = (batchSize: number, required: number): void => {
    const { eo, ui } = against(batchSize);
    if (!usable(eo) || !usable(ui) || ui.clientCpuMsPerEvent === 0) return;
    const measured = clientCpuPerEventOverFirst(eo, ui.events) / ui.clientCpuMsPerEvent;
    const met = measured <= required;
    out.push({
      target: `${int(batchSize)} a batch: client CPU/event ≤ ${required}× the UpdateItem path's`,
      measured,
      required,
      met,
      ...(met ? {} : { shortfall: `${fixed(measured / required, 2)}× the allowed CPU` }),
    });
  };
  const units = (batchSize: number): void => {
    const { eo, ui } = against(batchSize);
    if (!usable(eo) || !usable(ui) || ui.writeUnitsPerEvent === 0) return;
    const measured = unitsPerEventOverFirst(eo, ui.events) / ui.writeUnitsPerEvent;
    const met = measured <= 1;
    out.push({
      target: `${int(batchSize)} a batch: write units/event ≤ the UpdateItem path's`,
      measured,
      required: 1,
      met,
      ...(met ? {} : { shortfall: `${fixed(measured, 2)}× the UpdateItem path's units` }),
    });
  };
  const cost = (batchSize: number, required: number): void => {
    const { eo, naive } = pair(batchSize);
    if (!usable(eo) || !usable(naive)) return;
    const measured = unitsPerEventOverFirst(eo, naive.events) / naive.writeUnitsPerEvent;
    const met = measured <= required;
    out.push({
      target: `${int(batchSize)} a batch: write units/event ≤ ${required}× naive`,
      measured,
      required,
      met,
      ...(met ? {} : { shortfall: `${fixed(measured / required, 2)}× the allowed cost` }),
    });
  };
  speed(1_000, 10);
  speed(10_000, 20);
  clientCpu(1_000, 0.2);
  clientCpu(10_000, 0.2);
  units(1_000);
  units(10_000);
  cost(1_000, 0.25);
  return out;
}

/**
 * A cell's events/s over its first `n` events (from its batch durations), so a contender that consumed the
 * whole stream compares with a baseline that consumed a prefix on the same records and the same table
 * growth (DynamoDB Local slows down as a table grows). All of the cell's events when it has no more than `n`.
 *
 * @example
 * ```ts
 * rateOverFirst(eoRow, naive.events) / naive.eventsPerSecond; // speed-up on the same events
 * ```
 */
export function rateOverFirst(c: E2eCell, n: number): number {
  if (n >= c.events || c.batchMs.length === 0) return c.eventsPerSecond;
  let records = 0;
  let ms = 0;
  for (const batchMs of c.batchMs) {
    if (records >= n) break;
    records += Math.min(c.batchSize, c.events - records);
    ms += batchMs;
  }
  return ms > 0 ? (records * 1000) / ms : c.eventsPerSecond;
}

/**
 * How many of a cell's batches cover its first `n` events, and the events they hold (all of them when the cell
 * has no more than `n`).
 */
function batchesOver(c: E2eCell, n: number): { batches: number; events: number } {
  let events = 0;
  let batches = 0;
  while (batches < c.batchMs.length && events < n) {
    events += Math.min(c.batchSize, c.events - events);
    batches++;
  }
  return { batches, events };
}

/** A per-batch cumulative series' value per event over the batches covering the first `n` events. */
function perEventOverFirst(c: E2eCell, series: number[] | undefined, n: number): number | undefined {
  if (series === undefined || series.length !== c.batchMs.length || n >= c.events) return undefined;
  const { batches, events } = batchesOver(c, n);
  return batches === 0 ? undefined : (series[batches - 1] as number) / events;
}

/**
 * Client plus DynamoDB Local CPU ms per event over a cell's first `n` events (its batches up to them), or over
 * all of them when it has no per-batch CPU or no more events.
 *
 * @example
 * ```ts
 * cpuPerEventOverFirst(eoRow, naive.events); // 0.81
 * ```
 */
export function cpuPerEventOverFirst(c: E2eCell, n: number): number | undefined {
  const client = perEventOverFirst(c, c.batchClientCpuMs, n);
  const server = perEventOverFirst(c, c.batchServerCpuMs, n);
  return client !== undefined && server !== undefined ? client + server : cpuPerEvent(c);
}

function clientCpuPerEventOverFirst(c: E2eCell, n: number): number {
  return perEventOverFirst(c, c.batchClientCpuMs, n) ?? c.clientCpuMsPerEvent;
}

function unitsPerEventOverFirst(c: E2eCell, n: number): number {
  return perEventOverFirst(c, c.batchWriteUnits, n) ?? c.writeUnitsPerEvent;
}

/** Client plus DynamoDB Local CPU ms per event, when DynamoDB Local's was measured. */
function cpuPerEvent(c: E2eCell): number | undefined {
  return c.serverCpuMsPerEvent === undefined ? undefined : c.clientCpuMsPerEvent + c.serverCpuMsPerEvent;
}

function usable(c: E2eCell | undefined): c is E2eCell {
  return c?.correct === true && c.error === undefined;
}

/**
 * The end-to-end suite as markdown: one row per contender and batch size, ratios against naive at the
 * same batch size in the same run, then the targets. A contender whose aggregates differ from the oracle
 * shows WRONG instead of its speed.
 *
 * @example
 * ```ts
 * console.log(e2eMarkdown(result));
 * ```
 */
export function e2eMarkdown(result: E2eResult): string {
  const rows = result.cells.map((c) => {
    const naive = result.cells.find((n) => n.contender === 'naive' && n.batchSize === c.batchSize);
    const base = usable(naive) ? naive : undefined;
    const events = `${int(c.events)}${c.prefix ? ' (prefix)' : ''}${c.largestBatch > 0 && c.largestBatch < c.batchSize ? ` (batches of ${int(c.largestBatch)})` : ''}`;
    const head = [c.label, int(c.batchSize), events];
    const blank = Array<string>(12).fill('');
    if (c.error !== undefined) return [...head, `FAILED: ${c.error.slice(0, 80)}`, ...blank, ''];
    if (!c.correct) return [...head, `WRONG (${int(c.wrongAggregates)} aggregates differ)`, ...blank, '✗'];
    const own = c.contender === 'naive';
    const cpu = base === undefined ? cpuPerEvent(c) : cpuPerEventOverFirst(c, base.events);
    const baseCpu = base === undefined ? undefined : cpuPerEvent(base);
    return [
      ...head,
      int(c.eventsPerSecond),
      own || !base ? '' : ratio(rateOverFirst(c, base.events) / base.eventsPerSecond),
      cpu === undefined
        ? fixed(c.clientCpuMsPerEvent, 2)
        : `${fixed(c.clientCpuMsPerEvent, 2)} + ${fixed(c.serverCpuMsPerEvent ?? 0, 2)}`,
      own || cpu === undefined || baseCpu === undefined ? '' : ratio(baseCpu / cpu),
      fixed(c.writesPerEvent, 2),
      `${fixed(c.extremumWritesPerEvent, 2)} / ${fixed(c.extremumRequestsPerEvent, 3)}`,
      fixed(c.requestsPerEvent, 3),
      `${fixed(c.writeUnitsPerEvent, 2)}${c.metering === 'priced' ? '*' : c.metering === 'estimated' ? '†' : ''}`,
      own || !base ? '' : ratio(c.writeUnitsPerEvent / base.writeUnitsPerEvent),
      `$${fixed(c.dollarsPerMillionEvents, 2)}`,
      duration(c.freshnessP50Ms),
      duration(c.freshnessP99Ms),
      '✓',
    ];
  });
  const table = markdownTable(
    [
      'contender',
      'batch',
      'events',
      'events/s',
      '× naive (same events)',
      'CPU ms/event (client + DynamoDB Local)',
      'per CPU s × naive (same events)',
      'writes/event',
      'extremum writes / requests per event',
      'requests/event',
      'WU/event',
      'WU vs naive',
      '$ per M events',
      'fresh p50',
      'fresh p99',
      'oracle',
    ],
    rows,
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
  const targets = e2eTargets(result).map(
    (t) =>
      `- ${t.target}: ${ratio(t.measured)}${t.overAllEvents === undefined ? '' : ` (over all its events: ${ratio(t.overAllEvents)})`}${t.perCpuSecond === undefined ? '' : ` (per CPU second: ${ratio(t.perCpuSecond)}${t.perCpuSecondOverAll === undefined ? '' : `; over all its events ${ratio(t.perCpuSecondOverAll)}`})`} — ${t.met ? 'met' : `**missed** (${t.shortfall})`}`,
  );
  const header = `${int(result.streamRecords)} stream records (${int(result.events)} source writes, ${result.shards} shard${result.shards === 1 ? '' : 's'}; source written at ${int(result.load.operationsPerSecond)} items/s, stream read in ${fixed(result.streamReadSeconds, 1)} s${result.streamMatchesWorkload ? '' : '; WARNING: the stream does not reproduce the workload'})`;
  return [
    header,
    '',
    table,
    '',
    PRICING_NOTE,
    ...(result.cells.some((c) => c.metering === 'estimated' && c.error === undefined) ? [ESTIMATE_NOTE] : []),
    ...pricingChecks(result),
    ...readBacks(result),
    '',
    'Targets (dynotally exactly-once, row-watermark, default PartiQL path, against naive and its own UpdateItem path in this run; speed judged per CPU second):',
    ...targets,
  ].join('\n');
}

/** What the `*` on write units means. */
export const PRICING_NOTE =
  "\\* Write units priced, not reported: DynamoDB Local reports no consumed capacity for PartiQL, so for these contenders every write that changed an item is priced from its before and after images on the aggregate table's stream (the larger of the two, per started KB, plus leaderboard index writes: the cost model of `src/cost`), and every refused write (failed condition, INSERT of an existing row) from the item its answer returned (at least 1 unit). Others: DynamoDB Local's `ConsumedCapacity`, transactions doubled.";

/** What the `†` on write units means. */
export const ESTIMATE_NOTE =
  "† Write units estimated: this run had no pricing streams (`BENCH_PRICING=off`, for speed), so for PartiQL they are the Applier's own report (the cost model on the item sizes it knows), not the bench's independent meter.";

/** The reads dynotally's PartiQL path makes of rows it sampled (not in the write units or the dollar figure). */
function readBacks(result: E2eResult): string[] {
  return result.cells
    .filter((c) => c.error === undefined && (c.applierReadRequests ?? 0) > 0)
    .map(
      (c) =>
        `- ${c.label} @${int(c.batchSize)}: sampled rows read back in ${int(c.applierReadRequests ?? 0)} \`BatchGetItem\` requests, ${fixed((c.applierReadUnits ?? 0) / c.events, 3)} read units per event (counted in requests/event, not in WU or $)`,
    );
}

/** For priced cells that DynamoDB Local also reported (UpdateItem): the two figures side by side. */
function pricingChecks(result: E2eResult): string[] {
  return result.cells
    .filter((c) => c.error === undefined && c.reportedWriteUnits !== undefined)
    .map(
      (c) =>
        `- ${c.label} @${int(c.batchSize)}: priced ${int(c.writeUnits)} WU, DynamoDB Local reported ${int(c.reportedWriteUnits ?? 0)}${c.streamChanges === c.successfulWrites ? '' : ` (${int(c.successfulWrites ?? 0)} writes succeeded, ${int(c.streamChanges ?? 0)} changed an item)`}`,
    );
}
