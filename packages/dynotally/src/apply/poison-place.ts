import type { DynamoDBRecord } from 'aws-lambda';
import type { PoisonRecord } from '../fold/index.ts';

/**
 * Poison records of a part of a batch with their `index` counted in the whole batch (in the order apply put it in):
 * each record's own place there, found by identity (the parts are cut from the batch's records). A record not in
 * the batch keeps its index. Apply cuts a batch in parts (late records split off, wide batches halved, records
 * already committed by an earlier strategy left out), and a letter of a record without a sequence number is keyed
 * `index-<n>` by it, so an index must not depend on the cut.
 *
 * @example
 * ```ts
 * const poison = placedIn(part.poison, batch); // indexes in `batch`
 * ```
 */
export function placedIn(poison: readonly PoisonRecord[], batch: readonly DynamoDBRecord[]): PoisonRecord[] {
  return poison.map((p) => {
    const at = batch.indexOf(p.record);
    return at < 0 || at === p.index ? p : { ...p, index: at };
  });
}
