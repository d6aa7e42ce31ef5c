import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import {
  Applier,
  type ApplierOptions,
  type ApplyInput,
  type ApplyResult,
  type RollupLike,
  toDeadLetter,
} from '../apply/applier.ts';
import { emptyReport, mergeReports } from '../apply/apply-report.ts';
import type { LateProbe } from '../apply/late-probe.ts';
import { checkLateRecords } from '../apply/late-records.ts';
import type { DeadLetterProbe, DeadLetterProbeInput, WriteSide } from '../apply/write-side.ts';
import { CLAIM_TTL_MS, MAX_CLAIM_MARGIN_MS } from '../backfill/claim-lifetime.ts';
import { claimRecords } from '../backfill/claim-records.ts';
import { batchStream, checkOneStream } from '../decode/one-stream.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { foldBatch, type PoisonRecord } from '../fold/index.ts';
import { checkTableName } from '../layout/table-name.ts';
import { checkClaimTableNotSource } from './claim-not-source.ts';
import { claimPrefix } from './claim-scope.ts';
import { bindClaimTable, claimTableRefused } from './claim-table-binding.ts';
import { claimWindow } from './claim-window.ts';
import type { VersionEntry } from './control-item.ts';
import { readControls, versionOf } from './control-store.ts';
import { lateLettersFirst, letterKey } from './late-letters-first.ts';
import { fenceLease } from './lease-fence.ts';
import { mergeRefusals, type Refusal } from './merge-refusals.ts';
import { versionsOfDefinition } from './rebuild.ts';
import { refuseUndeployed } from './undeployed-versions.ts';
import { asVersion } from './version-prefix.ts';
import { VersionStates } from './version-states.ts';

/**
 * Options of {@link createVersionedWriteSide}.
 *
 * @example
 * ```ts
 * const options: VersionedWriteSideOptions = { client, table: 'aggregates', claimTable: 'claims',
 *   rollups: [storeV1, storeV2] };
 * ```
 */
export interface VersionedWriteSideOptions {
  client: DynamoDBClient;
  /** The aggregate table (rows of every version and the control items). */
  table: string;
  /** Every deployed definition; several may share a name (versions of one rollup, told apart by fingerprint). */
  rollups: readonly RollupLike[];
  /**
   * The claim table (`createClaimTable`); needed as soon as a version is built by a backfill. The source table (the
   * one whose stream the batches come from) is refused (`CONFIG_INVALID`, at the first batch).
   */
  claimTable?: string | undefined;
  /**
   * Which deployed definitions this side registers: `deployed` (default) every one it does not find in the
   * control item, on its first batch; `first` only a rollup's first version. With `first`, a changed definition
   * is deployed without being written, and becomes a version when the backfill registers it
   * (`runBackfill({ register: true })`, `dynotally backfill --register`) once the deployment is complete: no
   * process that does not know it can then apply a batch after it was registered, so the scan needs no
   * `settleMs` wait (docs/backfill.md, "When the scan may start").
   */
  register?: 'deployed' | 'first';
  /** State of a rollup's first version when it has no control item yet (default `serving`). */
  firstVersion?: 'serving' | 'building';
  /**
   * Records created up to this long after a backfill ended still go through claims (default 5 min, at most
   * 12 h). Must exceed the clock skew between the backfill's host and DynamoDB (the control items are read
   * afresh for every batch, so no cache age adds to it).
   */
  claimMarginMs?: number;
  /**
   * How long claims live (default and least: 30 days). A backfill ends within 28 days of its version's
   * registration (`BACKFILL_REFUSED` after), so no claim expires while the stream still uses it.
   */
  claimTtlMs?: number;
  /**
   * Options of the built-in appliers (mode, strategy, concurrency, retry, state budget, how writes reach
   * DynamoDB: `write: { api: 'update-item' }` or PartiQL batches, the default, and `lateRecords`: `'dead-letter'`
   * by default, as on the Applier, since a stream feeds this side and may deliver a batch more than a day late;
   * `'apply'` only to feed records stamped in the past on purpose).
   */
  apply?: Pick<
    ApplierOptions,
    | 'mode'
    | 'strategy'
    | 'concurrency'
    | 'retry'
    | 'pruneSampleEvery'
    | 'stateBudgetBytes'
    | 'write'
    | 'lateRecords'
  >;
  /**
   * Clock (ms), for tests: the control items' times, the claims' expiry, the lease fence, and the built-in appliers'
   * (which records are late, the rows' and exclusions' times). Default `Date.now`.
   */
  now?: () => number;
}

/**
 * A write side that writes every deployed version of each rollup that is building, ready or serving (retired
 * ones are left alone), each under its own key prefix, and sends the records of versions under backfill through
 * the per-item claims, so the backfill and the stream together count each item exactly once. Give it to
 * `createStreamHandler({ applier })` or `createStreamWorker({ applier })`. Its report sums the versions' row
 * writes, requests and units, and counts the batch's records once: `folded` is the most one version folded (see
 * `ApplyReport.folded`), `poison` the dead letters (one per record, whatever versions refused it). Given its caller's
 * dead-letter sink with a batch (`ApplyInput.deadLetter`: `createStreamHandler` and the stream worker give theirs), it
 * sends the letters there itself and says so (`sent`): a late record's `RECORD_TOO_OLD` letter, probed in every
 * version, before any version is written (after, a failed send would leave the redelivery's probe finding the rows
 * past the record: review s37v). Without one it returns them for its caller to send.
 *
 * It fails a batch rather than apply it without a version that is written: `VERSION_UNKNOWN` when every version
 * of its definitions of a rollup is retired, `VERSION_NOT_DEPLOYED` when a newer version of a rollup (registered
 * by a newer deployment) has a definition it does not deploy — a process of the old deployment during a rolling
 * deploy or after a rollback (docs/backfill.md, "When the scan may start"). Lambda retries such a batch (the retry
 * lands on the new code); the stream worker retries it with backoff, never dead-letters it.
 *
 * @example
 * ```ts
 * const applier = createVersionedWriteSide({ client, table: 'aggregates', claimTable: 'claims',
 *   rollups: [storeMetricsV1, storeMetricsV2] });
 * export const handler = createStreamHandler({ applier, deadLetter: { table: 'dead-letters' } });
 * ```
 */
export function createVersionedWriteSide(options: VersionedWriteSideOptions): WriteSide {
  checkTableName(options.table, 'table');
  if (options.claimTable !== undefined) checkTableName(options.claimTable, 'claimTable');
  const deployed = options.rollups.map((r) => ('compiled' in r ? r.compiled : r));
  const seen = new Set<string>();
  for (const c of deployed) {
    const id = `${c.name}\u0000${c.fingerprint}`;
    if (seen.has(id))
      throw new DynotallyError(
        'CONFIG_INVALID',
        `rollup '${c.name}' is given twice with the same definition`,
        {
          details: { rollup: c.name },
        },
      );
    seen.add(id);
  }
  if (options.register !== undefined && options.register !== 'deployed' && options.register !== 'first')
    throw new DynotallyError(
      'CONFIG_INVALID',
      `register must be 'deployed' or 'first' (got ${JSON.stringify(options.register)})`,
      { details: { option: 'register' } },
    );
  const marginMs = options.claimMarginMs ?? 300_000;
  if (!Number.isFinite(marginMs) || marginMs < 1_000 || marginMs > MAX_CLAIM_MARGIN_MS)
    throw new DynotallyError(
      'CONFIG_INVALID',
      `claimMarginMs must be from 1,000 ms to 12 h and cover the clock skew between the backfill's host and DynamoDB (got ${marginMs})`,
      { details: { claimMarginMs: marginMs } },
    );
  const claimTtlMs = options.claimTtlMs ?? CLAIM_TTL_MS;
  if (!Number.isFinite(claimTtlMs) || claimTtlMs < CLAIM_TTL_MS)
    throw new DynotallyError(
      'CONFIG_INVALID',
      `claimTtlMs must be at least 30 days (got ${claimTtlMs}): a backfill may end up to 28 days after its version's registration, and a claim that expires while the stream still uses it could let an item be counted twice`,
      { details: { claimTtlMs } },
    );
  // checked here, not only by the appliers built per batch: a typo must fail the deployment, not its first batch
  checkLateRecords(options.apply?.lateRecords);
  if (options.apply?.strategy === 'transaction')
    throw new DynotallyError(
      'CONFIG_INVALID',
      "apply.strategy 'transaction' cannot be used with rollup versions: an applier of that strategy leaves out every record at or below the shard's legacy '~wm#' watermark item (left by the transaction strategy of earlier releases, one per shard for every rollup), a version under backfill included, while that version's claims are taken for every record the stream side gets during its build: a redelivered old record could be claimed for the stream side and then counted by neither. Use the default 'row-watermark'",
      { details: { option: 'apply.strategy' } },
    );
  const now = () => options.now?.() ?? Date.now();
  const states = new VersionStates(options.client, options.table, deployed, {
    clock: now,
    ...(options.firstVersion ? { firstVersion: options.firstVersion } : {}),
    ...(options.register ? { register: options.register } : {}),
  });
  // the versions this side bound to its claim table (one conditional write each, per process)
  const bound = new Set<string>();
  const bindClaims = async (rollup: string, entry: VersionEntry, claimTable: string): Promise<void> => {
    if (entry.claimTable !== undefined && entry.claimTable !== claimTable)
      throw claimTableRefused(rollup, entry.version, entry.claimTable, claimTable);
    const key = `${rollup}\u0000${entry.version}`;
    if (entry.claimTable === claimTable || bound.has(key)) return;
    await bindClaimTable(options.client, options.table, rollup, entry.version, claimTable, entry.claimScope);
    bound.add(key);
  };
  const appliers = new Map<string, Applier>();
  const applierFor = (versions: readonly CompiledRollup[]): Applier => {
    const key = versions.map((v) => `${v.name}@${v.fingerprint}`).join(',');
    let a = appliers.get(key);
    if (a === undefined) {
      a = new Applier({
        ...options.apply,
        client: options.client,
        table: options.table,
        rollups: versions,
        // the side's clock is its appliers' too: it says which records are late, and stamps rows and exclusions
        ...(options.now === undefined ? {} : { now: options.now }),
      });
      appliers.set(key, a);
    }
    return a;
  };
  return {
    // one per name: what the handler compares with its own `rollups`
    rollups: [...new Map(deployed.map((c) => [c.name, c] as const)).values()],
    mode: options.apply?.mode ?? 'exactly-once',
    async apply(input: ApplyInput): Promise<ApplyResult> {
      const started = Date.now();
      // a batch of two streams, or of another source, before anything is read or written: the claims of a version
      // under backfill are written before any Applier orders the batch (orderBatch refuses it there too; review s39v)
      checkOneStream(input.records);
      // its own source table given as the claim table (review s41b), refused before anything is claimed
      if (options.claimTable !== undefined) checkClaimTableNotSource(options.claimTable, input.records);
      const controls = await states.read();
      fenceLease(input, now());
      const plain: CompiledRollup[] = [];
      const claimed: Array<{
        compiled: CompiledRollup;
        windowEndMs: number | undefined;
        rollup: string;
        entry: VersionEntry;
      }> = [];
      const written = new Set<string>();
      for (const c of deployed) {
        const control = controls.get(c.name);
        // registered (a coded error otherwise), unless this side leaves later versions to the backfill; but a
        // rollup none of whose deployed definitions is registered would silently stop counting
        if (options.register === 'first' && !control?.versions.some((v) => v.fingerprint === c.fingerprint)) {
          const any = (states.deployed.get(c.name) ?? []).some((d) =>
            control?.versions.some((v) => v.fingerprint === d.fingerprint),
          );
          if (any) continue;
        }
        versionOf(control, c.fingerprint, c.name);
        // the definition's own version and its rebuilds (repairs), each under its own key prefix
        for (const v of versionsOfDefinition(control, c.fingerprint)) {
          if (v.state === 'retired') continue;
          written.add(c.name);
          const compiled = asVersion(c, v.version);
          const window = claimWindow(v, marginMs, input.records);
          if (window !== undefined)
            claimed.push({ compiled, windowEndMs: window.windowEndMs, rollup: c.name, entry: v });
          else plain.push(compiled);
        }
      }
      refuseUnwritten(deployed, written, controls);
      refuseUndeployed(states.deployed, controls);
      if (claimed.length === 0) return applierFor(plain).apply(input);
      if (options.claimTable === undefined)
        throw new DynotallyError(
          'CONFIG_INVALID',
          `rollup version '${claimed[0]?.compiled.name}' is being built by a backfill: give the write side claimTable`,
          { details: { option: 'claimTable' } },
        );
      // the versions' letters are merged (one a record), so the appliers return them, none sends them: the caller's
      // sink stays out of their input, and this side sends the merged letters to it, a late record's before any
      // version is written (review s37v); without a sink it returns them for its caller to send
      const { deadLetter: sink, ...forAppliers } = input;
      // a poison record is poison for every version: find it once, fold the rest everywhere
      const all = [...plain, ...claimed.map((c) => c.compiled)];
      const poison = foldBatch(all, input.records, { shardId: input.shardId }).poison;
      const bad = new Set(poison.map((p) => p.index));
      const valid = input.records.filter((_, i) => !bad.has(i));
      const report = emptyReport(input.records.length);
      // each version's applier and the records it folds: the serving versions' the valid ones, a version under
      // backfill those its claims leave to the stream (the claims written first: durable before anything is folded)
      const parts: Array<{
        applier: Applier;
        rollups: readonly CompiledRollup[];
        records: DynamoDBRecord[];
      }> = [];
      if (plain.length > 0) parts.push({ applier: applierFor(plain), rollups: plain, records: valid });
      const ttlSeconds = Math.floor((now() + claimTtlMs) / 1000);
      for (const c of claimed) await bindClaims(c.rollup, c.entry, options.claimTable);
      for (const c of claimed) {
        const records: DynamoDBRecord[] = await claimRecords(
          options.client,
          options.claimTable,
          {
            prefix: claimPrefix(c.compiled.name, c.entry.claimScope),
            reads: c.compiled.reads,
            windowEndMs: c.windowEndMs,
          },
          valid,
          { ttlSeconds },
        );
        parts.push({ applier: applierFor([c.compiled]), rollups: [c.compiled], records });
      }
      // every version's late records probed before any version is written: a version written first would move its
      // rows past a late record before the letter naming them is stored (a failed send, then the redelivery's probe
      // finds them past it: a letter without them, review s37v). All judged at one instant: a record crossing the late
      // point between two probes would be late in one version (its letter sent first) and on time in another, whose
      // refusal of it (a sum past 38 digits) then found that letter stored and was dropped (review s37r)
      const judgedAt = { now: now() };
      const probes: LateProbe[] = [];
      for (const part of parts)
        probes.push(await part.applier.probeLate({ ...forAppliers, records: part.records }, judgedAt));
      const placed = (p: PoisonRecord): PoisonRecord => ({
        ...p,
        index: input.records.indexOf(p.record as DynamoDBRecord),
      });
      const first = lateLettersFirst(
        parts.map((part, i) => ({ probe: probes[i] as LateProbe, rollups: part.rollups })),
        placed,
      );
      const at = now();
      const source = batchStream(input.records);
      const send = async (list: readonly PoisonRecord[]) => {
        if (sink !== undefined && list.length > 0)
          await sink.send(
            list.map((p) => toDeadLetter(p, source, input.deadLetterShardId ?? input.shardId, at)),
          );
      };
      await send(first.letters);
      // every applier folds the same batch (a version under backfill the part its claims leave to the stream): a
      // record folded in two versions is one record folded, so the side reports the most one applier folded, not the
      // sum, as a single applier over several rollups counts a record once
      let folded = 0;
      // records an applier found the store refuses (a sum over 38 digits, a row over 400 KB) or found late: dead
      // letters too, once each (the same record may be refused in several versions: one letter with the rows of each)
      const refused = new Map<string, Refusal[]>();
      for (const [i, part] of parts.entries()) {
        const out = await part.applier.applyProbed(probes[i] as LateProbe);
        mergeReports(report, out.report);
        folded = Math.max(folded, out.report.folded);
        for (const p of out.poison) {
          const key = letterKey(p);
          const list = refused.get(key) ?? [];
          list.push({ poison: placed(p), rollups: part.rollups });
          refused.set(key, list);
        }
      }
      const letters = [...poison, ...[...refused.values()].map(mergeRefusals)];
      await send(letters.filter((p) => !first.keys.has(letterKey(p))));
      report.records = input.records.length;
      report.folded = folded;
      report.poison = letters.length;
      report.durationMs = Date.now() - started;
      return sink === undefined ? { report, poison: letters } : { report, poison: letters, sent: true };
    },
    // every version this side writes keeps row watermarks (transaction is refused above): a record a batch
    // kept failing on may have reached the rows of some versions (the serving one is applied first), and a
    // letter naming every row would count it twice there on replay. The records' claims are settled first, as
    // their batch would have: a record that failed before its claims were written (in the serving version) left an
    // unconverted scan claim, which a later record of the item would pass by (its images are not the scan's), and
    // the replay, converting it from this record, would then miss that later record
    async deadLetterProbe(input: DeadLetterProbeInput): Promise<DeadLetterProbe> {
      if (options.apply?.mode === 'at-least-once') return { strategy: 'all-or-nothing', rollups: deployed };
      const controls = await readControls(options.client, options.table, [...states.deployed.keys()]);
      const rollups: CompiledRollup[] = [];
      const claimed: Array<{
        rollup: string;
        compiled: CompiledRollup;
        windowEndMs: number | undefined;
        entry: VersionEntry;
      }> = [];
      for (const c of deployed) {
        const control = controls.get(c.name);
        // nothing registered yet: nothing was written, and every row is pending
        if (control === undefined) return { strategy: 'all-or-nothing', rollups: deployed };
        for (const v of versionsOfDefinition(control, c.fingerprint)) {
          // retired, or built by a backfill and registered after the records' last attempt (not theirs: its scan
          // reads the items as they left them, and their replay leaves it out too)
          if (v.state === 'retired' || (v.needsBackfill && v.registeredAt > input.at)) continue;
          const compiled = asVersion(c, v.version);
          rollups.push(compiled);
          const window = claimWindow(v, marginMs, input.records);
          if (window !== undefined)
            claimed.push({ rollup: c.name, compiled, windowEndMs: window.windowEndMs, entry: v });
        }
      }
      if (claimed.length > 0 && options.claimTable !== undefined) {
        checkClaimTableNotSource(options.claimTable, input.records);
        const poison = foldBatch(rollups, input.records, { shardId: input.shardId }).poison;
        const bad = new Set(poison.map((p) => p.index));
        const valid = input.records.filter((_, i) => !bad.has(i));
        const ttlSeconds = Math.floor((now() + claimTtlMs) / 1000);
        for (const c of claimed) {
          await bindClaims(c.rollup, c.entry, options.claimTable);
          await claimRecords(
            options.client,
            options.claimTable,
            {
              prefix: claimPrefix(c.compiled.name, c.entry.claimScope),
              reads: c.compiled.reads,
              windowEndMs: c.windowEndMs,
            },
            valid,
            { ttlSeconds },
          );
        }
      }
      return { strategy: 'row-watermark', rollups };
    },
  };
}

/**
 * Fails the batch when a rollup this side deploys would be written in no version: every version of each of its
 * deployed definitions is retired (another definition serves: a side of before a promotion, a rolled-back
 * deploy). Applying the batch without it would pass its records by for good; failing it lets the stream deliver
 * them again once the serving definition is deployed (the stream worker retries it for as long as it is refused,
 * never dead-letters it; Lambda as many times as its mapping retries).
 *
 * @throws {DynotallyError} `VERSION_UNKNOWN` naming the rollup and the version that serves.
 * @example
 * ```ts
 * refuseUnwritten([storeV1.compiled], new Set(), controls); // VERSION_UNKNOWN once version 2 serves
 * ```
 */
function refuseUnwritten(
  deployed: readonly CompiledRollup[],
  written: ReadonlySet<string>,
  controls: ReadonlyMap<string, { serving?: number | undefined } | undefined>,
): void {
  for (const c of deployed) {
    if (written.has(c.name)) continue;
    const serving = controls.get(c.name)?.serving;
    throw new DynotallyError(
      'VERSION_UNKNOWN',
      `rollup '${c.name}': every version of the definitions this stream side deploys is retired (${serving === undefined ? 'no version serves' : `version ${serving} serves another definition`}), so the batch would be counted in no version that is read: it is failed, not skipped; deploy the serving definition (dynotally rollups status ${c.name}) and the stream delivers it again`,
      { details: { rollup: c.name, serving } },
    );
  }
}
