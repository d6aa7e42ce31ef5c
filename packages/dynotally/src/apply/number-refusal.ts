import { isDynotallyError } from '../errors/index.ts';

/**
 * True for DynamoDB's refusal of a number it cannot hold: a sum that would need more than 38 significant
 * digits, or a magnitude out of range (and for a batch's own delta that cannot be written for that reason).
 *
 * @example
 * ```ts
 * isUnrepresentable(Object.assign(new Error('DynamoDB only supports precision up to 38 digits'), { name: 'ValidationException' })); // true
 * ```
 */
export function isUnrepresentable(e: unknown): boolean {
  // a coalesced delta of one batch that is already too precise to send (1e20 + 1e-19 in one batch)
  if (isDynotallyError(e, 'NUMBER_OUT_OF_RANGE')) return true;
  const err = e as { name?: string; message?: string } | null;
  return (
    err?.name === 'ValidationException' && /precision|overflow|underflow|magnitude/i.test(err.message ?? '')
  );
}

/**
 * True for DynamoDB's refusal of a write that would make an item larger than 400 KB. A row reaches that only
 * through its exactly-once state (one entry per shard that wrote it within the redelivery horizon, ~27 bytes
 * each: about 14,000 shards within 25 h), since the definition's own size is checked when it is defined.
 *
 * @example
 * ```ts
 * isRowTooLarge(Object.assign(new Error('Item size to update has exceeded the maximum allowed size'), { name: 'ValidationException' })); // true
 * ```
 */
export function isRowTooLarge(e: unknown): boolean {
  const err = e as { name?: string; message?: string } | null;
  return err?.name === 'ValidationException' && /item size.*maximum allowed size/i.test(err.message ?? '');
}

/**
 * A row write the store refused for good, whatever the retries: a number it cannot hold
 * ({@link isUnrepresentable}) or an item over 400 KB ({@link isRowTooLarge}). Such rows are resolved record by
 * record (`isolateUnrepresentable`), and the records that cannot be added become dead letters.
 *
 * @example
 * ```ts
 * if (isRowRefusal(e)) ctx.unrepresentable?.push(row);
 * ```
 */
export function isRowRefusal(e: unknown): boolean {
  return isUnrepresentable(e) || isRowTooLarge(e);
}
