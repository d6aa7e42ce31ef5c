import type {
  BatchExecuteStatementCommandInput,
  TransactWriteItemsCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Change } from '../decode/index.ts';
import type { Folder } from '../fold/index.ts';
import type { ExtremumWrite, RowWrite } from '../plan/index.ts';
import { transactionChunk } from './apply-transactional.ts';
import { packStatements, statementRequest } from './batch-statements.ts';
import { ExistenceGuesses } from './existence-guesses.ts';
import { KnownRows } from './known-rows.ts';
import { rowWatermarkFor } from './shard-state.ts';
import { extremumItemInput } from './write-extrema.ts';
import { extremumStatements } from './write-extrema-batched.ts';
import type { PartiqlState, WriteApi } from './write-options.ts';
import { rowOnceInput, rowPlainInput } from './write-rows.ts';
import { firstStatements, type StatementChoiceContext, succeeded } from './write-rows-batched.ts';

/**
 * One request `Applier.apply` sends, as the dry run (`Applier.plan`) shows it: the API and its input exactly as
 * given to the AWS SDK command (`BatchExecuteStatementCommand`, `UpdateItemCommand`, `TransactWriteItemsCommand`),
 * and what it writes: the batch's row updates (`rows`; a `TransactWriteItems` also moves the shard's watermark
 * item) or its min / max / last values (`extrema`).
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
  /** Exactly-once by the `transaction` strategy (the shard's watermark item moves with the rows). */
  readonly transaction: boolean;
  /** `pruneSampleEvery`: the rows whose `UpdateItem` returns the old row. */
  readonly sampleEvery: number;
}

/**
 * What an applier that has sent nothing yet knows, as the dry run follows it from part to part of a batch: the
 * rows the earlier parts wrote (the next part updates them), the guesses about rows it does not know, and (the
 * `transaction` strategy) the shard's watermark, read as missing before the first part.
 *
 * @example
 * ```ts
 * const cold: ColdApplier = coldApplier('partiql');
 * ```
 */
export interface ColdApplier {
  readonly known: KnownRows;
  readonly partiql: PartiqlState;
  watermark: string | undefined;
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
    watermark: undefined,
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
  /** The shard's state attributes (row-watermark exactly-once), or undefined for unconditioned writes. */
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
 * `transaction` strategy, each transaction's min / max / last `UpdateItem`s then its `TransactWriteItems`, the
 * first conditioned on no watermark item. What the store's answers make apply send next (a refused `INSERT` sent
 * as an `UPDATE`, a missing row as an `INSERT`, an extremum on a missing row by `UpdateItem`, a re-read watermark)
 * is not here. `cold` learns from the part as apply would, for the next part. Reads (the stored exclusions, the
 * sampled rows read back, the watermark item) are not shown.
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
  if (options.transaction) {
    if (part.shardId === undefined) return sends; // apply refuses the batch: SHARD_ID_MISSING
    const ctx = { table, now, source: part.source, shardId: part.shardId, folder: part.folder };
    let pending = part.changes.filter(
      (c) => cold.watermark === undefined || c.sequenceNumber > cold.watermark,
    );
    while (pending.length > 0) {
      const { chunk, plan, input, last } = transactionChunk(pending, cold.watermark, ctx);
      for (const e of plan.extrema)
        sends.push({ api: 'UpdateItem', of: 'extrema', input: extremumItemInput(table, e, now) });
      sends.push({ api: 'TransactWriteItems', of: 'rows', input });
      cold.watermark = last;
      pending = pending.slice(chunk.length);
    }
    return sends;
  }
  const state = part.state;
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
    const extrema = extremumStatements(part.extrema, table, now);
    for (const indexes of packStatements(extrema))
      sends.push({
        api: 'BatchExecuteStatement',
        of: 'extrema',
        input: statementRequest(extrema, indexes, ask),
      });
    return sends;
  }
  for (const row of part.rows) sends.push({ api: 'UpdateItem', of: 'rows', input: rowItem(row) });
  for (const e of part.extrema)
    sends.push({ api: 'UpdateItem', of: 'extrema', input: extremumItemInput(table, e, now) });
  return sends;
}
