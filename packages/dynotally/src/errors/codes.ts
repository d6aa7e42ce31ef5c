/**
 * Every stable error code dynotally can raise, with a one-line meaning.
 * Codes never change once released; messages may.
 *
 * @example
 * ```ts
 * import { defineRollup, isDynotallyError } from 'dynotally';
 * try { defineRollup(bad); } catch (e) {
 *   if (isDynotallyError(e, 'DEFINITION_INVALID')) console.error(e.message);
 * }
 * ```
 */
export const ERROR_CODES = {
  // definition time
  DEFINITION_INVALID: 'a rollup definition is malformed',
  UNKNOWN_TIME_ZONE: 'the time zone is not a valid IANA zone name',
  GRANULARITY_INVALID: 'a granularity is unknown or cannot be derived',
  MEASURE_INVALID: 'a measure is malformed, duplicated or uses a reserved name',
  DURATION_INVALID: 'a duration string such as 7d or 15m is malformed',
  // decode / fold (per record; such records go to the dead-letter sink)
  RECORD_MALFORMED: 'a stream record does not have the DynamoDB stream record shape',
  IMAGE_MISSING: 'a stream record lacks the old or new image a rollup needs (KEYS_ONLY stream?)',
  VALUE_INVALID: 'an item attribute, or a groupBy function, gives a value the rollup cannot use',
  NUMBER_OUT_OF_RANGE: 'a number exceeds DynamoDB precision (38 significant digits) or range',
  KEY_TOO_LARGE:
    "a record's group values make a partition key over DynamoDB's 2,048 bytes (or a sort key over 1,024): shorten the group values or group by a shorter attribute",
  ITEM_TOO_LARGE:
    "a value would let an aggregate row grow past DynamoDB's 400 KB item limit (a long string kept by last()), or a row's exactly-once state (one entry per shard that wrote it within about 25 h) would: shorten the value in the source item, or replay the dead letter once older entries are pruned",
  NUMBER_UNREPRESENTABLE:
    "a record's delta cannot be added to a stored sum within DynamoDB's 38 significant digits (say 1e-19 onto 1e20): the record is dead-lettered and its other rows are left as if it never came",
  // apply / stores
  SHARD_ID_MISSING: 'exactly-once needs the shard id of a batch',
  APPLY_FAILED:
    'a DynamoDB call (a write of a batch, or a read made for one, a query or a command) still failed after bounded retries',
  TABLE_SCHEMA_MISMATCH: 'an existing table does not have the schema dynotally needs',
  TABLE_NOT_FOUND: 'a table does not exist',
  TABLE_NOT_ACTIVE: 'a table or one of its indexes did not become ACTIVE in time',
  JAVA_MISSING: 'DynamoDB Local needs Java 17 or newer',
  PEER_MISSING: 'an optional peer dependency this feature needs is not installed',
  LOCAL_START_FAILED: 'DynamoDB Local or redis-server did not start',
  // query
  QUERY_INVALID: 'a query has bad arguments',
  UNKNOWN_ROLLUP: 'no rollup with that name was given to the client',
  UNKNOWN_MEASURE: 'the rollup has no measure with that name',
  GROUP_INVALID: 'a group value is missing an attribute of the rollup groupBy',
  WINDOW_NOT_SERVABLE: 'no stored granularity and retention can answer the window exactly',
  LEADERBOARD_NOT_CONFIGURED: 'the rollup has no leaderboard for that measure and bucket',
  VERSION_BUILDING:
    'the rollup version a query names is still being built (backfill running): query the rollup by name for the serving version, or promote it once ready',
  // versions and backfill
  VERSION_UNKNOWN: 'a rollup definition or version number is not in the rollup control item',
  VERSION_NOT_DEPLOYED:
    'a newer version of a rollup (building, ready or serving) is registered whose definition this stream side does not deploy: the batch is failed, not applied without it; deploy the new definition everywhere, or retire the version to roll back (dynotally rollups retire)',
  PROMOTE_REFUSED:
    'a version cannot be promoted: its backfill has not completed (or another promotion won), or a repair held a rebuild that lacks items the store refused',
  BACKFILL_REFUSED: 'a backfill cannot run: the version is not building, or the rollup cannot be backfilled',
  RETIRE_REFUSED:
    'a version cannot be retired: it serves reads (promote another version first), or it is not in the control item',
  DELETE_REFUSED:
    "a version's rows cannot be deleted: only a retired version (replaced by a promotion) is deleted; see dynotally rollups status",
  DRIFT_FOUND:
    'verify found stored cells that differ from the source in every pass: rebuild the rollup through a new version (dynotally verify <rollup> --repair, or repairRollup)',
  // runtime / cli
  CONFIG_INVALID: 'a configuration file, flag or environment variable is invalid',
  REDIS_UNAVAILABLE: 'the Redis buffer cannot be reached',
  REDIS_NOT_REPLICATED:
    "the Redis buffer's writes were not confirmed on waitReplicas.min replicas in time (fewer acknowledged, or Redis did not answer the WAIT): the batch or flush that needed them did nothing more and is retried",
  REDIS_SCRIPT_FAILED:
    'a Redis buffer script failed inside Redis (a Lua error): a bug in dynotally or a Redis it does not support, not an outage; report it with the message',
  BUFFERED_BATCH_UNFINISHED:
    "the Redis buffer took a batch, but a step after its script failed (the batch's min / max / last writes to DynamoDB, or the dead-letter sink's send of its refused records): Redis holds its counts, so the batch is retried (adding nothing again), never dead-lettered",
  FLUSH_LOCKED:
    "a flush of every Redis buffer bucket (flush --all) waited for another flusher's lock and never got it: nothing was flushed; run it again",
  WORKER_ERROR: 'the stream worker hit an unrecoverable error',
  RECORD_TOO_OLD:
    'a stream record was older than the worker maxRecordAgeMs, or (lateRecords: dead-letter) than the redelivery horizon its exactly-once state is kept for, and was skipped to the dead-letter sink',
  RETRIES_EXHAUSTED:
    'a batch kept failing after bounded retries (and bisection) and its records were skipped to the dead-letter sink',
  LEASE_LOST: 'another stream worker took over a shard lease (expiry or rebalancing)',
  APPLY_TIMEOUT:
    "a stream worker's call of its write side (or of its dead-letter sink) did not settle within applyTimeoutMs: the worker gave the shard's lease up without checkpointing the batch, which is redelivered (to another worker when there is one)",
  ROW_REJECTED:
    'DynamoDB refused an aggregate row the Redis flusher wrote (key or item over its limits); its deltas went to the dead-letter sink',
  DEAD_LETTER_NOT_FOUND:
    'no dead letter has that id (list them with `dynotally dead-letters list`; a dropped or expired one is gone)',
  DEAD_LETTER_NOT_REPLAYABLE:
    'a dead letter cannot be replayed as it is (still poison for the current rollups, truncated, its item claim no longer stored, or half replayed and asked to be dropped): fix the cause, then replay it again',
  SOURCE_WRITE_FAILED: 'a scenario generator could not write to the source table',
  ENDPOINT_UNREACHABLE: 'the DynamoDB endpoint does not answer',
  REGION_MISSING:
    'no AWS region is configured: set AWS_REGION or --region, or point at DynamoDB Local with --endpoint',
  AWS_REQUEST_FAILED: 'an AWS request failed for a reason dynotally does not know more about',
  INTERNAL_ERROR: 'an unexpected error inside dynotally (a bug: run with --verbose and report it)',
  READ_FAILED: 'reads from the aggregate store kept being throttled or failing after bounded retries',
  // deploy (dynotally/cdk, raised at synth)
  SOURCE_STREAM_INVALID:
    'the source table has no DynamoDB stream, or its stream does not carry old and new images (NEW_AND_OLD_IMAGES)',
  EVENT_SOURCE_INVALID:
    'event source mapping settings that would break exactly-once, skip batches unrecorded (retry or age limits without onFailure), or that Lambda rejects (parallelization, tumbling window, batch size, settings known only at deploy time)',
} as const;

/** A stable dynotally error code. */
export type ErrorCode = keyof typeof ERROR_CODES;
