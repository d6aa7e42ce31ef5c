import type { DynamoDBRecord } from 'aws-lambda';
import type { PoisonRecord } from '../fold/index.ts';
import type { ApplyInput } from './applier.ts';
import type { ExclusionsRead } from './given-exclusions.ts';

/**
 * What `Applier.probeLate` found of a batch before anything of it is written: its late records' `RECORD_TOO_OLD`
 * poison, each with the rows its probe finds pending, and what `Applier.applyProbed` then applies. For a write side
 * that composes appliers over the same records (`createVersionedWriteSide`, one per version): it probes every
 * version, merges each record's letters into one, stores them, and only then lets any version write.
 *
 * @example
 * ```ts
 * const probe = await applier.probeLate({ records, shardId });
 * await sink.send(probe.poison.map((p) => toDeadLetter(p, source, shardId, Date.now())));
 * const out = await applier.applyProbed(probe); // out.poison lists probe.poison first
 * ```
 */
export interface LateProbe {
  /** The batch probed, which `applyProbed` applies. */
  readonly input: ApplyInput;
  /**
   * The late records' `RECORD_TOO_OLD` poison, each placed in `ordered`, with the rows its probe finds pending:
   * for the caller to store before `applyProbed` (which never sends them). Empty when no record is late.
   */
  readonly poison: readonly PoisonRecord[];
  /** The batch in sequence order, duplicates dropped: what `poison`'s indexes point into. */
  readonly ordered: readonly DynamoDBRecord[];
  /** What is left to apply: the records on time and the late ones an earlier delivery refused, to be settled. */
  readonly rest: readonly DynamoDBRecord[];
  /** The late records of `rest` (their refusal an earlier delivery recorded: `lateToSettle`). */
  readonly settle: ReadonlySet<DynamoDBRecord>;
  /**
   * The records whose lateness the probe judged, not split off again when `rest` is applied; undefined when it
   * judged none (`lateRecords: 'apply'`, at-least-once), as `apply` does then.
   */
  readonly judged: ReadonlySet<DynamoDBRecord> | undefined;
  /** The shard's exclusions the probe read (or the input carried), for the rest to use instead of reading again. */
  readonly read: ExclusionsRead | undefined;
  /** Retries the probe's reads took, added to the report. */
  readonly retries: number;
}
