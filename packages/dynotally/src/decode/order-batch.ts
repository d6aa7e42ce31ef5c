import type { DynamoDBRecord } from 'aws-lambda';
import { padSequence } from './decode-record.ts';
import { checkOneStream } from './one-stream.ts';

/**
 * The records of one shard's batch in sequence-number order with duplicates dropped (the first of the same
 * sequence number is kept), compared numerically (up to 40 decimal digits). Records without a valid sequence
 * number keep their relative order after the others: they are poison (`RECORD_MALFORMED`) anyway. Returns
 * the very same array when it is already in order without duplicates.
 *
 * Exactly-once relies on it: a batch `[seq 200, seq 100]` would otherwise move a row's watermark to 200
 * before 100 is seen, and a record delivered twice in one batch would count twice. Every path that folds a
 * batch (the `Applier`, both strategies, the Redis buffered applier, the handler and the worker before it
 * bisects) orders its records with this one function. So it also refuses a batch of two streams, or of another
 * source than a DynamoDB stream ({@link checkOneStream}: `CONFIG_INVALID`), whose sequence numbers cannot be ordered.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for records of two streams, or of a source other than `aws:dynamodb`.
 * @example
 * ```ts
 * orderBatch([{ dynamodb: { SequenceNumber: '200' } }, { dynamodb: { SequenceNumber: '100' } },
 *   { dynamodb: { SequenceNumber: '200' } }]).map((r) => r.dynamodb?.SequenceNumber); // ['100', '200']
 * ```
 */
export function orderBatch(records: readonly DynamoDBRecord[]): readonly DynamoDBRecord[] {
  checkOneStream(records);
  const n = records.length;
  if (n < 2) return records;
  const keys = new Array<string | undefined>(n);
  let ordered = true;
  let prev = '';
  for (let i = 0; i < n; i++) {
    const k = keyOf(records[i]);
    keys[i] = k;
    if (k === undefined || k <= prev) ordered = false;
    else prev = k;
  }
  if (ordered) return records;
  const valid: number[] = [];
  const invalid: DynamoDBRecord[] = [];
  for (let i = 0; i < n; i++) {
    if (keys[i] === undefined) invalid.push(records[i] as DynamoDBRecord);
    else valid.push(i);
  }
  // stable: equal keys keep batch order, so the first delivery of a duplicate is the one kept
  valid.sort((a, b) => {
    const x = keys[a] as string;
    const y = keys[b] as string;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  const out: DynamoDBRecord[] = [];
  let last: string | undefined;
  for (const i of valid) {
    const k = keys[i] as string;
    if (k === last) continue;
    last = k;
    out.push(records[i] as DynamoDBRecord);
  }
  for (const r of invalid) out.push(r);
  return out;
}

/** The 40-digit padded sequence number, or undefined when it is missing or not 1–40 digits. */
function keyOf(record: DynamoDBRecord | undefined): string | undefined {
  const seq = (record as { dynamodb?: { SequenceNumber?: unknown } } | null | undefined)?.dynamodb
    ?.SequenceNumber;
  if (typeof seq !== 'string') return undefined;
  try {
    return padSequence(seq);
  } catch {
    return undefined;
  }
}
