import type { BatchStatementResponse, ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { consumedUnits, transactionUnits } from '../../packages/dynotally/src/apply/index.ts';
import { type Item, itemSizeBytes, unitsForBytes } from '../../packages/dynotally/src/cost/index.ts';

/** Item writes and write units a client sent, by DynamoDB's billing rules. */
export interface WriteTotals {
  /**
   * Item writes sent (`PutItem`, `UpdateItem`, `DeleteItem`, each item of a transaction or batch, each PartiQL
   * `UPDATE` / `INSERT` / `DELETE` statement), whether or not their condition held.
   */
  writes: number;
  /**
   * Write units of the writes this meter can price by itself: what the store reported
   * (`ReturnConsumedCapacity`) for writes to tables not priced from images, plus every failed condition
   * (billed by the size of the existing item, at least one unit). Writes that succeeded on an image-priced
   * table are not in here: add {@link ImagePricing.writeUnits} of that table's stream.
   */
  writeUnits: number;
  /** Requests sent (any command), for requests per event. */
  requests: number;
  /** Writes that succeeded on image-priced tables (the stream should hold one record for each). */
  imageWrites: number;
  /** What the store reported (`ReturnConsumedCapacity`) for writes that succeeded on image-priced tables. */
  reportedImageUnits: number;
  /** PartiQL write statements sent, with how many of them failed their condition (or `INSERT` found the item). */
  statements: number;
  statementsRefused: number;
  /** Statements and requests whose write was not billed at all (a validation error, throttling). */
  unbilledWrites: number;
  /**
   * Successful PartiQL writes to tables that are not image-priced, left unpriced (`unpricedStatements`): when
   * not 0, `writeUnits` is incomplete.
   */
  unpricedWrites: number;
  /** min / max / last writes sent (`UpdateItem`s and statements of dynotally's extremum shape, see {@link isExtremumWrite}). */
  extremumWrites: number;
  /** Requests that carried them (dynotally sends extrema in requests of their own). */
  extremumRequests: number;
}

/** Options for {@link meterWrites}. */
export interface MeterOptions {
  /**
   * Tables whose successful writes are priced from the stream's item images (`priceStreamImages`), not
   * from `ReturnConsumedCapacity` — which DynamoDB Local does not report for PartiQL. Writes to them in
   * `TransactWriteItems` or `BatchWriteItem` are refused (their images would not say they are doubled).
   */
  imageTables?: ReadonlySet<string>;
  /**
   * Count successful PartiQL writes to tables that are not image-priced as unpriced (`unpricedWrites`) instead
   * of refusing them: for a speed-only run (`BENCH_PRICING=off`), whose write-unit figures for PartiQL are then
   * incomplete.
   */
  unpricedStatements?: boolean;
}

const SINGLE = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);
const PARTIQL = new Set(['ExecuteStatementCommand', 'BatchExecuteStatementCommand']);
/** Error codes of a write that DynamoDB evaluated and refused on the item: billed like the write. */
const REFUSED = new Set([
  'ConditionalCheckFailed',
  'ConditionalCheckFailedException',
  'DuplicateItem',
  'DuplicateItemException',
]);
const WRITE_STATEMENT = /^\s*(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+"([^"]+)"/i;

/**
 * The table a PartiQL statement writes to, or `undefined` for a read (`SELECT`).
 *
 * @example
 * ```ts
 * statementTable('UPDATE "aggs" SET "c" = "c" + ? WHERE pk = ? AND sk = ?'); // 'aggs'
 * ```
 */
export function statementTable(statement: string): string | undefined {
  return WRITE_STATEMENT.exec(statement)?.[1];
}

const EXTREMUM_STATEMENT =
  /^\s*UPDATE\s+"[^"]+"\s+SET\s+"([^"]+)"\s*=\s*\?(?:,|\s+SET)\s*"updatedAt"\s*=\s*\?/i;
const EXTREMUM_CONDITION = /^attribute_not_exists\(#[at]\) OR #[at] [<>] :[vt]/;

/**
 * Whether a write has the shape of dynotally's min / max / last write: an `UpdateItem` conditioned on the
 * stored value (`attribute_not_exists(#a) OR #a < :v`, or the `last` time), or a PartiQL `UPDATE` that sets one
 * value and `updatedAt` (row updates add to counters, `SET "c" = "c" + ?`, or set `updatedAt` first).
 *
 * @example
 * ```ts
 * isExtremumWrite({ Statement: 'UPDATE "t" SET "peak" = ? SET "updatedAt" = ? WHERE "pk" = ? AND "sk" = ? AND ("peak" IS MISSING OR "peak" < ?)' }); // true
 * ```
 */
export function isExtremumWrite(input: { Statement?: string; ConditionExpression?: string }): boolean {
  if (input.Statement !== undefined) {
    const attr = EXTREMUM_STATEMENT.exec(input.Statement)?.[1];
    return attr !== undefined && attr !== 'updatedAt';
  }
  return EXTREMUM_CONDITION.test(input.ConditionExpression ?? '');
}

/** A refused write is billed by the size of the item it found (DynamoDB: "at least one unit"). */
function refusedUnits(item: Item | undefined): number {
  return item === undefined ? 1 : unitsForBytes(itemSizeBytes(item));
}

/**
 * Meters every write a client sends, whoever builds the request (dynotally, the naive ADDs,
 * Powertools' idempotency store): asks each `PutItem` / `UpdateItem` / `DeleteItem` / transaction / batch
 * write for `ReturnConsumedCapacity: 'INDEXES'` when the caller did not, and adds up what DynamoDB (Local)
 * reports, which sizes items by the same rules the service bills by. DynamoDB Local reports a
 * transaction's standard units only, so transactions are doubled as the service bills them
 * (`transactionUnits`).
 *
 * PartiQL statements (`ExecuteStatement`, `BatchExecuteStatement`) get no consumed capacity from DynamoDB
 * Local. Each write statement is billed as the single-item write it is: the larger of the item before and
 * after, per started KB. The meter counts them, prices each refused one (failed condition, `INSERT` of an
 * existing item) from the item the answer returns (one unit when none), and leaves the successful ones to
 * the stream of their table (`MeterOptions.imageTables`, priced by `priceStreamImages`). A statement to a
 * table that is not image-priced is an error: its units would be missing.
 *
 * @example
 * ```ts
 * const meter = meterWrites(client, { imageTables: new Set(['bench-eo-agg']) });
 * await contender.handle(batch);
 * const units = meter.totals().writeUnits + (await priceStreamImages(streams, arn)).writeUnits;
 * ```
 */
export function meterWrites(
  client: DynamoDBClient,
  options: MeterOptions = {},
): { totals(): WriteTotals; reset(): void } {
  const imageTables = options.imageTables ?? new Set<string>();
  const zero = (): WriteTotals => ({
    writes: 0,
    writeUnits: 0,
    requests: 0,
    imageWrites: 0,
    reportedImageUnits: 0,
    statements: 0,
    statementsRefused: 0,
    unbilledWrites: 0,
    unpricedWrites: 0,
    extremumWrites: 0,
    extremumRequests: 0,
  });
  let totals = zero();
  const statementOutcome = (table: string, code: string | undefined, item: Item | undefined): void => {
    totals.writes++;
    totals.statements++;
    if (code === undefined) {
      if (!imageTables.has(table)) {
        if (options.unpricedStatements === true) {
          totals.unpricedWrites++;
          return;
        }
        throw new Error(`write meter: PartiQL write to ${table}, which is not priced from its stream images`);
      }
      totals.imageWrites++;
    } else if (REFUSED.has(code)) {
      totals.statementsRefused++;
      totals.writeUnits += refusedUnits(item);
    } else totals.unbilledWrites++;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      const input = args.input as {
        TableName?: string;
        ReturnConsumedCapacity?: string;
        TransactItems?: Array<Record<string, { TableName?: string } | undefined>>;
        RequestItems?: Record<string, unknown[]>;
        Statement?: string;
        Statements?: Array<{ Statement?: string }>;
        ConditionExpression?: string;
      };
      const transact = command === 'TransactWriteItemsCommand';
      const batch = command === 'BatchWriteItemCommand';
      const partiql = PARTIQL.has(command);
      const write = SINGLE.has(command) || transact || batch;
      if (write && input.ReturnConsumedCapacity === undefined) input.ReturnConsumedCapacity = 'INDEXES';
      const single = SINGLE.has(command) ? (input.TableName ?? '') : undefined;
      if (transact || batch) {
        const tables = transact
          ? (input.TransactItems ?? []).flatMap((t) => Object.values(t).map((op) => op?.TableName ?? ''))
          : Object.keys(input.RequestItems ?? {});
        const priced = tables.find((t) => imageTables.has(t));
        if (priced !== undefined)
          throw new Error(`write meter: ${command} on ${priced}, which is priced from its stream images`);
      }
      const extrema = SINGLE.has(command)
        ? Number(isExtremumWrite(input))
        : command === 'ExecuteStatementCommand'
          ? Number(isExtremumWrite(input))
          : command === 'BatchExecuteStatementCommand'
            ? (input.Statements ?? []).filter((s) => isExtremumWrite({ Statement: s.Statement ?? '' })).length
            : 0;
      if (extrema > 0) {
        totals.extremumWrites += extrema;
        totals.extremumRequests++;
      }
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        totals.requests++;
        const name = (error as { name?: string } | null)?.name ?? '';
        const item = (error as { Item?: Item }).Item;
        if (single !== undefined || (partiql && input.Statement !== undefined)) {
          const table = single ?? statementTable(input.Statement ?? '');
          if (table !== undefined && REFUSED.has(name)) {
            // A refused write is still billed: by the size of the item it found, at least one unit.
            totals.writes++;
            totals.writeUnits += refusedUnits(item);
            if (partiql) {
              totals.statements++;
              totals.statementsRefused++;
            }
          } else if (table !== undefined) totals.unbilledWrites++;
        }
        throw error;
      }
      totals.requests++;
      if (partiql) {
        const output = result.output as { Responses?: BatchStatementResponse[] };
        if (input.Statement !== undefined) {
          const table = statementTable(input.Statement);
          if (table !== undefined) statementOutcome(table, undefined, undefined);
        } else
          (input.Statements ?? []).forEach((s, i) => {
            const table = statementTable(s.Statement ?? '');
            if (table === undefined) return;
            const error = output.Responses?.[i]?.Error;
            statementOutcome(table, error?.Code, error?.Item as Item | undefined);
          });
        return result;
      }
      if (!write) return result;
      const capacity = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
        .ConsumedCapacity;
      if (transact) {
        const items = (input.TransactItems ?? []).filter(
          (t) => !(t && typeof t === 'object' && 'ConditionCheck' in t),
        ).length;
        totals.writes += items;
        totals.writeUnits += transactionUnits(capacity as ConsumedCapacity[] | undefined, items);
      } else if (batch) {
        totals.writes += Object.values(input.RequestItems ?? {}).reduce((n, list) => n + list.length, 0);
        totals.writeUnits += consumedUnits(capacity);
      } else {
        totals.writes++;
        const units = consumedUnits(capacity) || 1;
        if (single !== undefined && imageTables.has(single)) {
          totals.imageWrites++;
          totals.reportedImageUnits += units;
        } else totals.writeUnits += units;
      }
      return result;
    },
    { step: 'initialize', name: 'benchWriteMeter' },
  );
  return {
    totals: () => ({ ...totals }),
    reset: () => {
      totals = zero();
    },
  };
}
