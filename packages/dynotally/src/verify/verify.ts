import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { groupKey } from '../query/validate.ts';
import { readRetentionHistory } from '../retention/index.ts';
import { segmentConcurrencyOf } from '../scan/segment-concurrency.ts';
import { describeTable } from '../tables/index.ts';
import { readControl } from '../versions/control-store.ts';
import { versionsOfDefinition } from '../versions/rebuild.ts';
import { asVersion } from '../versions/version-prefix.ts';
import { cellKey, createRowComparison } from './compare-rows.ts';
import { expectedRows, rowKey } from './expected-rows.ts';
import { inSample } from './sample.ts';
import { eachStoredRow } from './stored-rows.ts';
import type {
  DriftCell,
  UncountableSource,
  VerifyOptions,
  VerifyProgress,
  VerifyReport,
} from './verify-options.ts';

/**
 * Recomputes a rollup's aggregates from the source table and reports the stored cells that differ, per group,
 * bucket and measure (expected, actual). The source is read with a consistent parallel Scan and folded by the
 * stream's own fold code; the serving version's rows (or `version`'s) are read with consistent reads, for
 * every group, a stable sample of groups (`sample`) or named `groups`. Both Scans run `segmentConcurrency` of
 * their `segments` at a time (default 8), one after the other, so that many Scans are in flight at most. Each
 * stored row is compared as it is read (the recomputed rows left at the end are missing from the table), so the
 * process holds the recomputed rows of the checked groups and the pages in flight, not the stored rows too;
 * `onProgress` reports each phase of a pass as it goes ({@link VerifyProgress}).
 *
 * Changes in flight (written to the source, not yet applied by the stream consumer) make a cell differ for a
 * while. The rule: a cell is reported only if it differs in every one of `passes` passes (default 2); each
 * later pass starts after the consumer has passed the end of the previous pass's scan (`waitForStream`, or a
 * `settleMs` wait longer than the consumer's lag), re-scans the source for the drifted groups and re-reads
 * their rows. Cells that agreed later are counted in `settled`. A rollup with `ttlDeletes: 'ignore'` keeps
 * counting items the scan cannot see (deleted by TTL): its counts are checked as lower bounds and its sums are
 * reported `unverified` (`compareRows`). Source items without the rollup's time attribute (counted by the stream
 * at their records' times, which a scan cannot know) are counted in `untimed`, and the counts and sums of their
 * groups reported `unverified`, never drift. What cannot be counted is reported, not taken for drift: source items
 * whose values the fold refuses (dead-lettered by the stream and a backfill), and rows whose recomputed sums pass
 * DynamoDB's 38 digits (`uncountable`, `uncountableTotal`; their cells `unverified`).
 *
 * @throws {DynotallyError} `VERSION_UNKNOWN` when the definition is not the serving one (nor has `version`):
 *   `details.versions` lists the definition's versions (none serving: `repairRollup` builds and promotes one);
 *   `BACKFILL_REFUSED` for a rollup without a time attribute (a scan cannot know a stream record's time);
 *   `CONFIG_INVALID` for a bad sample, segments, segmentConcurrency or passes; `GROUP_INVALID` for a malformed group.
 * @example
 * ```ts
 * const report = await verify({ client, source: 'orders', table: 'aggregates', rollup: storeMetrics,
 *   sample: 0.01 });
 * for (const d of report.drift) console.log(d.group, d.bucket, d.measure, d.expected, d.actual);
 * ```
 */
export async function verify(options: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const now = () => options.now?.() ?? Date.now();
  const compiled: CompiledRollup = 'compiled' in options.rollup ? options.rollup.compiled : options.rollup;
  const segments = options.segments ?? 4;
  const segmentConcurrency = segmentConcurrencyOf(options.segmentConcurrency);
  const passes = options.passes ?? 2;
  const sample = options.groups === undefined ? (options.sample ?? 1) : 1;
  if (!Number.isInteger(segments) || segments < 1 || segments > 1_000_000)
    throw new DynotallyError('CONFIG_INVALID', 'segments must be a whole number from 1 to 1,000,000');
  if (!Number.isInteger(passes) || passes < 1 || passes > 10)
    throw new DynotallyError('CONFIG_INVALID', 'passes must be a whole number from 1 to 10');
  if (!(sample > 0 && sample <= 1))
    throw new DynotallyError(
      'CONFIG_INVALID',
      `sample must be a share from 0 (exclusive) to 1, not ${sample}`,
    );
  if (compiled.time === undefined)
    throw new DynotallyError(
      'BACKFILL_REFUSED',
      `rollup '${compiled.name}' takes event time from the stream record (no time attribute), which a scan cannot know: verify needs time: { attribute }`,
      { details: { rollup: compiled.name } },
    );
  const n = await checkedVersion(options, compiled);
  const version = asVersion(compiled, n);
  const named =
    options.groups === undefined ? undefined : new Set(options.groups.map((g) => groupKey(version, g).pk));
  let selected = (pk: string) => (named === undefined ? inSample(pk, sample) : named.has(pk));

  let drift: DriftCell[] = [];
  let first:
    | { groups: number; rows: number; cells: number; unverified: number; uncountable: UncountableSource[] }
    | undefined;
  let uncountableTotal = 0;
  let untimed = 0;
  const sourceTable = await describeTable(options.client, options.source);
  const keyNames = sourceTable?.KeySchema?.map((k) => k.AttributeName as string);
  const estimatedItems = sourceTable?.ItemCount ?? 0;
  let firstDrifted = 0;
  // the retentions rows were written under: a row an older, shorter TTL may have deleted is no drift
  const history = await readRetentionHistory(options.client, options.table, version);
  let scannedItems = 0;
  let readUnits = 0;
  let pass = 0;
  let pks: string[] | undefined = named === undefined ? undefined : [...named];
  while (pass < passes) {
    if (pass > 0) {
      if (drift.length === 0) break;
      const scanEndedAt = now();
      if (options.waitForStream !== undefined) await options.waitForStream(scanEndedAt);
      else await sleep(options.settleMs ?? 30_000, options.signal);
      const again = new Set(drift.map((d) => d.row.pk));
      selected = (pk) => again.has(pk);
      pks = [...again];
    }
    pass++;
    const progress: VerifyProgress = {
      pass,
      passes,
      phase: 'source',
      reads: 'scan',
      scanned: 0,
      expectedRows: 0,
      storedRows: 0,
      compared: 0,
      drifted: 0,
      segmentsDone: 0,
      segments,
      readUnits: 0,
      estimatedItems,
      itemsPerSecond: 0,
      etaMs: 0,
    };
    const sourceStarted = Date.now();
    const report = (p: Partial<VerifyProgress>) => {
      Object.assign(progress, p);
      const secs = (Date.now() - sourceStarted) / 1000;
      // the source scan's rate and time left, as runBackfill's progress says them
      progress.itemsPerSecond = progress.phase === 'source' && secs > 0 ? progress.scanned / secs : 0;
      progress.etaMs =
        progress.itemsPerSecond > 0
          ? (Math.max(0, estimatedItems - progress.scanned) / progress.itemsPerSecond) * 1000
          : 0;
      options.onProgress?.({ ...progress });
    };
    report({});
    const exp = await expectedRows(options.client, options.source, version, selected, {
      segments,
      segmentConcurrency,
      nowSeconds: Math.floor(now() / 1000),
      signal: options.signal,
      keyNames,
      onPage: (r) =>
        report({
          scanned: r.items,
          expectedRows: r.rows,
          segmentsDone: r.done,
          segments: r.of,
          readUnits: r.readUnits,
        }),
    });
    scannedItems += exp.items;
    const sourceUnits = exp.readUnits;
    // each stored row is compared as it is read and its recomputed row dropped: what is left is missing from the
    // table, and the stored rows are never all in memory (the recomputed ones are: one per row of the selected groups)
    const comparison = createRowComparison(version, history, { untimedGroups: exp.untimedGroups });
    const expected = exp.rows;
    report({
      phase: 'stored',
      reads: pks === undefined ? 'scan' : 'query',
      readUnits: sourceUnits,
      segmentsDone: 0,
      segments: pks === undefined ? segments : pks.length,
    });
    const st = await eachStoredRow(
      options.client,
      options.table,
      version.name,
      {
        ...(pks === undefined ? { selected, segments, segmentConcurrency } : { pks }),
        onPage: (r) =>
          report({
            storedRows: r.rows,
            compared: comparison.rows,
            drifted: comparison.drifted,
            segmentsDone: r.done,
            segments: r.of,
            readUnits: sourceUnits + r.readUnits,
          }),
      },
      (pk, sk, row) => {
        const key = rowKey(pk, sk);
        const e = expected.get(key);
        if (e !== undefined) expected.delete(key);
        comparison.compare(e, row, now());
      },
    );
    readUnits += exp.readUnits + st.readUnits;
    report({
      phase: 'compare',
      reads: 'none',
      readUnits: sourceUnits + st.readUnits,
      segmentsDone: 0,
      segments: 0,
    });
    const missingAt = now();
    for (const e of expected.values()) comparison.compare(e, undefined, missingAt);
    expected.clear();
    const result = comparison.result();
    report({ compared: comparison.rows, drifted: result.drift.length, segmentsDone: 1, segments: 1 });
    if (first === undefined) {
      // what cannot be counted, from the whole first pass: source items the fold refuses, rows past 38 digits
      const uncountable = [...exp.uncountable, ...result.uncountable];
      uncountableTotal = exp.uncountableTotal + result.uncountable.length;
      first = { ...result, uncountable: uncountable.slice(0, 100) };
      firstDrifted = result.drift.length;
      untimed = exp.untimed;
      drift = result.drift;
    } else {
      // drift persists only where the cell differed in every pass so far
      const before = new Set(drift.map(cellKey));
      drift = result.drift.filter((d) => before.has(cellKey(d)));
    }
    options.onPass?.(pass, drift.length);
  }
  return {
    rollup: compiled.name,
    version: n,
    prefix: version.name,
    sample,
    groups: first?.groups ?? 0,
    rows: first?.rows ?? 0,
    cells: first?.cells ?? 0,
    drift,
    settled: firstDrifted - drift.length,
    unverified: first?.unverified ?? 0,
    uncountable: first?.uncountable ?? [],
    uncountableTotal,
    untimed,
    passes: pass,
    scannedItems,
    readUnits,
    durationMs: Date.now() - started,
  };
}

/** The version to check: `version` if it is one of this definition's, else the serving one, which must be. */
async function checkedVersion(options: VerifyOptions, compiled: CompiledRollup): Promise<number> {
  const control = await readControl(options.client, options.table, compiled.name);
  if (control === undefined) {
    if (options.version === undefined || options.version === 1) return 1; // never versioned: version 1 serves
    throw new DynotallyError('VERSION_UNKNOWN', `rollup '${compiled.name}' has only version 1`, {
      details: { rollup: compiled.name, version: options.version },
    });
  }
  const mine = versionsOfDefinition(control, compiled.fingerprint);
  const wanted = options.version ?? control.serving;
  const v = mine.find((x) => x.version === wanted);
  const listed = mine.map((x) => `${x.version} (${x.state})`).join(', ') || 'none';
  const serves =
    control.serving === undefined
      ? `rollup '${compiled.name}' serves no version`
      : `rollup '${compiled.name}' serves version ${control.serving}, which is not this definition`;
  // a definition with versions, none serving (deployed over existing data, or changed, and not yet promoted): a
  // repair builds it (`versions` in the details says so); one without versions was never deployed
  if (v === undefined)
    throw new DynotallyError(
      'VERSION_UNKNOWN',
      options.version !== undefined
        ? `rollup '${compiled.name}' has no version ${options.version} of this definition (its versions: ${listed})`
        : mine.length > 0
          ? `${serves} (its versions: ${listed}), so there is nothing of it to compare with the source: build it and promote it with dynotally verify ${compiled.name} --repair (repairRollup), or give the serving definition, or a version to check`
          : `${serves} (its versions: none): give the serving definition, or a version to check`,
      {
        details: {
          rollup: compiled.name,
          serving: control.serving,
          version: options.version,
          versions: mine.map((x) => x.version),
        },
      },
    );
  return v.version;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
