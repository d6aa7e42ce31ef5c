import type { DynamoDBRecord } from 'aws-lambda';
import type { DeadLetterRow } from '../dead-letter/dead-letter.ts';
import type { PoisonRecord } from '../fold/index.ts';
import type { ApplyResult } from './applier.ts';
import { recordTooOld } from './late-records.ts';

/**
 * The `RECORD_TOO_OLD` poison of a batch's late records ({@link splitLate}), in their order: each placed in
 * `ordered` (the whole batch, as given), with the rows `probe` finds pending (undefined: the probe names none).
 * Probed one after the other, before anything of the batch is written (after, the shard's states would pass them).
 *
 * @example
 * ```ts
 * const poison = await tooOldPoison(late, ordered, { now, lateAfter }, (record) => pendingRowsOf({ ...probe, record }));
 * ```
 */
export async function tooOldPoison(
  late: readonly DynamoDBRecord[],
  ordered: readonly DynamoDBRecord[],
  at: { readonly now: number; readonly lateAfter: number },
  probe: (record: DynamoDBRecord) => Promise<readonly DeadLetterRow[] | undefined>,
): Promise<PoisonRecord[]> {
  const out: PoisonRecord[] = [];
  for (const record of late) {
    const pendingRows = await probe(record);
    out.push({
      record,
      index: ordered.indexOf(record),
      sequenceNumber: record.dynamodb?.SequenceNumber,
      error: recordTooOld(record, at.now, at.lateAfter),
      ...(pendingRows === undefined ? {} : { pendingRows }),
    });
  }
  return out;
}

/**
 * Sends the letters of a batch's late records (`poison`, from {@link tooOldPoison}) with `send`, then applies the
 * rest of the batch (`rest`): its report counts the late records in the batch and in its poison, and its poison
 * lists them first.
 *
 * @example
 * ```ts
 * return afterLateLetters(poison, (p) => sink.send(p.map(toLetter)), () => applyPart(onTime));
 * ```
 */
export async function afterLateLetters<R extends ApplyResult>(
  poison: readonly PoisonRecord[],
  send: (poison: readonly PoisonRecord[]) => Promise<void>,
  rest: () => Promise<R>,
): Promise<R> {
  if (poison.length > 0) await send(poison);
  const out = await rest();
  out.report.records += poison.length;
  out.report.poison += poison.length;
  return { ...out, poison: [...poison, ...out.poison] };
}
