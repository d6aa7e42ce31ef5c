import { createHash } from 'node:crypto';
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';

/**
 * The `ClientRequestToken` of a `TransactWriteItems`: a hash of the items themselves, so only a retry of this very
 * request is deduplicated. A token shared with other content (another aggregate table, a later attempt with a new
 * `updatedAt`) would be `IdempotentParameterMismatch`.
 *
 * @example
 * ```ts
 * new TransactWriteItemsCommand({ TransactItems: items, ClientRequestToken: requestToken(items) });
 * ```
 */
export function requestToken(items: readonly TransactWriteItem[]): string {
  return createHash('sha256').update(JSON.stringify(items)).digest('hex').slice(0, 36);
}
