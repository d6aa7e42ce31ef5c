/**
 * The pieces every lease and presence write shares: attribute placeholders, who holds a lease and the condition that
 * they do, and `ttl` values.
 */
// Every attribute goes through a placeholder: `owner`, `counter` and friends are easy to hit in
// DynamoDB's list of reserved words.
const NAMES = {
  '#owner': 'owner',
  '#exp': 'expiresAt',
  '#ctr': 'leaseCounter',
  '#cp': 'checkpoint',
  '#free': 'freeSince',
  '#upd': 'updatedAt',
  '#latest': 'latestFrom',
  '#start': 'startAt',
  '#ttl': 'ttl',
  '#inst': 'ownerInstance',
  '#dur': 'leaseMs',
} as const;

/**
 * Who holds a lease: a worker id, or a worker id and the instance token of the process running it. With an instance,
 * a take records it (`ownerInstance`) and every write of the holder checks it beside `owner`, so two processes
 * started with one `workerId` never pass each other's conditions (a stream worker always gives one); a plain worker
 * id checks `owner` alone.
 *
 * @example
 * ```ts
 * const holder: LeaseHolder = { workerId: 'w1', instance: '9f2c4a7e1b3d5f60' };
 * renewLeaseParams('leases', streamArn, shardId, holder, Date.now(), 10_000);
 * ```
 */
export type LeaseHolder = string | { readonly workerId: string; readonly instance: string };

/**
 * The worker id of a {@link LeaseHolder}.
 *
 * @example
 * ```ts
 * holderId({ workerId: 'w1', instance: 'ab' }); // 'w1'
 * ```
 */
export function holderId(holder: LeaseHolder): string {
  return typeof holder === 'string' ? holder : holder.workerId;
}

/**
 * The instance token of a {@link LeaseHolder}, if it has one.
 *
 * @example
 * ```ts
 * holderInstance('w1'); // undefined
 * ```
 */
export function holderInstance(holder: LeaseHolder): string | undefined {
  return typeof holder === 'string' ? undefined : holder.instance;
}

/**
 * The condition that `holder` holds the lease (`owner`, and `ownerInstance` when it has one), with its names and values.
 *
 * @example
 * ```ts
 * heldBy('w1').condition; // '#owner = :me'
 * ```
 */
export function heldBy(holder: LeaseHolder): {
  condition: string;
  names: Record<string, string>;
  values: Record<string, { S: string }>;
} {
  const instance = holderInstance(holder);
  return instance === undefined
    ? { condition: '#owner = :me', names: names('#owner'), values: { ':me': { S: holderId(holder) } } }
    : {
        condition: '#owner = :me AND #inst = :inst',
        names: names('#owner', '#inst'),
        values: { ':me': { S: holderId(holder) }, ':inst': { S: instance } },
      };
}

/**
 * Epoch seconds of `ms` (a `ttl` attribute).
 *
 * @example
 * ```ts
 * ttlSeconds(1_500); // '1'
 * ```
 */
export const ttlSeconds = (ms: number): string => String(Math.floor(ms / 1000));

/**
 * The placeholders `keys` with the lease attributes they stand for (`ExpressionAttributeNames`).
 *
 * @example
 * ```ts
 * names('#owner', '#exp'); // { '#owner': 'owner', '#exp': 'expiresAt' }
 * ```
 */
export function names<K extends keyof typeof NAMES>(...keys: K[]): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const k of keys) out[k] = NAMES[k];
  return out;
}
