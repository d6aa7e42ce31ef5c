import { Duration, Token } from 'aws-cdk-lib';
import { DynotallyError } from '../errors/index.ts';

/**
 * How the handler applies batches, as far as the event source mapping is concerned. `exactly-once` (the
 * default) needs the shard id in every event, so a tumbling window, and one concurrent batch per shard;
 * `at-least-once` relaxes both (and counts a redelivered batch twice).
 *
 * @example
 * ```ts
 * const mode: DeployMode = 'at-least-once';
 * ```
 */
export type DeployMode = 'exactly-once' | 'at-least-once';

/**
 * The event source mapping knobs of {@link DynotallyAggregates} (all optional).
 *
 * @example
 * ```ts
 * const tuning: EventSourceTuning = { batchSize: 500, maxBatchingWindow: Duration.seconds(2) };
 * ```
 */
export interface EventSourceTuning {
  /** Records per batch, 1 – 10,000. Default 1,000: larger batches coalesce more changes into one row write. */
  batchSize?: number;
  /**
   * How long Lambda gathers records before invoking, ≤ 5 min. Default 1 s (fewer, fuller batches). A value known only
   * at deploy time (a token) must be in seconds (`Duration.seconds(param.valueAsNumber)`): the mapping takes seconds.
   */
  maxBatchingWindow?: Duration;
  /**
   * Tumbling window, 1 s – 15 min. Default 1 s. Exactly-once needs one: only then does Lambda put `shardId`
   * in the event; so in `exactly-once` mode it must be known at synth (a token, which could be 0, is refused); in
   * `at-least-once` a token must be in seconds, as the mapping takes it. The handler keeps no window state, so the
   * shortest window is the right one.
   */
  tumblingWindow?: Duration;
  /**
   * Concurrent batches per shard, 1 – 10. Default 1; more than 1, or a token (known only at deploy time), only in
   * `at-least-once` mode.
   */
  parallelizationFactor?: number;
  /**
   * Retries of a failing batch before Lambda skips it (to `onFailure`), 0 – 10,000, or -1 for no limit. Default -1:
   * retried until its records pass `maxRecordAge`. Poison records never fail a batch (they go to the dead-letter
   * table), so a failing batch means throttling or a permission problem, and retrying is what keeps its counts; a
   * count of retries could run out in minutes when each one fails at once. A limit needs `onFailure` (or
   * `acceptSilentBatchLoss`): refused at synth otherwise, since a skipped batch's counts would be lost unseen.
   */
  retryAttempts?: number;
  /**
   * Oldest record Lambda still sends, 60 s – 7 d. Default 24 h, the stream's retention (never cuts earlier).
   * The handler gets it in `DYNOTALLY_MAX_RECORD_AGE_SECONDS`: a shorter age prunes exactly-once states sooner. Under
   * 24 h it needs `onFailure` (or `acceptSilentBatchLoss`), as `retryAttempts` does. A fixed duration: aws-cdk-lib
   * refuses a token here, and so does this construct, saying why.
   */
  maxRecordAge?: Duration;
  /** Split a failing batch in two and retry the halves. Default true (safe: exactly-once absorbs the re-cut). */
  bisectBatchOnError?: boolean;
}

/**
 * {@link EventSourceTuning} with every default filled in and every limit checked.
 *
 * @example
 * ```ts
 * const s: EventSourceSettings = eventSourceSettings({}, 'exactly-once');
 * s.parallelizationFactor; // 1
 * ```
 */
export interface EventSourceSettings {
  batchSize: number;
  maxBatchingWindow: Duration;
  tumblingWindow: Duration | undefined;
  parallelizationFactor: number;
  retryAttempts: number;
  maxRecordAge: Duration;
  bisectBatchOnError: boolean;
}

/**
 * Event source mapping defaults.
 *
 * @example
 * ```ts
 * EVENT_SOURCE_DEFAULTS.batchSize; // 1000
 * ```
 */
export const EVENT_SOURCE_DEFAULTS = {
  batchSize: 1000,
  maxBatchingWindowSeconds: 1,
  tumblingWindowSeconds: 1,
  parallelizationFactor: 1,
  retryAttempts: -1,
  maxRecordAgeHours: 24,
  bisectBatchOnError: true,
} as const;

function invalid(message: string, details: Record<string, unknown>): never {
  throw new DynotallyError('EVENT_SOURCE_INVALID', `DynotallyAggregates: ${message}`, { details });
}

function checkRange(option: string, value: number | undefined, min: number, max: number, unit = ''): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max)
    invalid(`${option} must be a whole number from ${min}${unit} to ${max}${unit}, got ${value}${unit}`, {
      option,
      value,
      min,
      max,
    });
}

/**
 * Refuses a duration only known at deploy time (a token) in a unit other than seconds. The mapping takes seconds, and
 * a token cannot be converted at synth (CloudFormation does no arithmetic): aws-cdk-lib's event source mapping threw
 * its own error then, naming no option. A token in seconds goes to CloudFormation as it is, as aws-cdk-lib passes it.
 */
function checkTokenUnit(option: string, d: Duration | undefined): void {
  if (d === undefined || !d.isUnresolved() || d.unitLabel() === 'seconds') return;
  invalid(
    `${option} is only known at deploy time (a token) in ${d.unitLabel()}, and the event source mapping takes seconds, which a token cannot be converted to at synth: give the token in seconds (Duration.seconds(param.valueAsNumber), the parameter in seconds), or a fixed Duration`,
    { option, unit: d.unitLabel() },
  );
}

/** A duration's seconds, or undefined when it is absent or only known at deploy time (a token). */
function seconds(d: Duration | undefined): number | undefined {
  return d === undefined || d.isUnresolved() ? undefined : d.toSeconds({ integral: false });
}

/**
 * Fills in the defaults and checks the limits, failing at synth with `EVENT_SOURCE_INVALID`: in `exactly-once`
 * mode a `parallelizationFactor` above 1 or only known at deploy time (two batches of one shard would race past
 * each other's watermarks) or a tumbling window under 1 s or only known at deploy time (Lambda then sends no
 * `shardId`, and the handler would throw `SHARD_ID_MISSING` on every batch) is rejected; `at-least-once` allows them. Out-of-range values Lambda
 * itself would reject are caught here too, with the option's name.
 *
 * @example
 * ```ts
 * eventSourceSettings({ parallelizationFactor: 4 }, 'exactly-once'); // throws EVENT_SOURCE_INVALID
 * eventSourceSettings({ parallelizationFactor: 4, tumblingWindow: Duration.seconds(0) }, 'at-least-once'); // fine
 * ```
 */
export function eventSourceSettings(tuning: EventSourceTuning, mode: DeployMode): EventSourceSettings {
  const d = EVENT_SOURCE_DEFAULTS;
  if (mode !== 'exactly-once' && mode !== 'at-least-once')
    invalid(`mode must be 'exactly-once' or 'at-least-once', got ${String(mode)}`, { option: 'mode', mode });
  const exactlyOnce = mode === 'exactly-once';
  const factor = tuning.parallelizationFactor ?? d.parallelizationFactor;
  checkRange('parallelizationFactor', factor, 1, 10);
  // exactly-once admits one value: a factor known only at deploy time (a parameter) could be anything up to 10
  if (exactlyOnce && Token.isUnresolved(factor))
    invalid(
      `parallelizationFactor is only known at deploy time (a token), and exactly-once needs it to be 1 (one consumer per shard): remove it (default 1), or set mode: 'at-least-once' (a redelivered batch then counts twice)`,
      { option: 'parallelizationFactor', mode },
    );
  if (exactlyOnce && !Token.isUnresolved(factor) && factor > 1)
    invalid(
      `parallelizationFactor ${factor} would run ${factor} batches of one shard at once, and exactly-once needs one consumer per shard: remove it (default 1), or set mode: 'at-least-once' (a redelivered batch then counts twice)`,
      { option: 'parallelizationFactor', value: factor, mode },
    );
  const window = seconds(tuning.tumblingWindow);
  // a window known only at deploy time could be 0 (no window: no shard id, every batch refused until its records
  // are too old and Lambda skips it)
  if (exactlyOnce && tuning.tumblingWindow?.isUnresolved() === true)
    invalid(
      `tumblingWindow is only known at deploy time (a token), and exactly-once needs a tumbling window of at least 1 s (without one Lambda sends no shard id, and every batch is refused): give a fixed Duration of 1 s to 15 min, remove it (default 1 s), or set mode: 'at-least-once'`,
      { option: 'tumblingWindow', mode },
    );
  if (exactlyOnce && window !== undefined && window < 1)
    invalid(
      `tumblingWindow ${window} s: exactly-once needs a tumbling window of at least 1 s, which is what makes Lambda send the shard id: remove it (default 1 s), or set mode: 'at-least-once'`,
      { option: 'tumblingWindow', seconds: window, mode },
    );
  checkRange('tumblingWindow', window === 0 ? undefined : window, 1, 900, ' s');
  // (at-least-once: exactly-once refused any token above)
  checkTokenUnit('tumblingWindow', tuning.tumblingWindow);
  checkRange('batchSize', tuning.batchSize, 1, 10_000);
  if (tuning.retryAttempts !== -1) checkRange('retryAttempts', tuning.retryAttempts, 0, 10_000);
  checkTokenUnit('maxBatchingWindow', tuning.maxBatchingWindow);
  checkRange('maxBatchingWindow', seconds(tuning.maxBatchingWindow), 0, 300, ' s');
  // aws-cdk-lib's event source mapping compares the seconds with its limits at synth, and a token's encoded number
  // fails that with a message that does not say why
  if (tuning.maxRecordAge?.isUnresolved() === true)
    invalid(
      `maxRecordAge is only known at deploy time (a token), which aws-cdk-lib's event source mapping cannot check at synth and refuses: give a fixed Duration of 60 s to 7 d, or remove it (default 24 h)`,
      { option: 'maxRecordAge' },
    );
  checkRange('maxRecordAge', seconds(tuning.maxRecordAge), 60, 604_800, ' s');
  const tumblingWindow =
    tuning.tumblingWindow === undefined
      ? exactlyOnce
        ? Duration.seconds(d.tumblingWindowSeconds)
        : undefined
      : window === 0
        ? undefined
        : tuning.tumblingWindow;
  return {
    batchSize: tuning.batchSize ?? d.batchSize,
    maxBatchingWindow: tuning.maxBatchingWindow ?? Duration.seconds(d.maxBatchingWindowSeconds),
    tumblingWindow,
    parallelizationFactor: factor,
    retryAttempts: tuning.retryAttempts ?? d.retryAttempts,
    maxRecordAge: tuning.maxRecordAge ?? Duration.hours(d.maxRecordAgeHours),
    bisectBatchOnError: tuning.bisectBatchOnError ?? d.bisectBatchOnError,
  };
}
