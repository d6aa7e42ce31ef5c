import type { Rollup } from 'dynotally';
import { z } from 'zod';

const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

/**
 * A DynamoDB table name (3–255 of `a-z A-Z 0-9 _ . -`).
 *
 * @example
 * ```ts
 * tableNameSchema.parse('dynotally-aggregates');
 * ```
 */
export const tableNameSchema = z
  .string()
  .regex(TABLE_NAME, 'a table name has 3 to 255 of the characters a-z A-Z 0-9 _ . -');

/**
 * An http(s) endpoint URL such as `http://127.0.0.1:8000`.
 *
 * @example
 * ```ts
 * endpointSchema.parse('http://127.0.0.1:8000');
 * ```
 */
export const endpointSchema = z
  .string()
  .refine(
    (s) => /^https?:\/\/[^\s/]+/.test(s) && URL.canParse(s),
    'an endpoint is an http(s) URL such as http://127.0.0.1:8000',
  );

/**
 * An AWS region name such as `eu-west-1`: the config file's `region`, `--region`, `AWS_REGION` and
 * `AWS_DEFAULT_REGION` are all checked by it, and each error names where the value came from.
 *
 * @example
 * ```ts
 * regionSchema.parse('eu-west-1');
 * ```
 */
export const regionSchema = z.string().regex(/^[a-z0-9][a-z0-9-]*$/i, 'a region is a name such as eu-west-1');

/**
 * A DynamoDB stream ARN (`arn:…`): the worker's `--stream-arn`, `DYNOTALLY_STREAM_ARN` and the config file's
 * `streamArn`.
 *
 * @example
 * ```ts
 * streamArnSchema.parse('arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000');
 * ```
 */
export const streamArnSchema = z.string().startsWith('arn:', 'a stream ARN starts with arn:');

/**
 * True for a rollup made by `defineRollup`.
 *
 * @example
 * ```ts
 * isRollup(jobsPerCustomer); // true
 * ```
 */
export function isRollup(value: unknown): value is Rollup {
  const compiled = (value as { compiled?: { name?: unknown; calendar?: unknown } } | null)?.compiled;
  return typeof compiled?.name === 'string' && compiled.calendar !== undefined;
}

/**
 * The shape of a configuration file's default export.
 *
 * @example
 * ```ts
 * const parsed = configSchema.safeParse(module.default);
 * ```
 */
export const configSchema = z
  .object({
    rollups: z
      .array(z.custom<Rollup>(isRollup, 'each entry of rollups must be made by defineRollup(...)'))
      .min(1, 'give at least one rollup'),
    alsoWrite: z
      .array(z.custom<Rollup>(isRollup, 'each entry of alsoWrite must be made by defineRollup(...)'))
      .optional(),
    tables: z
      .object({
        source: tableNameSchema,
        aggregate: tableNameSchema,
        deadLetter: tableNameSchema,
        leases: tableNameSchema,
      })
      .partial()
      .strict()
      .optional(),
    endpoint: endpointSchema.optional(),
    region: regionSchema.optional(),
    mode: z.enum(['exactly-once', 'at-least-once']).optional(),
    strategy: z.enum(['row-watermark', 'transaction']).optional(),
    write: z
      .object({ api: z.enum(['partiql', 'update-item']).optional() })
      .strict()
      .optional(),
    streamArn: streamArnSchema.optional(),
  })
  .strict();
