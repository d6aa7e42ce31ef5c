import type { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynotallyError } from '../errors/index.ts';
import type { RowWrite } from '../plan/index.ts';
import { isRowRefusal } from './number-refusal.ts';

/**
 * `'too-large'` or `'number'` when the store refused the transaction for good because of a row (a sum it cannot
 * hold, an item over 400 KB), else undefined.
 *
 * @example
 * ```ts
 * const refusal = refusalIn(e, (e.CancellationReasons ?? []).slice(0, sent.length));
 * ```
 */
export function refusalIn(
  e: TransactionCanceledException,
  rowReasons: ReadonlyArray<{ Code?: string | undefined; Message?: string | undefined }>,
): 'too-large' | 'number' | undefined {
  for (const r of rowReasons) {
    if (r.Code !== 'ValidationError') continue;
    const asError = { name: 'ValidationException', message: r.Message ?? e.message };
    if (!isRowRefusal(asError)) continue;
    return /item size/i.test(asError.message) ? 'too-large' : 'number';
  }
  return undefined;
}

/**
 * The error a transaction cancelled for a reason that is neither a refusal for good nor one to retry throws:
 * `APPLY_FAILED` with the cancellation reasons, the first rows named.
 *
 * @example
 * ```ts
 * if (++attempts >= MAX_ATTEMPTS) throw cancelled(e, sent);
 * ```
 */
export function cancelled(
  e: TransactionCanceledException,
  writes: ReadonlyArray<{ row: RowWrite }>,
): DynotallyError {
  const reasons = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  return new DynotallyError(
    'APPLY_FAILED',
    `the transactional write of ${writes.length} ${writes.length === 1 ? 'row' : 'rows'} (${writes
      .slice(0, 3)
      .map((w) => `${w.row.pk} ${w.row.sk}`)
      .join(
        ', ',
      )}${writes.length > 3 ? ', …' : ''}) was cancelled: ${reasons.join(', ')}; the batch can be retried safely`,
    { details: { reasons }, cause: e },
  );
}
