import type {
  BatchExecuteStatementCommandInput,
  TransactWriteItemsCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Change } from '../decode/index.ts';
import type { Folder } from '../fold/index.ts';
import type { ExtremumWrite, RowWrite } from '../plan/index.ts';
import { packStatements, statementRequest } from './batch-statements.ts';
import { ExistenceGuesses } from './existence-guesses.ts';
import { KnownRows } from './known-rows.ts';
import { rowWatermarkFor } from './shard-state.ts';
import { plannedTransactions } from './transaction-plan.ts';
import { extremumItemInput } from './write-extrema.ts';
import { extremumStatements } from './write-extrema-batched.ts';
import type { PartiqlState, WriteApi } from './write-options.ts';
import { rowOnceInput, rowPlainInput } from './write-rows.ts';
import { firstStatements, type StatementChoiceContext, succeeded } from './write-rows-batched.ts';

/**
 * One request `Applier.apply` sends, as the dry run (`Applier.plan`) shows it: the API and its input exactly as
 * given to the AWS SDK command (`BatchExecuteStatementCommand`, `UpdateItemCommand`, `TransactWriteItemsCommand`),
 * and what it writes: the batch's row updates (`rows`; a `TransactWriteItems` also moves the shard's watermark
 * item of each rollup among them) or its min / max / last values (`extrema`).
 *
 * @example
 * ```ts
 * for (const send of applier.plan({ records, shardId }).sends)
 *   if (send.api === 'BatchExecuteStatement') console.log(send.input.Statements?.length, 'statements');
 * ```
 */
export type PlannedSend = { readonly of: 'rows' | 'extrema' } & (
  | { readonly api: 'BatchExecuteStatement'; readonly input: BatchExecuteStatementCommandInput }
  | { readonly api: 'UpdateItem'; readonly input: UpdateItemCommandInput }
  | { readonly api: 'TransactWriteItems'; readonly input: TransactWriteItemsCommandInput }
);

/**
 * How the applier being planned writes (its options).
 *
 * @example
 * ```ts
 * const options: SendsOptions = { api: writeApi(applierOptions.write), transaction: false, sampleEvery: 16 };
 * ```
 */
export interface SendsOptions {
  /** `write.api`: PartiQL batches (default) or one `UpdateItem` each. */
  readonly api: WriteApi;
  /** Exactly-once by the `transaction` strategy (every row by transaction, with its rollup's watermark item). */
  readonly transaction: boolean;
  /** `pruneSampleEvery`: the rows whose `UpdateItem` returns the old row. */
  readonly sampleEvery: number;
  /**
   * `stateBudgetBytes` (default 2048): under the `transaction` strategy a row of unknown size counts for its kind's
   * bound plus this in a transaction's 4 MB, so it decides where apply cuts the transactions.
   */
  readonly stateBudgetBytes?: number | undefined;
}

/**
 * What an applier that has sent nothing yet knows, as the dry run follows it from part to part of a batch: the
 * rows the earlier parts wrote (the next part updates them), the guesses about rows it does not know, and (the
 * `transaction` strategy) the shard's watermark item of each rollup, read as missing before the first part.
 *
 * @example
 * ```ts
 * const cold: ColdApplier = coldApplier('partiql');
 * ```
 */
export interface ColdApplier {
  readonly known: KnownRows;
  readonly partiql: PartiqlState;
  /** Rollup → the shard's watermark item for its transactional rows (`~wt#`) as the earlier parts left it. */
  readonly watermarks: Map<string, string | undefined>;
  /** Rows the earlier parts' transactions wrote, so marked: their deltas that cancel out are not written again. */
  readonly marked: Set<string>;
}

/**
 * A fresh applier's state.
 *
 * @example
 * ```ts
 * const cold = coldApplier('partiql'); // knows no row, guesses INSERT, reads no watermark item
 * ```
 */
export function coldApplier(api: WriteApi): ColdApplier {
  const partiql = api === 'partiql';
  return {
    known: new KnownRows(),
    partiql: { enabled: partiql, ifNotExists: partiql, guesses: new ExistenceGuesses() },
    watermarks: new Map(),
    marked: new Set(),
  };
}

/**
 * What {@link plannedSends} needs of one part.
 *
 * @example
 * ```ts
 * const part: PartSends = { table, now, source, shardId, state, rows: plan.rows, extrema: plan.extrema, changes, folder };
 * ```
 */
export interface PartSends {
  readonly table: string;
  readonly now: number;
  /** The stream the records come from (`eventSourceARN`) and their shard: the transaction's watermark item. */
  readonly source: string;
  readonly shardId: string | undefined;
  /** The shard's state attributes (exactly-once), or undefined for unconditioned writes. */
  readonly state: NonNullable<StatementChoiceContext['exactlyOnce']>['attrs'] | undefined;
  /** The part's rows as apply writes them: its row updates, then its watermark-only rows. */
  readonly rows: readonly RowWrite[];
  readonly extrema: readonly ExtremumWrite[];
  /** The part's changes in sequence order (the `transaction` strategy cuts them into transactions). */
  readonly changes: readonly Change[];
  readonly folder: Folder;
}

const NO_HINTS = { has: () => false };

/**
 * The requests `Applier.apply` sends first for one part of a batch, in order, when every one succeeds: on the
 * PartiQL path the rows' statements (`INSERT` or `UPDATE`, chosen as apply chooses them from what `cold` knows),
 * packed 25 to a `BatchExecuteStatement` as apply packs them, the rows that go through `UpdateItem` from the start,
 * then the min / max / last statements; with `update-item`, an `UpdateItem` a row and an extremum; under the
 * `transaction` strategy, the `TransactWriteItems` of every row (each conditioned on the shard's own state
 * missing, the rollups' watermark items first conditioned on their absence), then the min / max / last writes as
 * the write path sends them. What the store's answers make apply send next (a refused `INSERT` sent as an
 * `UPDATE`, a missing row as an `INSERT`, an extremum on a missing row by `UpdateItem`, a re-read watermark, a
 * transaction cancelled on a row's state) is not here. `cold` learns from the part as apply would, for the next
 * part. Reads (the stored exclusions, the sampled rows read back, the watermark items) are not shown.
 *
 * @example
 * ```ts
 * const cold = coldApplier('partiql');
 * const sends = plannedSends(part, { api: 'partiql', transaction: false, sampleEvery: 16 }, cold);
 * ```
 */
export function plannedSends(part: PartSends, options: SendsOptions, cold: ColdApplier): PlannedSend[] {
  const { table, now } = part;
  const sends: PlannedSend[] = [];
  const state = part.state;
  if (options.transaction) {
    // apply refuses the batch without a shard id: SHARD_ID_MISSING
    if (part.shardId === undefined || state === undefined) return sends;
    const ctx = { table, now, source: part.source, shardId: part.shardId, attrs: state, folder: part.folder };
    const budget = options.stateBudgetBytes;
    for (const input of plannedTransactions(
      part.rows,
      part.changes,
      cold.watermarks,
      ctx,
      budget,
      cold.marked,
    ))
      sends.push({ api: 'TransactWriteItems', of: 'rows', input });
    return [...sends, ...extremumSends(part.extrema, table, now, cold)];
  }
  const rowItem = (row: RowWrite): UpdateItemCommandInput =>
    state === undefined
      ? rowPlainInput(table, row, now)
      : rowOnceInput(table, row, {
          now,
          watermark: rowWatermarkFor(state, row.firstSeq, row.lastSeq, row.lastApproxMs),
          prune: undefined, // nothing learnt yet to prune
          sampleEvery: options.sampleEvery,
        });
  const ask = cold.partiql.askCapacity !== false;
  if (cold.partiql.enabled) {
    const ctx: StatementChoiceContext = {
      table,
      now,
      known: cold.known,
      partiql: cold.partiql,
      exactlyOnce:
        state === undefined ? undefined : { attrs: state, hints: NO_HINTS, sampleEvery: options.sampleEvery },
    };
    const { statements, sent, viaItem } = firstStatements(part.rows, ctx);
    for (const indexes of packStatements(statements))
      sends.push({
        api: 'BatchExecuteStatement',
        of: 'rows',
        input: statementRequest(statements, indexes, ask),
      });
    for (const row of viaItem) sends.push({ api: 'UpdateItem', of: 'rows', input: rowItem(row) });
    // as apply learns from the answers, for the rows of the next part
    for (const s of sent) succeeded(s, ctx);
    for (const row of viaItem) succeeded({ row, insert: false, guessed: false }, ctx);
    return [...sends, ...extremumSends(part.extrema, table, now, cold)];
  }
  for (const row of part.rows) sends.push({ api: 'UpdateItem', of: 'rows', input: rowItem(row) });
  return [...sends, ...extremumSends(part.extrema, table, now, cold)];
}

/** The min / max / last writes of a part, after its rows: PartiQL statements or one `UpdateItem` each. */
function extremumSends(
  extrema: readonly ExtremumWrite[],
  table: string,
  now: number,
  cold: ColdApplier,
): PlannedSend[] {
  if (!cold.partiql.enabled)
    return extrema.map((e) => ({
      api: 'UpdateItem',
      of: 'extrema',
      input: extremumItemInput(table, e, now),
    }));
  const ask = cold.partiql.askCapacity !== false;
  const statements = extremumStatements(extrema, table, now);
  return packStatements(statements).map((indexes) => ({
    api: 'BatchExecuteStatement',
    of: 'extrema',
    input: statementRequest(statements, indexes, ask),
  }));
}
