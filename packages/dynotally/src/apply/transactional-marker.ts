import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * The attribute that marks a row as transactional: its exactly-once state no longer grows, because every
 * write to it goes through a `TransactWriteItems` that moves the writing shard's own watermark item (see
 * `writeTransactionalRows`). A string, so it is never read as a shard state (those are numbers under `~…`) nor
 * as a counter. Once set it stays: a row's per-row watermark condition refuses any write while it is there.
 */
export const TRANSACTIONAL_ATTR = '~tx';
/** The value of {@link TRANSACTIONAL_ATTR}. */
export const TRANSACTIONAL_VALUE: AttributeValue = { S: 'tx' };
