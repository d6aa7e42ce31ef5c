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
