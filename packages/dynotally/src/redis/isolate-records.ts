import type { DynamoDBRecord } from 'aws-lambda';
import type { Redis } from 'ioredis';
import { refusedRecord } from '../apply/unrepresentable.ts';
import type { Change } from '../decode/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { Coalescer, type Folder, type PoisonRecord } from '../fold/index.ts';
import { planWrites } from '../plan/index.ts';
import { type BucketWidths, encodeCells } from './encode-cells.ts';
import { parseCellField } from './keys.ts';
import { redisCall } from './lua-script.ts';
import { PROBE_SCRIPT } from './scripts.ts';
import type { StoredCells } from './stored-hints.ts';

/**
 * What {@link refusedForDigits} needs: the buffer, the batch and how its rows are folded and bucketed.
 *
 * @example
 * ```ts
 * const ctx: DigitsProbe = { redis, prefix, timeoutMs: 2_000, folder, now, widths: { bucketMs: 900_000 }, batch: records, stored: {}, readStored: async () => {} };
 * ```
 */
export interface DigitsProbe {
  redis: Redis;
  prefix: string;
  timeoutMs: number;
  folder: Folder;
  now: number;
  widths: BucketWidths;
  /** The batch as delivered (a poison record names its index in it). */
  batch: readonly DynamoDBRecord[];
  /** What DynamoDB holds for the wide cells read so far (passed to the script, filled by `readStored`). */
  stored: StoredCells;
  /** Reads the stored values of some cells into `stored` (the script asks when a wide cell's sums need them). */
  readStored(cells: ReadonlyArray<readonly [pk: string, field: string]>): Promise<void>;
}

/**
 * The records of a batch that cannot be counted because a sum would pass DynamoDB's 38 significant digits, as
 * `NUMBER_UNREPRESENTABLE` poison — what the direct applier finds when DynamoDB refuses a row. Each change is folded
 * on its own, in sequence order, and added, in one read-only script, to what Redis holds plus the records before
 * it that fit; a record that would take any cell past 38 digits is refused. The
 * caller buffers the batch without them (the write script checks again, atomically, so a cell another shard moved
 * meanwhile is caught there and probed anew).
 *
 * @example
 * ```ts
 * const poison = await refusedForDigits(changes, {
 *   redis, prefix, timeoutMs, folder, now, widths, batch: records, stored,
 *   readStored: (cells) => readStoredCells(client, table, cells, stored),
 * });
 * const keep = changes.filter((c) => !poison.some((p) => p.sequenceNumber === c.sequenceNumber));
 * ```
 */
export async function refusedForDigits(
  changes: readonly Change[],
  ctx: DigitsProbe,
): Promise<PoisonRecord[]> {
  const poison: PoisonRecord[] = [];
  const probed: Change[] = [];
  const lists: string[][] = [];
  for (const ch of changes) {
    const co = new Coalescer();
    ctx.folder.fold(ch, co);
    ctx.folder.release();
    const rows = planWrites(co, { now: ctx.now }).rows;
    const encoded = encodeCells(rows, ctx.now, ctx.widths);
    if (encoded.cells + encoded.ranked === 0) continue;
    probed.push(ch);
    lists.push(encoded.args);
  }
  if (lists.length > 0) {
    let out: Array<number | string> = [];
    // a wide cell whose stored value matters and is not known yet: read it, probe again (a few rounds at most)
    for (let round = 0; round < 4; round++) {
      const stored = Object.keys(ctx.stored).length === 0 ? '' : JSON.stringify(ctx.stored);
      out = (await redisCall(
        PROBE_SCRIPT.run(ctx.redis, [], [ctx.prefix, JSON.stringify(lists), stored]),
        ctx.timeoutMs,
        'find the records whose sums pass 38 digits',
      )) as Array<number | string>;
      if (out[0] !== 'stored') break;
      const cells: Array<[string, string]> = [];
      for (let i = 1; i + 1 < out.length; i += 2) cells.push([String(out[i]), String(out[i + 1])]);
      await ctx.readStored(cells);
    }
    if (out[0] === 'stored') {
      throw new DynotallyError(
        'APPLY_FAILED',
        'the stored values of wide cells kept being asked for while the batch was probed for 38 digits: retry the batch',
      );
    }
    for (let i = 0; i + 2 < out.length; i += 3) {
      const ch = probed[Number(out[i])] as Change;
      poison.push(refusedRecord(ch, ctx.batch, [rowKeyOf(String(out[i + 1]), String(out[i + 2]))], false));
    }
  }
  return poison.sort((a, b) => ((a.sequenceNumber ?? '') < (b.sequenceNumber ?? '') ? -1 : 1));
}

/** `pk\u0000sk` of the cell a record was refused at (a ranked delta names its row's rank key). */
function rowKeyOf(pk: string, field: string): string {
  if (field.startsWith('rank:')) return `${pk}\u0000${field.slice('rank:'.length)}`;
  return `${pk}\u0000${parseCellField(field).sk}`;
}
