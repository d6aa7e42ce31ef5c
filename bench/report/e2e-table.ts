import type { E2eCell, E2eResult } from '../suites/e2e.ts';
import { duration, fixed, int, ratio } from './format.ts';
import { markdownTable } from './markdown-table.ts';

/** One of issue 6's targets for dynotally exactly-once against naive, evaluated. */
export interface TargetCheck {
  target: string;
  /** For speed: on the events naive consumed (the first of the stream), so both wrote tables of the same size. */
  measured: number;
  /** For speed: dynotally's rate over all its events against naive's, when dynotally consumed more. */
  overAllEvents?: number;
  /** The same ratio per CPU second (client + DynamoDB Local), when both CPU times are known: less sensitive to a loaded machine. */
  perCpuSecond?: number;
  required: number;
  /** `ratio ≥ required` (speed) or `ratio ≤ required` (cost). */
  met: boolean;
  /** How far off when missed, e.g. the speed-up reached is 0.49 of the one required. */
  shortfall?: string;
}

const HEADLINE = 'eo-row';

/**
 * The targets of issue 6, from the cells of one run: at 1,000 a batch ≥ 10× naive's events/s and
 * ≤ ¼ of its write units per event; at 10,000 ≥ 50× the events/s. A wrong or failed cell meets nothing.
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
    const met = measured >= required;
    const eoCpu = cpuPerEvent(eo);
    const naiveCpu = cpuPerEvent(naive);
    out.push({
      target: `${int(batchSize)} a batch: events/s ≥ ${required}× naive`,
      measured,
      ...(eo.events > naive.events ? { overAllEvents: eo.eventsPerSecond / naive.eventsPerSecond } : {}),
      ...(eoCpu !== undefined && naiveCpu !== undefined ? { perCpuSecond: naiveCpu / eoCpu } : {}),
      required,
      met,
      ...(met ? {} : { shortfall: `reached ${fixed(measured / required, 2)} of the required speed-up` }),
    });
  };
  const cost = (batchSize: number, required: number): void => {
    const { eo, naive } = pair(batchSize);
    if (!usable(eo) || !usable(naive)) return;
    const measured = eo.writeUnitsPerEvent / naive.writeUnitsPerEvent;
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
  cost(1_000, 0.25);
  speed(10_000, 50);
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
    const blank = Array<string>(10).fill('');
    if (c.error !== undefined) return [...head, `FAILED: ${c.error.slice(0, 80)}`, ...blank, ''];
    if (!c.correct) return [...head, `WRONG (${int(c.wrongAggregates)} aggregates differ)`, ...blank, '✗'];
    const own = c.contender === 'naive';
    const cpu = cpuPerEvent(c);
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
      fixed(c.writeUnitsPerEvent, 2),
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
      'per CPU s × naive',
      'writes/event',
      'WU/event',
      'WU vs naive',
      '$ per M events',
      'fresh p50',
      'fresh p99',
      'oracle',
    ],
    rows,
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
  const targets = e2eTargets(result).map(
    (t) =>
      `- ${t.target}: ${ratio(t.measured)}${t.overAllEvents === undefined ? '' : ` (over all its events: ${ratio(t.overAllEvents)})`}${t.perCpuSecond === undefined ? '' : ` (per CPU second: ${ratio(t.perCpuSecond)})`} — ${t.met ? 'met' : `**missed** (${t.shortfall})`}`,
  );
  const header = `${int(result.streamRecords)} stream records (${int(result.events)} source writes, ${result.shards} shard${result.shards === 1 ? '' : 's'}; source written at ${int(result.load.operationsPerSecond)} items/s, stream read in ${fixed(result.streamReadSeconds, 1)} s${result.streamMatchesWorkload ? '' : '; WARNING: the stream does not reproduce the workload'})`;
  return [
    header,
    '',
    table,
    '',
    'Targets (dynotally exactly-once, row-watermark, against naive in this run):',
    ...targets,
  ].join('\n');
}
