import type { AttributeValue, GetItemCommandInput, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { newClaimScope } from './claim-scope.ts';
import { controlKey, fingerprintAttr, type VersionState, versionAttr } from './control-item.ts';

/**
 * The strongly consistent `GetItem` of a rollup's control item.
 *
 * @example
 * ```ts
 * await client.send(new GetItemCommand(readControlParams('aggregates', 'store')));
 * ```
 */
export function readControlParams(table: string, rollup: string): GetItemCommandInput {
  return { TableName: table, Key: controlKey(rollup), ConsistentRead: true };
}

/** What {@link registerVersionParams} registers. */
export interface RegisterVersion {
  fingerprint: string;
  /** The number it gets: the control item's `next` (1 when there is no control item). */
  version: number;
  /** `next` as read; undefined when the control item does not exist yet. */
  expectedNext: number | undefined;
  state: VersionState;
  needsBackfill: boolean;
  now: number;
  /**
   * The build id of a version built by a backfill (`needsBackfill`), which keys its claims and progress
   * (`claimPrefix`); a new one (`newClaimScope`) when not given.
   */
  claimScope?: string | undefined;
}

/**
 * Registers a fingerprint as version `n` (a version built by a backfill with a new build id keying its claims and
 * progress: `v<n>.claims.scope`), only if no version has that fingerprint and nobody registered another
 * version since `next` was read (so two stream processes never give one number to two fingerprints). A version
 * registered as `serving` also becomes the serving version.
 *
 * @example
 * ```ts
 * registerVersionParams('aggregates', 'store', { fingerprint: fp, version: 2, expectedNext: 2,
 *   state: 'building', needsBackfill: true, now: Date.now() });
 * ```
 */
export function registerVersionParams(
  table: string,
  rollup: string,
  r: RegisterVersion,
): UpdateItemCommandInput {
  const names: Record<string, string> = {
    '#v': versionAttr(r.version),
    '#fp': fingerprintAttr(r.fingerprint),
    '#next': 'next',
    '#rollup': 'rollup',
  };
  const values: Record<string, AttributeValue> = {
    ':entry': {
      M: {
        fp: { S: r.fingerprint },
        state: { S: r.state },
        registeredAt: { N: String(r.now) },
        needsBackfill: { BOOL: r.needsBackfill },
        // a map where earlier releases bind a string: one of them finds its claim table refused for this version
        // (CONFIG_INVALID) rather than claim under the bare prefix, where this release's processes never look
        ...(r.needsBackfill ? { claims: { M: { scope: { S: r.claimScope ?? newClaimScope() } } } } : {}),
      },
    },
    ':n': { N: String(r.version) },
    ':n1': { N: String(r.version + 1) },
    ':rollup': { S: rollup },
  };
  let update = 'SET #v = :entry, #fp = :n, #next = :n1, #rollup = :rollup';
  if (r.state === 'serving') {
    names['#serving'] = 'serving';
    update += ', #serving = :n';
  }
  const condition =
    r.expectedNext === undefined
      ? 'attribute_not_exists(#fp) AND attribute_not_exists(#next)'
      : 'attribute_not_exists(#fp) AND #next = :expected';
  if (r.expectedNext !== undefined) values[':expected'] = { N: String(r.expectedNext) };
  return {
    TableName: table,
    Key: controlKey(rollup),
    UpdateExpression: update,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * Retires a version of a definition that does not serve and is `building` or `ready`: one whose backfill can never
 * complete (past its claims' lifetime), or one of two unfinished versions of a definition that a repair does not
 * finish, so the stream side stops writing it and `deleteRetiredVersions` can delete its rows. Conditioned on the
 * version still being `building` or `ready` and not being the serving version (a promotion makes it `serving`).
 *
 * @example
 * ```ts
 * retireUnservedParams('aggregates', 'store', { version: 2, now: Date.now() });
 * ```
 */
export function retireUnservedParams(
  table: string,
  rollup: string,
  p: { version: number; now: number },
): UpdateItemCommandInput {
  return {
    TableName: table,
    Key: controlKey(rollup),
    UpdateExpression: 'SET #v.#state = :retired, #v.retiredAt = :now',
    ConditionExpression:
      '#v.#state IN (:building, :ready) AND (attribute_not_exists(#serving) OR #serving <> :n)',
    ExpressionAttributeNames: { '#v': versionAttr(p.version), '#state': 'state', '#serving': 'serving' },
    ExpressionAttributeValues: {
      ':retired': { S: 'retired' },
      ':building': { S: 'building' },
      ':ready': { S: 'ready' },
      ':n': { N: String(p.version) },
      ':now': { N: String(p.now) },
    },
  };
}

/**
 * Records a repair's hold on a `ready` version (`hold`: the items the store refused during its backfill, and when),
 * conditioned on it still being `ready`. A map in the version's entry: a release that does not know it ignores it.
 *
 * @example
 * ```ts
 * holdParams('aggregates', 'store', { version: 2, storeRefused: 1, now: Date.now() });
 * ```
 */
export function holdParams(
  table: string,
  rollup: string,
  p: { version: number; storeRefused: number; now: number },
): UpdateItemCommandInput {
  return {
    TableName: table,
    Key: controlKey(rollup),
    UpdateExpression: 'SET #v.#hold = :hold',
    ConditionExpression: '#v.#state = :ready',
    ExpressionAttributeNames: { '#v': versionAttr(p.version), '#state': 'state', '#hold': 'hold' },
    ExpressionAttributeValues: {
      ':ready': { S: 'ready' },
      ':hold': { M: { storeRefused: { N: String(p.storeRefused) }, at: { N: String(p.now) } } },
    },
  };
}

/**
 * Makes `version` the serving version in one write: it becomes `serving`, the previous serving version (if any)
 * `retired`. Conditioned on the version being `ready` and not held by a repair (`hold`), or, with `force`, `ready`
 * (held or not) or `building`, and on the serving version being the one read, so two promotions never interleave.
 *
 * @example
 * ```ts
 * promoteParams('aggregates', 'store', { version: 2, previous: 1, force: false, now: Date.now() });
 * ```
 */
export function promoteParams(
  table: string,
  rollup: string,
  p: { version: number; previous: number | undefined; force: boolean; now: number },
): UpdateItemCommandInput {
  const names: Record<string, string> = {
    '#v': versionAttr(p.version),
    '#serving': 'serving',
    '#state': 'state',
  };
  const values: Record<string, AttributeValue> = {
    ':n': { N: String(p.version) },
    ':serving': { S: 'serving' },
    ':ready': { S: 'ready' },
    ':now': { N: String(p.now) },
  };
  let update = 'SET #serving = :n, #v.#state = :serving, #v.promotedAt = :now';
  // a version a repair held (it lacks items the store refused) only with force
  let condition = p.force
    ? '#v.#state IN (:ready, :building)'
    : '#v.#state = :ready AND attribute_not_exists(#v.#hold)';
  if (p.force) values[':building'] = { S: 'building' };
  else names['#hold'] = 'hold'; // a reserved word
  if (p.previous === undefined) condition += ' AND attribute_not_exists(#serving)';
  else {
    names['#p'] = versionAttr(p.previous);
    values[':prev'] = { N: String(p.previous) };
    values[':retired'] = { S: 'retired' };
    update += ', #p.#state = :retired, #p.retiredAt = :now';
    condition += ' AND #serving = :prev';
  }
  return {
    TableName: table,
    Key: controlKey(rollup),
    UpdateExpression: update,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * Records a backfill's start (`endedAt` undefined) or its end, which also makes a `building` version `ready` (and
 * held, given `hold`: it lacks items the store refused while another version serves).
 * Conditioned on the version being `building`; a start also on no start being recorded, so the first process to
 * start a version's backfill decides its segment count for every process that builds it (progress is kept per
 * count and a claim names only its segment and chunk: scans over two counts would count items twice). Given
 * `serving`, it records them for a version promoted before its backfill ended (forced): conditioned on the version
 * serving and, for an end, on no end being recorded; its state stays `serving` and no hold is recorded.
 *
 * @example
 * ```ts
 * backfillRecordParams('aggregates', 'store', 2, { startedAt: t0, segments: 4 });
 * backfillRecordParams('aggregates', 'store', 2, { startedAt: t0, segments: 4, endedAt: Date.now() });
 * ```
 */
export function backfillRecordParams(
  table: string,
  rollup: string,
  version: number,
  b: {
    startedAt: number;
    segments: number;
    endedAt?: number | undefined;
    storeRefused?: number | undefined;
    hold?: { storeRefused: number; at: number } | undefined;
    /** The source table's ARN the build is bound to: kept by the end, which writes the whole record again. */
    source?: string | undefined;
    /** The version serves already (promoted by force before its backfill ended). */
    serving?: boolean | undefined;
  },
): UpdateItemCommandInput {
  const bf: Record<string, AttributeValue> = {
    startedAt: { N: String(b.startedAt) },
    segments: { N: String(b.segments) },
  };
  if (b.source !== undefined) bf.source = { S: b.source };
  if (b.endedAt !== undefined) bf.endedAt = { N: String(b.endedAt) };
  // with the end: what the segments' progress items say the store refused, which outlives them (they expire)
  if (b.endedAt !== undefined && b.storeRefused !== undefined)
    bf.storeRefused = { N: String(b.storeRefused) };
  const names: Record<string, string> = { '#v': versionAttr(version), '#state': 'state' };
  const values: Record<string, AttributeValue> = {
    ':bf': { M: bf },
    ...(b.serving === true ? { ':serving': { S: 'serving' } } : { ':building': { S: 'building' } }),
  };
  let update = 'SET #v.backfill = :bf';
  let condition = '#v.#state = :building';
  if (b.serving === true) {
    names['#bf'] = 'backfill';
    // a forced version's backfill completes it in place: its state stays, and its end is recorded once
    if (b.endedAt !== undefined) {
      names['#end'] = 'endedAt';
      condition = '#v.#state = :serving AND attribute_not_exists(#v.#bf.#end)';
    } else condition = '#v.#state = :serving AND attribute_not_exists(#v.#bf)';
  } else if (b.endedAt !== undefined) {
    update += ', #v.#state = :ready';
    values[':ready'] = { S: 'ready' };
    // a backfill short of items the store refused is held in the same write that makes it ready: no promotion
    // (its own --promote included) slips in between
    if (b.hold !== undefined) {
      update += ', #v.#hold = :hold';
      names['#hold'] = 'hold';
      values[':hold'] = {
        M: { storeRefused: { N: String(b.hold.storeRefused) }, at: { N: String(b.hold.at) } },
      };
    }
  } else {
    names['#bf'] = 'backfill';
    condition += ' AND attribute_not_exists(#v.#bf)';
  }
  return {
    TableName: table,
    Key: controlKey(rollup),
    UpdateExpression: update,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
