import { DynotallyError } from '../errors/index.ts';
import { DEFAULT_KEY_PREFIX, DEFAULT_KEY_TTL_MS } from './keys.ts';

/**
 * Where the buffer lives in Redis; shared by the applier, the flusher and the live source (they must agree).
 *
 * @example
 * ```ts
 * const where: BufferKeyOptions = { keyPrefix: 'shop:{buffer}:', keyTtlMs: 7 * 86_400_000 };
 * ```
 */
export interface BufferKeyOptions {
  /** Prefix of every key; keep a `{…}` hash tag in it for Redis Cluster. Default `dynotally:{buffer}:`. */
  keyPrefix?: string;
  /** Expiry of every key after its last write, far beyond the flush interval; default 7 days. */
  keyTtlMs?: number;
}

/**
 * The key options with defaults applied, validated.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for an empty prefix or a non-positive expiry.
 *
 * @example
 * ```ts
 * bucketKeysOptions({}); // { keyPrefix: 'dynotally:{buffer}:', keyTtlMs: 604800000 }
 * ```
 */
export function bucketKeysOptions(options: BufferKeyOptions): Required<BufferKeyOptions> {
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const keyTtlMs = options.keyTtlMs ?? DEFAULT_KEY_TTL_MS;
  if (keyPrefix === '')
    throw new DynotallyError('CONFIG_INVALID', 'keyPrefix must not be empty: use e.g. "dynotally:{buffer}:"');
  if (!Number.isSafeInteger(keyTtlMs) || keyTtlMs <= 0) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `keyTtlMs must be a positive whole number of ms (e.g. 604800000 for 7 days), got ${keyTtlMs}`,
      {
        details: { keyTtlMs },
      },
    );
  }
  return { keyPrefix, keyTtlMs };
}

/**
 * The flush bucket widths with defaults applied (15 minutes), validated.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for a width that is not a positive whole number of ms.
 *
 * @example
 * ```ts
 * bucketWidths({ rowBucketMs: { all: 3_600_000 } }); // { bucketMs: 900000, rowBucketMs: { all: 3600000 } }
 * ```
 */
export function bucketWidths(options: {
  bucketMs?: number | undefined;
  rowBucketMs?: Readonly<Partial<Record<string, number>>> | undefined;
}): { bucketMs: number; rowBucketMs: Readonly<Partial<Record<string, number>>> | undefined } {
  const check = (name: string, v: number): number => {
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new DynotallyError(
        'CONFIG_INVALID',
        `${name} must be a positive whole number of milliseconds (e.g. 900000 for 15 minutes), got ${v}`,
        {
          details: { [name]: v },
        },
      );
    }
    return v;
  };
  const bucketMs = check('bucketMs', options.bucketMs ?? 15 * 60_000);
  for (const [kind, v] of Object.entries(options.rowBucketMs ?? {}))
    if (v !== undefined) check(`rowBucketMs.${kind}`, v);
  return { bucketMs, rowBucketMs: options.rowBucketMs };
}
