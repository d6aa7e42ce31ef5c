/**
 * What orders a letter in a replay: its stream sequence number, dead-letter time and table key.
 *
 * @example
 * ```ts
 * const k: ReplayOrderKey = { seq: '4200000000001', at: 1_795_000_000_000, pk: 'arn:…|shardId-1', sk: '4200000000001' };
 * ```
 */
export interface ReplayOrderKey {
  readonly seq: string;
  readonly at: number;
  readonly pk: string;
  readonly sk: string;
}

const DIGITS = /^\d{1,40}$/;

/**
 * The order a replay takes letters in: by the record's stream sequence number (as a number, 40 digits), then by
 * dead-letter time, then by key; letters without a numeric sequence number (a flusher's row, a backfill's item, a
 * malformed record's `index-<n>`) after them, by time, then key.
 *
 * Why the sequence number and not the time: only letters of one item need an order (a version being built decides an
 * item's records through its claim, oldest first: `decideItem` compares their 40-digit sequence numbers), and
 * an item's records may sit in a parent shard and its child, dead-lettered by two hosts whose clocks differ. A
 * letter's `at` is that host's clock; its sequence number is the stream's, the same the claims compare. Within a
 * shard that order is the stream's own; across a parent and a child shard it is the claims' assumption that
 * DynamoDB numbers a child's records after its parent's (letters hold no shard lineage to check it against).
 *
 * @example
 * ```ts
 * letters.sort(compareReplayOrder);
 * ```
 */
export function compareReplayOrder(a: ReplayOrderKey, b: ReplayOrderKey): number {
  const na = DIGITS.test(a.seq);
  const nb = DIGITS.test(b.seq);
  if (na !== nb) return na ? -1 : 1;
  if (na) {
    const sa = a.seq.padStart(40, '0');
    const sb = b.seq.padStart(40, '0');
    if (sa !== sb) return sa < sb ? -1 : 1;
  }
  if (a.at !== b.at) return a.at - b.at;
  if (a.pk !== b.pk) return a.pk < b.pk ? -1 : 1;
  return a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0;
}
