import type { Command } from 'commander';
import type { TableBufferOwner } from 'dynotally/redis';
import { z } from 'zod';
import { makeClients } from '../config/clients.ts';
import { connectRedis, loadRedisBuffer, redisUrlFlag } from '../config/redis.ts';
import type { CliContext } from '../context.ts';

const prefixFlag = z.string().min(1, 'a key prefix must not be empty').optional();
const showSchema = z.object({ redis: redisUrlFlag.optional(), keyPrefix: prefixFlag });
const handOverSchema = z.object({ keyPrefix: prefixFlag });

/**
 * What `dynotally buffer show` reports: the table's buffer as its owner item names it and, with `--redis`, the id
 * that Redis holds under the prefix and whether it is the table's buffer.
 *
 * @example
 * ```ts
 * const out: BufferShowOutput = { table: 'aggregates', owner: { prefix: 'dynotally:{buffer}:', id: '5f0c…' } };
 * ```
 */
export interface BufferShowOutput {
  table: string;
  owner: TableBufferOwner;
  redis?: {
    url: string;
    prefix: string;
    /** The id this Redis holds under the prefix (absent: never claimed, or the Redis lost its data). */
    id?: string;
    /** `buffer`: it is the table's buffer; `other`: not (another prefix or id); `free`: the table names none. */
    verdict: 'buffer' | 'other' | 'unclaimed' | 'free';
  };
}

/**
 * `dynotally buffer show | release | forget`: the aggregate table's one Redis buffer (the owner item `~rbo`, see
 * docs/redis-buffer.md, "One buffer per aggregate table"). `show` says which buffer the table belongs to (and, with
 * `--redis`, whether that Redis is it); `release` hands the table to whichever Redis next claims it with the prefix
 * (after a Redis lost its data); `forget` unbinds it for good (moving to another prefix or Redis).
 *
 * @example
 * ```ts
 * registerBuffer(program, ctx); // dynotally buffer show --redis redis://127.0.0.1:6379 --endpoint http://127.0.0.1:8000
 * ```
 */
export function registerBuffer(program: Command, ctx: CliContext): void {
  const buffer = program
    .command('buffer')
    .description("the aggregate table's Redis write buffer: show it, hand it over, or forget it");
  buffer
    .command('show')
    .description('which Redis buffer (key prefix and id) the aggregate table belongs to')
    .option(
      '--redis <url>',
      'also read the id this Redis holds under the prefix, and say whether it is the one',
    )
    .option(
      '--key-prefix <p>',
      "with --redis: the buffer's key prefix (default: the table's, else dynotally:{buffer}:)",
    )
    .addHelpText(
      'after',
      `
Examples:
  dynotally buffer show --endpoint http://127.0.0.1:8000
  dynotally buffer show --redis redis://cache:6379 --table shop-aggregates --json`,
    )
    .action(async (_opts, cmd: Command) => {
      const flags = ctx.flags(cmd, showSchema);
      const globals = ctx.globals(cmd);
      const settings = await ctx.settings(globals);
      const clients = makeClients(settings);
      const table = settings.tables.aggregate;
      try {
        const { Redis, buffer: lib } = await loadRedisBuffer('dynotally buffer show');
        const owner = await lib.describeTableBuffer({ client: clients.ddb, table });
        const out: BufferShowOutput = { table, owner };
        if (flags.redis !== undefined) {
          const prefix = flags.keyPrefix ?? owner.prefix ?? lib.DEFAULT_KEY_PREFIX;
          const redis = await connectRedis(Redis, flags.redis, { persistent: false });
          try {
            const id = await lib.readBufferId(redis, prefix, 5_000);
            out.redis = {
              url: flags.redis,
              prefix,
              ...(id === undefined ? {} : { id }),
              verdict: verdictOf(owner, prefix, id),
            };
          } finally {
            await redis.quit().catch(() => redis.disconnect());
          }
        }
        ctx.emit(globals, out, () => showText(out));
      } finally {
        clients.destroy();
      }
    });
  buffer
    .command('release')
    .description(
      'hand the table over to whichever Redis next claims it with the prefix (a Redis that lost its data)',
    )
    .option('--key-prefix <p>', "the table's buffer key prefix (default dynotally:{buffer}:)")
    .addHelpText(
      'after',
      `
After a Redis restart without persistence (or a replacement), its appliers and flushers are refused with
CONFIG_INVALID: an emptied Redis cannot be told from a second server using the prefix. Once you know no other
Redis serves the prefix for this table, release it: the next applier or flusher records its Redis' new id.

Example:
  dynotally buffer release --key-prefix 'shop:{buffer}:' --table shop-aggregates`,
    )
    .action(async (_opts, cmd: Command) => {
      await handOver(ctx, cmd, 'release');
    });
  buffer
    .command('forget')
    .description('unbind the table from its buffer for good, to move it to another key prefix or Redis')
    .option('--key-prefix <p>', "the table's buffer key prefix now (default dynotally:{buffer}:)")
    .addHelpText(
      'after',
      `
Flush the old buffer first (dynotally flush --all) and stop its appliers and flushers: one still running would
claim the table back. Then the new buffer's first applier or flusher claims the table with its prefix and id.

Example:
  dynotally flush --all --redis redis://old:6379 --key-prefix 'old:{buffer}:'
  dynotally buffer forget --key-prefix 'old:{buffer}:'`,
    )
    .action(async (_opts, cmd: Command) => {
      await handOver(ctx, cmd, 'forget');
    });
}

/** `release` or `forget`: conditional on the prefix, so a mistyped one changes nothing (and says what is there). */
async function handOver(ctx: CliContext, cmd: Command, how: 'release' | 'forget'): Promise<void> {
  const flags = ctx.flags(cmd, handOverSchema);
  const globals = ctx.globals(cmd);
  const settings = await ctx.settings(globals);
  const clients = makeClients(settings);
  const table = settings.tables.aggregate;
  try {
    const { buffer: lib } = await loadRedisBuffer(`dynotally buffer ${how}`);
    const prefix = flags.keyPrefix ?? lib.DEFAULT_KEY_PREFIX;
    const options = { client: clients.ddb, table, prefix };
    const done =
      how === 'release' ? await lib.releaseTableBuffer(options) : await lib.forgetTableBuffer(options);
    const owner = await lib.describeTableBuffer({ client: clients.ddb, table });
    ctx.emit(globals, { table, prefix, [how === 'release' ? 'released' : 'forgotten']: done, owner }, () =>
      handOverText(how, table, prefix, done, owner),
    );
  } finally {
    clients.destroy();
  }
}

function verdictOf(
  owner: TableBufferOwner,
  prefix: string,
  id: string | undefined,
): NonNullable<BufferShowOutput['redis']>['verdict'] {
  if (owner.prefix === undefined) return 'free';
  if (owner.prefix !== prefix) return 'other';
  if (owner.id === undefined) return 'unclaimed';
  return id === owner.id ? 'buffer' : 'other';
}

function ownerText(table: string, owner: TableBufferOwner): string {
  if (owner.prefix === undefined) return `${table}: no Redis buffer has claimed this table\n`;
  const since = owner.claimedAt === undefined ? '' : `, claimed ${new Date(owner.claimedAt).toISOString()}`;
  const id = owner.id === undefined ? 'no id (claimed before ids, or handed over)' : `id ${owner.id}`;
  return `${table}: buffer '${owner.prefix}', ${id}${since}\n`;
}

function showText(out: BufferShowOutput): string {
  let text = ownerText(out.table, out.owner);
  const r = out.redis;
  if (r === undefined) return text;
  const holds = r.id === undefined ? 'holds no id' : `holds id ${r.id}`;
  const verdict = {
    buffer: 'it is the table’s buffer',
    other: 'it is NOT the table’s buffer: its appliers and flushers are refused (CONFIG_INVALID)',
    unclaimed: 'the next applier or flusher of the prefix records its id',
    free: 'the table names no buffer: the first applier or flusher claims it',
  }[r.verdict];
  text += `${r.url} under '${r.prefix}' ${holds}: ${verdict}\n`;
  if (r.verdict === 'other' && r.id === undefined && out.owner.prefix === r.prefix)
    text += `if this Redis lost its data and no other Redis serves the prefix: dynotally buffer release --key-prefix '${r.prefix}'\n`;
  return text;
}

function handOverText(
  how: 'release' | 'forget',
  table: string,
  prefix: string,
  done: boolean,
  owner: TableBufferOwner,
): string {
  if (done && how === 'release')
    return `released: ${table} no longer names a buffer id; the next applier or flusher of '${prefix}' records its Redis' id\n`;
  if (done) return `forgotten: ${table} names no buffer; the next applier or flusher claims it\n`;
  return `nothing changed (the table does not name ${how === 'release' ? `an id for '${prefix}'` : `'${prefix}'`}):\n${ownerText(table, owner)}`;
}
