import type { Rollup } from 'dynotally';

/**
 * The five reference systems of the dev stack.
 *
 * @example
 * ```ts
 * const id: ScenarioId = 's3';
 * ```
 */
export type ScenarioId = 's0' | 's1' | 's2' | 's3' | 's4';

/**
 * An item of the source table: `pk`/`sk` plus the attributes the scenario's rollup reads.
 *
 * @example
 * ```ts
 * const item: SourceItem = { pk: 'reading#meter-01', sk: '1795356700', type: 'reading', deviceId: 'meter-01', ts: 1795356700, wh: 0.9, watts: 324.5 };
 * ```
 */
export type SourceItem = { readonly pk: string; readonly sk: string } & Readonly<
  Record<string, string | number>
>;

/**
 * The key of a source item.
 *
 * @example
 * ```ts
 * const key: SourceKey = { pk: 'job#acme', sk: 'job-1' };
 * ```
 */
export interface SourceKey {
  readonly pk: string;
  readonly sk: string;
}

/**
 * What a change is, from the generator's point of view (all are real writes to the source table).
 *
 * @example
 * ```ts
 * const kind: SourceChangeKind = 'resend';
 * ```
 */
export type SourceChangeKind = 'insert' | 'modify' | 'delete' | 'resend';

/**
 * One write a generator asks for: a put (insert, modify, or an identical re-send) or a delete.
 * `group` is the rollup group value it touches (the new one, for a modify that moves the item), and
 * `previous` the item as it was before a modify or delete (for freshness probes and logs).
 *
 * @example
 * ```ts
 * const change: SourceChange = { kind: 'insert', item: { pk: 'job#acme', sk: 'j-1', type: 'job', customerId: 'acme', createdAt: 1 }, group: 'acme' };
 * ```
 */
export type SourceChange =
  | { readonly kind: 'insert' | 'resend'; readonly item: SourceItem; readonly group: string }
  | {
      readonly kind: 'modify';
      readonly item: SourceItem;
      readonly group: string;
      readonly previous: SourceItem;
    }
  | {
      readonly kind: 'delete';
      readonly key: SourceKey;
      readonly group: string;
      readonly previous: SourceItem;
    };

/**
 * A scenario's event source: pure and seeded (no I/O, no clock of its own — `now` is passed in), so the
 * same seed and the same calls give the same changes.
 *
 * @example
 * ```ts
 * const gen = scenario('s0').create({ seed: 1 });
 * const change = gen.next(Date.now());
 * ```
 */
export interface ScenarioGenerator {
  readonly id: ScenarioId;
  /** The next live change at wall time `now` (epoch ms). */
  next(now: number): SourceChange;
  /** `count` backdated inserts (history before the live run), e.g. to give charts a shape at start. */
  history(now: number, count: number): SourceChange[];
  /** Told the current rate (events/s); S3 sizes its fleet of meters from it (one reading per meter per 10 s). */
  setRate?(rate: number): void;
}

/**
 * Options for creating a {@link ScenarioGenerator}.
 *
 * @example
 * ```ts
 * scenario('s3').create({ seed: 7, rate: 2 } satisfies GeneratorOptions);
 * ```
 */
export interface GeneratorOptions {
  /** PRNG seed (default: a fixed per-scenario seed). */
  seed?: number;
  /** Expected events/s, for generators whose shape depends on it (S3). */
  rate?: number;
}

/**
 * One reference system: what it is, the rollup that reads its items, and its generator.
 *
 * @example
 * ```ts
 * for (const s of SCENARIOS) console.log(s.id, s.title, s.rollup.name);
 * ```
 */
export interface ScenarioInfo {
  readonly id: ScenarioId;
  /** Short title, e.g. "Jobs per customer". */
  readonly title: string;
  /** One sentence: what the items are and which changes the generator makes. */
  readonly description: string;
  /** The reference rollup that aggregates this scenario's items. */
  readonly rollup: Rollup;
  /** Item attributes the generator writes (besides `pk`/`sk`). */
  readonly attributes: readonly string[];
  /**
   * A group the generator writes, and the one it writes most (the head of its Zipf draw, or its first meter): what
   * a first query of the reference rollup asks for (`query total jobs --group customerId=acme`).
   */
  readonly exampleGroup: Readonly<Record<string, string>>;
  create(options?: GeneratorOptions): ScenarioGenerator;
}
