import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { withRetry } from '../apply/retry.ts';
import { progressTtlSeconds } from './progress-item.ts';

/**
 * How many state slots one build has: more than the segments a fleet runs at once (`segmentConcurrency` is at most
 * 1,000 per process), so every segment in flight has one. A segment that starts while all are held is applied under
 * a state of its own instead (as every segment was before slots).
 */
export const STATE_SLOTS = 1024;

/**
 * The scale of a slot's generation in the sequence numbers of the records a segment applies under it:
 * `generation × 10²⁰ + chunk × 10⁶ + position`. A segment's own numbers stay below 10²⁰ (fewer than 10¹⁴ chunks),
 * so every record of a later holder of the slot comes after every record of an earlier one.
 */
export const SLOT_GENERATION_SCALE = 10n ** 20n;

/**
 * The slot a segment applies its chunks under: its number and the generation the segment took it at.
 *
 * @example
 * ```ts
 * const slot: StateSlot = { slot: 3, generation: 12 };
 * ```
 */
export interface StateSlot {
  readonly slot: number;
  readonly generation: number;
}

/**
 * The shard a segment's chunks are applied as (whose exactly-once state the rows carry): the slot's when it has
 * one, else the segment's own (`bf-<segment>/<segments>`).
 *
 * @example
 * ```ts
 * stateShardId({ slot: 3, generation: 12 }, 7, 200); // 'bf-slot-3'
 * stateShardId(undefined, 7, 200); // 'bf-7/200'
 * ```
 */
export function stateShardId(slot: StateSlot | undefined, segment: number, segments: number): string {
  return slot === undefined ? `bf-${segment}/${segments}` : `bf-slot-${slot.slot}`;
}

/**
 * What is added to a scanned record's sequence number (chunk × 10⁶ + position) under a slot: its generation
 * times {@link SLOT_GENERATION_SCALE} (0 without a slot).
 *
 * @example
 * ```ts
 * slotOffset({ slot: 3, generation: 12 }); // 1200000000000000000000n
 * ```
 */
export function slotOffset(slot: StateSlot | undefined): bigint {
  return slot === undefined ? 0n : BigInt(slot.generation) * SLOT_GENERATION_SCALE;
}

/**
 * The claim-table key of a build's slot item: per slot `s`, its generation (`g<s>`) and the segment holding it
 * (`h<s>`, removed when released), with a `ttl` 30 days after its last write, as a progress item's.
 *
 * @example
 * ```ts
 * slotsKey('store.v2'); // { pk: { S: '~bf#store.v2#slots' } }
 * ```
 */
export function slotsKey(prefix: string): Record<string, AttributeValue> {
  return { pk: { S: `~bf#${prefix}#slots` } };
}

/**
 * The state slots of one build, as one process takes them for its segments (one at a time: the slot the segment
 * holds already, else the lowest free one, except that a build's first takes aim at rank `segment mod 64` and a take
 * whose write collided at one of the lowest 2, 4 … 64 free ones; so a fleet running N segments at once uses about N
 * slots, up to 64 more, and a row keeps that many of the build's states, whatever the segment count). A slot is free once the segment that took it last released it, after its progress
 * item says it is done ({@link StateSlots.release}), or when that segment is the one asking (an earlier take of it
 * that stopped before recording the slot). Taking it raises its generation, conditioned on the one read, so two
 * processes never take one generation; the segment records the slot in its progress item ({@link recordSlot})
 * before it applies anything, and every process running the segment applies under that one.
 *
 * Why this keeps exactly-once: a slot is a shard whose records come in order, holder after holder. A later holder
 * starts only once the earlier one is done, so every row the earlier one reaches holds all its chunks; a process
 * still applying one of them late (it read the progress before the end) finds the row's state past its records
 * (the later holder's generation) and counts nothing, as a stream redelivery would.
 *
 * @example
 * ```ts
 * const slots = new StateSlots(client, 'dynotally-claims', 'store.v2', Date.now);
 * const slot = await slots.take(7); // { slot: 0, generation: 1 }, or undefined when every slot is held
 * ```
 */
export class StateSlots {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly claimTable: string,
    private readonly prefix: string,
    private readonly now: () => number,
  ) {}

  /** Takes a free slot for `segment`; undefined when every slot is held. */
  take(segment: number): Promise<StateSlot | undefined> {
    return this.inTurn(() => this.takeNow(segment));
  }

  /**
   * Frees every slot `segment` holds: call it only once the segment's progress item says it is done (for good), so
   * nothing of it is applied again but a late process's chunk, which the next holder's generation refuses.
   */
  release(segment: number): Promise<void> {
    return this.inTurn(() => this.releaseNow(segment));
  }

  private inTurn<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async takeNow(segment: number): Promise<StateSlot | undefined> {
    let item = await this.read();
    // the slot ranked `rank` among the free ones (the segment's own held slot first: a lost reply's retry)
    let rank = freshBuild(item) ? segment % FRESH_SPREAD : 0;
    let window = 1;
    for (let attempt = 0; ; attempt++) {
      const s = pickSlot(item, segment, rank);
      if (s === undefined) return undefined;
      const generation = numberAt(item, `g${s}`);
      const taken = await this.claim(s, generation, segment);
      if (taken === true) return { slot: s, generation: (generation ?? 0) + 1 };
      // taken meanwhile by another process: the failed write returned the item as it is now (no second read), and
      // the next try spreads over twice as many of the lowest free slots, so processes that collided part
      item = taken;
      window = Math.min(FRESH_SPREAD, window * 2);
      rank = spreadRank(segment, attempt, window);
    }
  }

  private async releaseNow(segment: number): Promise<void> {
    const item = await this.read();
    const held = Object.keys(item).filter((k) => /^h\d+$/.test(k) && numberAt(item, k) === segment);
    if (held.length === 0) return;
    const names: Record<string, string> = {};
    held.forEach((k, i) => {
      names[`#h${i}`] = k;
    });
    // false: another process released one of them (and maybe another segment took it): released enough
    await updatedIf(this.client, {
      TableName: this.claimTable,
      Key: slotsKey(this.prefix),
      UpdateExpression: `SET #ttl = :ttl REMOVE ${held.map((_, i) => `#h${i}`).join(', ')}`,
      ConditionExpression: held.map((_, i) => `#h${i} = :h`).join(' AND '),
      ExpressionAttributeNames: { ...names, '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ':h': { N: String(segment) },
        ':ttl': { N: String(progressTtlSeconds(this.now())) },
      },
    });
  }

  private async read(): Promise<Record<string, AttributeValue>> {
    const got = await withRetry(() =>
      this.client.send(
        new GetItemCommand({ TableName: this.claimTable, Key: slotsKey(this.prefix), ConsistentRead: true }),
      ),
    );
    return got.Item ?? {};
  }

  /** True when taken; else the slot item as the failed condition found it. */
  private async claim(
    slot: number,
    generation: number | undefined,
    segment: number,
  ): Promise<true | Record<string, AttributeValue>> {
    const values: Record<string, AttributeValue> = {
      ':g1': { N: String((generation ?? 0) + 1) },
      ':h': { N: String(segment) },
      ':ttl': { N: String(progressTtlSeconds(this.now())) },
    };
    if (generation !== undefined) values[':g0'] = { N: String(generation) };
    const written = await updatedOr(this.client, {
      TableName: this.claimTable,
      Key: slotsKey(this.prefix),
      UpdateExpression: 'SET #g = :g1, #h = :h, #ttl = :ttl',
      ConditionExpression: generation === undefined ? 'attribute_not_exists(#g)' : '#g = :g0',
      ExpressionAttributeNames: { '#g': `g${slot}`, '#h': `h${slot}`, '#ttl': 'ttl' },
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    // else the item the condition failed on; a read when the reply carries none (an older store)
    return written === true ? true : (written.found ?? (await this.read()));
  }
}

/**
 * The widest spread of a take: a build's first takes aim at the free slot of rank `segment mod 64`, and a take whose
 * write failed at one of the lowest 2, 4 … 64 free ones. A row keeps one state per distinct slot a build ever used,
 * so takes otherwise go to the lowest free slot (review s37t: spreading every take left twice the states).
 */
const FRESH_SPREAD = 64;

/** No slot of the build was ever taken: its first takes, which processes starting together make at once. */
function freshBuild(item: Record<string, AttributeValue>): boolean {
  for (const k in item) if (k.charCodeAt(0) === 103 /* g */ && /^g\d+$/.test(k)) return false;
  return true;
}

/** The slot a take aims at: the one `segment` holds already, else the free one of rank `rank` (or the last free). */
function pickSlot(item: Record<string, AttributeValue>, segment: number, rank: number): number | undefined {
  let seen = -1;
  let last: number | undefined;
  for (let s = 0; s < STATE_SLOTS; s++) {
    const holder = numberAt(item, `h${s}`);
    if (holder === segment) return s;
    if (holder !== undefined) continue;
    last = s;
    if (++seen === rank) {
      // a held slot of the segment's later in the item still comes first
      for (let t = s + 1; t < STATE_SLOTS; t++) if (numberAt(item, `h${t}`) === segment) return t;
      return s;
    }
  }
  return last;
}

/** A rank among the lowest `window` free slots, different for the segments that collided (a hash of both). */
function spreadRank(segment: number, attempt: number, window: number): number {
  let h = Math.imul(segment + 1, 0x9e3779b1) ^ Math.imul(attempt + 1, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 13;
  return (h >>> 0) % window;
}

function numberAt(item: Record<string, AttributeValue>, name: string): number | undefined {
  const n = item[name]?.N;
  return n === undefined ? undefined : Number(n);
}

/**
 * Records the slot a segment applies under in its progress item, only while nothing of the segment can have been
 * applied: no slot recorded, first chunk, no `applying` stamp, and no journal of an earlier build (those were
 * applied without a stamp). False when refused: the caller reads the progress again and follows what it says (a
 * slot another process recorded, or the segment's own state). Every write that stamps `applying` without a slot is
 * conditioned on none being recorded, so a segment is never applied under both.
 *
 * @example
 * ```ts
 * if (!(await recordSlot(client, 'dynotally-claims', progressKey('store.v2', 7, 200), slot, Date.now()))) continue;
 * ```
 */
export async function recordSlot(
  client: DynamoDBClient,
  claimTable: string,
  key: Record<string, AttributeValue>,
  slot: StateSlot,
  nowMs: number,
): Promise<boolean> {
  return updatedIf(client, {
    TableName: claimTable,
    Key: key,
    UpdateExpression: 'SET #slot = :slot, #gen = :gen, #ttl = :ttl',
    ConditionExpression:
      'attribute_not_exists(#slot) AND attribute_not_exists(#applying) AND (attribute_not_exists(#chunk) OR #chunk = :zero) AND (attribute_not_exists(#journal) OR #journal.#stamped = :true)',
    ExpressionAttributeNames: {
      '#slot': 'slot',
      '#gen': 'gen',
      '#ttl': 'ttl',
      '#applying': 'applying',
      '#chunk': 'chunk',
      '#journal': 'journal',
      '#stamped': 'stamped',
    },
    ExpressionAttributeValues: {
      ':slot': { N: String(slot.slot) },
      ':gen': { N: String(slot.generation) },
      ':ttl': { N: String(progressTtlSeconds(nowMs)) },
      ':zero': { N: '0' },
      ':true': { BOOL: true },
    },
  });
}

/** Sends a conditional update; false when its condition failed (another process's write won). */
async function updatedIf(client: DynamoDBClient, input: UpdateItemCommandInput): Promise<boolean> {
  return (await updatedOr(client, input)) === true;
}

/**
 * Sends a conditional update: true when written, else what the failed condition found (the item, when the input asks
 * for it with `ReturnValuesOnConditionCheckFailure` and the store returns it). Any other failure throws.
 */
async function updatedOr(
  client: DynamoDBClient,
  input: UpdateItemCommandInput,
): Promise<true | { readonly found: Record<string, AttributeValue> | undefined }> {
  try {
    await withRetry(() => client.send(new UpdateItemCommand(input)));
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return { found: e.Item };
    throw e;
  }
}
