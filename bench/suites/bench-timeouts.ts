import type { ClientTimeouts } from '../../packages/dynotally/src/local/index.ts';

/**
 * Connection and per-attempt timeouts of the clients the bench's contenders write with. DynamoDB Local
 * writes far fewer items a second once the table has the image stream the bench prices PartiQL from (on
 * 2026-12-02, at load 10–14: 15–21 events a second against 150–314 without it), and a PartiQL request carries
 * 25 statements: 8 of them in flight for rows, and as many for min / max / last, queue at DynamoDB Local for
 * longer than the library's 30 s default. A timed-out attempt keeps running in the server while its retry
 * queues behind it, so the cell then fails after 6 attempts (`TimeoutError`) without being wrong. A longer
 * attempt timeout only bounds a hang: no figure the bench reports depends on it.
 *
 * @example
 * ```ts
 * const client = new DynamoDBClient(localClientConfig(endpoint, BENCH_CLIENT_TIMEOUTS));
 * ```
 */
export const BENCH_CLIENT_TIMEOUTS: ClientTimeouts = { connectTimeoutMs: 3_000, requestTimeoutMs: 180_000 };
