import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { withRetry } from '../apply/retry.ts';
import { parseProgress, progressKey, progressTtlSeconds } from './progress-item.ts';

/**
 * How many state slots one build has: the most exactly-once states its segments leave on a row (about 25 bytes
 * each, 800 in all), whatever the segment count. A segment that starts while every slot is held by a segment not
 * done is applied under a state of its own instead (as every segment was before slots).
 */
export const STATE_SLOTS = 32;

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
 * The claim-table key of a build's slot item: per slot `s`, its generation (`g<s>`) and the segment that took it
 * last (`h<s>`).
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
 * The state slots of one build, as one process takes them for its segments (one at a time, the lowest free one
 * first, so a process running `segmentConcurrency` segments uses that many slots). A slot is free when the segment
 * that took it last is done (its progress item says so, for good), has none, or is the one asking (an earlier
 * attempt of it that stopped before recording the slot). Taking it raises its generation, conditioned on the one
 * read, so two processes never take one generation; the segment records the slot in its progress item
 * ({@link recordSlot}) before it applies anything, and every process running the segment applies under that one.
 *
 * Why this keeps exactly-once: a slot is a shard whose records come in order, holder after holder. A later holder
 * starts only once the earlier one is done, so every row the earlier one reaches holds all its chunks; a process
 * still applying one of them late (it read the progress before the end) finds the row's state past its records
 * (the later holder's generation) and counts nothing, as a stream redelivery would.
 *
 * @example
 * ```ts
 * const slots = new StateSlots(client, 'dynotally-claims', 'store.v2', 200, Date.now);
 * const slot = await slots.take(7); // { slot: 0, generation: 1 }, or undefined when all 32 are held
 * ```
 */
export class StateSlots {
  /** Segments seen done (for good): their slots are free. */
  private readonly done = new Set<number>();
  /** Segments this process runs and has not seen done: their slots are held, no need to read their progress. */
  private readonly running = new Set<number>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly claimTable: string,
    private readonly prefix: string,
    private readonly segments: number,
    private readonly now: () => number,
  ) {}

  /** Takes a free slot for `segment`; undefined when every slot is held by a segment not done. */
  take(segment: number): Promise<StateSlot | undefined> {
    this.running.add(segment);
    const next = this.queue.then(() => this.takeNow(segment));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** This process saw `segment` done (its progress says so): its slot is free without reading it again. */
  finished(segment: number): void {
    this.running.delete(segment);
    this.done.add(segment);
  }

  private async takeNow(segment: number): Promise<StateSlot | undefined> {
    let item = await this.read();
    for (let s = 0; s < STATE_SLOTS; s++) {
      for (;;) {
        const generation = item[`g${s}`]?.N === undefined ? undefined : Number(item[`g${s}`]?.N);
        const holder = item[`h${s}`]?.N === undefined ? undefined : Number(item[`h${s}`]?.N);
        if (holder !== undefined && holder !== segment && !(await this.isDone(holder))) break;
        if (await this.claim(s, generation, segment)) return { slot: s, generation: (generation ?? 0) + 1 };
        item = await this.read(); // taken meanwhile by another process: look at it again
      }
    }
    return undefined;
  }

  private async read(): Promise<Record<string, AttributeValue>> {
    const got = await withRetry(() =>
      this.client.send(
        new GetItemCommand({ TableName: this.claimTable, Key: slotsKey(this.prefix), ConsistentRead: true }),
      ),
    );
    return got.Item ?? {};
  }

  private async isDone(segment: number): Promise<boolean> {
    if (this.done.has(segment)) return true;
    if (this.running.has(segment)) return false;
    const got = await withRetry(() =>
      this.client.send(
        new GetItemCommand({
          TableName: this.claimTable,
          Key: progressKey(this.prefix, segment, this.segments),
          ConsistentRead: true,
        }),
      ),
    );
    const done = parseProgress(got.Item).done;
    if (done) this.done.add(segment);
    return done;
  }

  private async claim(slot: number, generation: number | undefined, segment: number): Promise<boolean> {
    const values: Record<string, AttributeValue> = {
      ':g1': { N: String((generation ?? 0) + 1) },
      ':h': { N: String(segment) },
      ':ttl': { N: String(progressTtlSeconds(this.now())) },
    };
    if (generation !== undefined) values[':g0'] = { N: String(generation) };
    try {
      await withRetry(() =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.claimTable,
            Key: slotsKey(this.prefix),
            UpdateExpression: 'SET #g = :g1, #h = :h, #ttl = :ttl',
            ConditionExpression: generation === undefined ? 'attribute_not_exists(#g)' : '#g = :g0',
            ExpressionAttributeNames: { '#g': `g${slot}`, '#h': `h${slot}`, '#ttl': 'ttl' },
            ExpressionAttributeValues: values,
          }),
        ),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }
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
  try {
    await withRetry(() =>
      client.send(
        new UpdateItemCommand({
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
        }),
      ),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}
