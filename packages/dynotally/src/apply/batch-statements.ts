import {
  BatchExecuteStatementCommand,
  type BatchExecuteStatementCommandInput,
  type BatchStatementRequest,
  type BatchStatementResponse,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import type { ApplyReport } from './apply-report.ts';
import { consumedUnits } from './capacity.ts';
import { mapLimit } from './map-limit.ts';
import { type RetryOptions, withRetry } from './retry.ts';
import { retrying } from './write-extrema.ts';

/** DynamoDB's limit of statements in one `BatchExecuteStatement`. */
export const MAX_STATEMENTS_PER_BATCH = DYNAMO_LIMITS.batchStatements;

/** One statement to send, with the key it writes (two statements on one key reject the whole request). */
export interface KeyedStatement {
  readonly key: string;
  readonly statement: BatchStatementRequest;
  /**
   * The statement's size in the request's JSON, when it may be large (a claim holding an item near 400 KB can
   * be several times its item size in JSON): requests are kept within {@link REQUEST_JSON_BYTES}. Absent: small.
   */
  readonly bytes?: number | undefined;
}

/**
 * The most bytes of statements one `BatchExecuteStatement` carries. Its request limit is not documented (16 MB for
 * `BatchWriteItem`); past 16 MB DynamoDB Local answers HTTP 413 and drops the connection while the body is still
 * being written. Statements without a size are counted as none: they are small.
 */
export const REQUEST_JSON_BYTES = 8 * 1024 * 1024;

/**
 * Packs statements into requests of at most 25, never two on one key in a request, and within
 * {@link REQUEST_JSON_BYTES} (first fit, in order; a statement larger than that alone goes alone).
 *
 * @example
 * ```ts
 * packStatements([{ key: 'a', statement: s1 }, { key: 'a', statement: s2 }]); // [[0], [1]]
 * ```
 */
export function packStatements(items: readonly KeyedStatement[]): number[][] {
  const requests: Array<{ keys: Set<string>; members: number[]; bytes: number }> = [];
  let open = 0; // requests before this one are full
  items.forEach((item, i) => {
    const bytes = item.bytes ?? 0;
    for (let r = open; ; r++) {
      let req = requests[r];
      if (req === undefined) {
        req = { keys: new Set(), members: [], bytes: 0 };
        requests.push(req);
      }
      if (req.members.length >= MAX_STATEMENTS_PER_BATCH || req.keys.has(item.key)) continue;
      if (req.members.length > 0 && req.bytes + bytes > REQUEST_JSON_BYTES) continue;
      req.keys.add(item.key);
      req.members.push(i);
      req.bytes += bytes;
      while ((requests[open]?.members.length ?? 0) >= MAX_STATEMENTS_PER_BATCH) open++;
      return;
    }
  });
  return requests.map((r) => r.members);
}

/**
 * The `BatchExecuteStatement` input of one packed request ({@link packStatements}): its statements in order, asking
 * for `ReturnConsumedCapacity: 'TOTAL'` when `askCapacity` (see {@link SendStatementsContext.capacity}).
 *
 * @example
 * ```ts
 * const inputs = packStatements(items).map((indexes) => statementRequest(items, indexes, true));
 * ```
 */
export function statementRequest(
  items: readonly KeyedStatement[],
  indexes: readonly number[],
  askCapacity: boolean,
): BatchExecuteStatementCommandInput {
  const Statements = indexes.map((i) => (items[i] as KeyedStatement).statement);
  return askCapacity ? { Statements, ReturnConsumedCapacity: 'TOTAL' } : { Statements };
}

/** What {@link sendStatements} needs. */
export interface SendStatementsContext {
  client: DynamoDBClient;
  concurrency: number;
  report: ApplyReport;
  retry?: RetryOptions;
  /**
   * Whether to ask for `ReturnConsumedCapacity: 'TOTAL'`, learnt per applier: `askCapacity` starts true (or
   * absent) and turns false once the store answered a request that asked without reporting any (DynamoDB Local
   * never reports capacity for PartiQL, yet the question costs its CPU). Without it, every request asks.
   */
  capacity?: { askCapacity?: boolean } | undefined;
}

/** The answers of one {@link sendStatements} call, by statement index. */
export interface StatementAnswers {
  /** `undefined` where the whole request failed (see `requestErrors`). */
  responses: Array<BatchStatementResponse | undefined>;
  /** Write units the store reported for the requests that answered (DynamoDB Local reports none). */
  reportedUnits: number;
  /** Statements of requests the store would not run at all (no permission, unknown operation …). */
  requestErrors: Array<{ indexes: number[]; error: unknown }>;
}

/**
 * Sends statements 25 to a `BatchExecuteStatement` (bounded in flight, each request retried as a whole on
 * throttling and network errors), and returns every statement's own answer. Per-statement failures
 * (condition, duplicate, throttling of one statement) are answers, not exceptions.
 *
 * @example
 * ```ts
 * const { responses } = await sendStatements(items, { client, concurrency: 8, report });
 * responses[0]?.Error?.Code; // 'ConditionalCheckFailed' | 'DuplicateItem' | … | undefined on success
 * ```
 */
export async function sendStatements(
  items: readonly KeyedStatement[],
  ctx: SendStatementsContext,
): Promise<StatementAnswers> {
  const answers: StatementAnswers = {
    responses: new Array(items.length),
    reportedUnits: 0,
    requestErrors: [],
  };
  await mapLimit(packStatements(items), ctx.concurrency, async (indexes) => {
    const ask = ctx.capacity?.askCapacity !== false;
    try {
      const input = statementRequest(items, indexes, ask);
      const out = await withRetry(
        () => ctx.client.send(new BatchExecuteStatementCommand(input)),
        retrying(ctx),
      );
      ctx.report.requests++;
      // a store that answers the question with nothing for a write it made will never answer it: stop asking
      // (units are estimated). Only a request with a statement that succeeded says so: the service may well
      // leave out the capacity of a request whose every statement failed before writing (a missing attribute,
      // throttling), and stopping there would leave the service's reported units for estimates for good.
      if (
        ask &&
        ctx.capacity !== undefined &&
        (out.ConsumedCapacity?.length ?? 0) === 0 &&
        (out.Responses ?? []).some((r) => r.Error === undefined)
      )
        ctx.capacity.askCapacity = false;
      answers.reportedUnits += consumedUnits(out.ConsumedCapacity);
      indexes.forEach((i, k) => {
        answers.responses[i] = out.Responses?.[k] ?? {};
      });
    } catch (error) {
      if (!isRequestRejection(error)) throw error;
      answers.requestErrors.push({ indexes, error });
    }
  });
  return answers;
}

/**
 * A request the store refuses as such (not a transient failure): its rows go through `UpdateItem`. A body past the
 * store's request size is one too: DynamoDB Local answers HTTP 413 with no error code past 16 MB, which 25 claims
 * keeping large images whole (a backfill's `putNewClaims`) can pass in JSON, though each is within 400 KB.
 */
function isRequestRejection(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  const name = e?.name;
  return (
    name === 'AccessDeniedException' ||
    name === 'UnknownOperationException' ||
    name === 'ValidationException' ||
    name === 'UnrecognizedClientException' ||
    e?.$metadata?.httpStatusCode === 413
  );
}

/** Statement error codes worth sending again (after a backoff). */
export const RETRYABLE_STATEMENT_CODES: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceeded',
  'ThrottlingError',
  'RequestLimitExceeded',
  'InternalServerError',
  'TransactionConflict',
]);
