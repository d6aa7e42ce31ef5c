// The backfill "done means" run of issue 14, at any size: a source table of `items` existing orders counted by
// version 1 through the stream worker; version 2 (a new measure, a new granularity) deployed beside it; a writer
// inserting, modifying and deleting those same items while a backfill of version 2 runs in a child process that
// is killed (SIGKILL) mid-way and started again; then catch-up, promotion, the oracle over the final source
// items, the deletion of the retired version 1, and a scan-only pass for comparison. Returns every figure.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { RollupLike } from '../../packages/dynotally/src/apply/index.ts';
import { localClientConfig, localStreamsClientConfig } from '../../packages/dynotally/src/local/index.ts';
import {
  createAggregateTable,
  createClaimTable,
  createLeaseTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import {
  asVersion,
  createVersionedWriteSide,
  deleteRetiredVersion,
  promoteVersion,
  readControl,
} from '../../packages/dynotally/src/versions/index.ts';
import { createStreamWorker, runWorkerUntilIdle } from '../../packages/dynotally/src/worker/index.ts';
import { type Img, oracle } from '../../test/oracle/oracle.ts';
import { canonicalCells } from '../../test/support/pipeline.ts';
import { repoRoot } from '../repo-root.ts';
import { oracleV2, orderItem, prng, storeV1, storeV2 } from './scale-rollups.ts';

/** Options of {@link runBackfillScale}. */
export interface BackfillScaleOptions {
  endpoint: string;
  /** Existing source items (default 50 000). */
  items?: number;
  segments?: number;
  chunkItems?: number;
  /** Writer operations per second during the backfill (default 100). */
  writerOpsPerSecond?: number;
  /** Kill the first backfill process once this many chunks are done (default: a third of them). */
  killAfterChunks?: number;
  /**
   * Let version 1 count the existing items from the stream first (default true). Without it the worker starts at
   * the stream's end (version 1 counts only later changes: it is retired and deleted at the end anyway), which
   * saves folding `items` records before the backfill; version 2, what is checked, is built the same way.
   */
  version1History?: boolean;
  /** Table-name prefix (unique per run). */
  prefix?: string;
  log?: (line: string) => void;
}

/** What one backfill process reported. */
export interface ChildFigures {
  /** Killed by the run (SIGKILL). */
  killed: boolean;
  /** Exited with an error of its own (e.g. DynamoDB Local timing out under load): started again, like a kill. */
  crashed: boolean;
  seconds: number;
  chunks: number;
  scanned: number;
  folded: number;
  claimedLive: number;
  nonMembers: number;
  claimWrites: number;
  readUnits: number;
  writeUnits: number;
  maxRssMB: number;
  cpuSeconds?: number;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the whole scenario against the DynamoDB (Local) at `endpoint` and returns its figures; `correct` says
 * whether version 2 equals the oracle over the final source items (after the backfill, the kill and restart,
 * catch-up and promotion, and again after version 1's rows were deleted).
 */
export async function runBackfillScale(options: BackfillScaleOptions) {
  const items = options.items ?? 50_000;
  const segments = options.segments ?? 4;
  const chunkItems = options.chunkItems ?? 500;
  const killAfter = options.killAfterChunks ?? Math.max(1, Math.floor(Math.ceil(items / chunkItems) / 3));
  const log = options.log ?? (() => {});
  const prefix = options.prefix ?? `bfs-${process.pid}-${Date.now().toString(36)}`;
  const client = new DynamoDBClient({ ...localClientConfig(options.endpoint), maxAttempts: 10 });
  const streams = new DynamoDBStreamsClient(localStreamsClientConfig(options.endpoint));
  const names = {
    source: `${prefix}-src`,
    table: `${prefix}-agg`,
    claimTable: `${prefix}-claims`,
    leases: `${prefix}-leases`,
  };
  try {
    const [streamArn] = await Promise.all([
      createSourceTable(client, names.source, { id: 'S' }),
      createAggregateTable(client, names.table),
      createClaimTable(client, names.claimTable),
      createLeaseTable(client, names.leases),
    ]);
    // 1. the existing items
    const rand = prng(7);
    const t0 = Date.now();
    const batches: Record<string, AttributeValue>[][] = [];
    for (let i = 0; i < items; i += 25)
      batches.push(Array.from({ length: Math.min(25, items - i) }, (_, k) => orderItem(i + k, rand)));
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < batches.length) {
          const batch = batches[next++] ?? [];
          let req: Record<string, { PutRequest: { Item: Record<string, AttributeValue> } }[]> | undefined = {
            [names.source]: batch.map((Item) => ({ PutRequest: { Item } })),
          };
          while (req !== undefined && Object.keys(req).length > 0) {
            const out = await client.send(new BatchWriteItemCommand({ RequestItems: req }));
            req = out.UnprocessedItems as typeof req;
          }
        }
      }),
    );
    const loadSeconds = (Date.now() - t0) / 1000;
    log(`loaded ${items} items in ${loadSeconds.toFixed(1)} s`);

    // 2. version 1 counts them from the stream (the worker with the versioned write side)
    const worker = (
      rollups: readonly RollupLike[],
      startingPosition: 'TRIM_HORIZON' | 'LATEST' = 'TRIM_HORIZON',
    ) => {
      const applier = createVersionedWriteSide({
        client,
        table: names.table,
        claimTable: names.claimTable,
        rollups,
        claimMarginMs: 3_000,
      });
      return createStreamWorker({
        client,
        streamsClient: streams,
        streamArn,
        leaseTable: names.leases,
        table: names.table,
        rollups: applier.rollups,
        applier,
        batchSize: 1000,
        pollIntervalMs: 100,
        leaseDurationMs: 6_000,
        startingPosition,
      });
    };
    const t1 = Date.now();
    const history = options.version1History ?? true;
    const w1 = history
      ? await runWorkerUntilIdle(worker([storeV1]), { quietMs: 1_000, timeoutMs: 900_000 })
      : undefined;
    const v1Seconds = (Date.now() - t1) / 1000;
    if (w1 !== undefined) log(`version 1 folded ${w1.records} records in ${v1Seconds.toFixed(1)} s`);

    // 3. version 2 deployed beside it; a writer on the same items
    const w2 = worker([storeV1, storeV2], history ? 'TRIM_HORIZON' : 'LATEST');
    await w2.start();
    if (!history) {
      // the worker reads from the stream's end: write a sentinel order until it has seen one record, so every
      // later change is folded (earlier ones are in what the scan reads)
      const srand = prng(3);
      for (let i = 0; w2.stats().records === 0; i++) {
        if (i > 600) throw new Error('the stream worker never saw a record');
        if (i % 10 === 0)
          await client.send(
            new PutItemCommand({ TableName: names.source, Item: orderItem(items + 1e6, srand) }),
          );
        await sleep(100);
      }
    }
    let writing = true;
    let writes = 0;
    const writerRate = options.writerOpsPerSecond ?? 100;
    const wrand = prng(11);
    const writer = (async () => {
      const started = Date.now();
      while (writing) {
        const id = wrand(items + Math.ceil(items / 10));
        if (wrand(10) < 3)
          await client.send(
            new DeleteItemCommand({ TableName: names.source, Key: { id: { S: `o-${id}` } } }),
          );
        else await client.send(new PutItemCommand({ TableName: names.source, Item: orderItem(id, wrand) }));
        writes++;
        const due = started + (writes / writerRate) * 1000 - Date.now();
        if (due > 0) await sleep(due);
      }
    })();
    // the worker's first batch registers version 2 (building); then two control refreshes go by
    for (let i = 0; (await readControl(client, names.table, 'store'))?.versions.length !== 2; i++) {
      if (i > 600) throw new Error('version 2 was never registered by the stream worker');
      await sleep(100);
    }
    await sleep(1_500);

    // 4. the backfill in a child process, killed, then started again
    const childArgs = JSON.stringify({
      endpoint: options.endpoint,
      source: names.source,
      table: names.table,
      claimTable: names.claimTable,
      segments,
      chunkItems,
    });
    const runChild = (killAt: number | undefined) =>
      new Promise<ChildFigures>((resolve, reject) => {
        const child: ChildProcess = spawn(
          process.execPath,
          [
            // BACKFILL_CHILD_NODE_ARGS: extra node flags for the backfill process (e.g. --cpu-prof to profile it)
            ...(process.env.BACKFILL_CHILD_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
            '--import',
            'tsx',
            join(repoRoot(), 'bench', 'backfill', 'backfill-child.ts'),
            childArgs,
          ],
          { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'inherit'] },
        );
        const started = Date.now();
        let last: Record<string, number> = {};
        let done: Record<string, unknown> | undefined;
        let buf = '';
        let killed = false;
        child.stdout?.on('data', (d: Buffer) => {
          buf += d.toString();
          for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            const msg = JSON.parse(line) as Record<string, unknown>;
            if (msg.type === 'done') done = msg;
            else last = msg as Record<string, number>;
            if (!killed && killAt !== undefined && (last.chunks ?? 0) >= killAt) {
              killed = true;
              child.kill('SIGKILL');
            }
          }
        });
        child.on('error', reject);
        child.on('exit', (code, signal) => {
          const seconds = (Date.now() - started) / 1000;
          const p = (done?.report as { progress?: Record<string, number> } | undefined)?.progress ?? last;
          const crashed = !killed && code !== 0;
          if (crashed) log(`the backfill process exited with ${code ?? signal}: it is started again`);
          resolve({
            killed,
            crashed,
            seconds,
            chunks: p.chunks ?? 0,
            scanned: p.scanned ?? 0,
            folded: p.folded ?? 0,
            claimedLive: p.claimedLive ?? 0,
            nonMembers: p.nonMembers ?? 0,
            claimWrites: p.claimWrites ?? 0,
            readUnits: p.readUnits ?? 0,
            writeUnits: p.writeUnits ?? 0,
            maxRssMB: Number(done?.maxRssMB ?? last.maxRssMB ?? 0),
            ...(done?.cpuMs === undefined ? {} : { cpuSeconds: Number(done.cpuMs) / 1000 }),
          });
        });
      });
    const tb = Date.now();
    // until one process has been killed, each is killed after `killAfter` chunks of its own; one that dies on its
    // own (DynamoDB Local timing out under load) is started again like a killed one
    const runs: ChildFigures[] = [];
    for (;;) {
      const killing = !runs.some((r) => r.killed);
      const run = await runChild(killing ? killAfter : undefined);
      runs.push(run);
      log(
        `backfill process ${run.killed ? 'killed (SIGKILL)' : run.crashed ? 'died on its own' : 'completed'}: ${run.chunks} chunks, ${run.scanned} items, ${run.seconds.toFixed(1)} s`,
      );
      if (!run.killed && !run.crashed) break;
      if (runs.length > 12) throw new Error('the backfill process was started 12 times without completing');
    }
    const first = runs.find((r) => r.killed) as ChildFigures;
    const second = runs[runs.length - 1] as ChildFigures;
    const restarts = runs.filter((r) => r.crashed);
    const backfillSeconds = (Date.now() - tb) / 1000;
    const control = await readControl(client, names.table, 'store');
    const v2 = control?.versions.find((v) => v.version === 2);
    if (v2?.state !== 'ready') throw new Error(`version 2 is ${v2?.state} after the backfill, not ready`);

    // 5. the writer stops; the consumer catches up past the claim window; promotion
    writing = false;
    await writer;
    const tc = Date.now();
    await sleep(3_500);
    const w2stats = await runWorkerUntilIdle(w2, { quietMs: 1_500, timeoutMs: 900_000 });
    const catchUpSeconds = (Date.now() - tc) / 1000;
    await promoteVersion(client, names.table, 'store', 2);

    // 6. the oracle over the final source items
    const scanAll = async (table: string, filter?: (r: Record<string, AttributeValue>) => boolean) => {
      const out: Record<string, AttributeValue>[] = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
        );
        for (const it of page.Items ?? []) if (filter === undefined || filter(it)) out.push(it);
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      return out;
    };
    const finals = (await scanAll(names.source)) as unknown as Img[];
    const expected = oracle([oracleV2], finals, [], []);
    const compare = async () => {
      const rows = await scanAll(names.table, (r) => r.pk?.S?.startsWith('store.v2#') === true);
      const actual = canonicalCells([asVersion(storeV2.compiled, 2)], rows);
      const wrong: string[] = [];
      for (const k of new Set([...expected.keys(), ...actual.keys()]))
        if (expected.get(k) !== actual.get(k))
          wrong.push(`${k}: expected ${expected.get(k)}, got ${actual.get(k)}`);
      return { cells: expected.size, rows: rows.length, wrong };
    };
    const afterPromotion = await compare();
    log(`oracle: ${afterPromotion.cells} cells, ${afterPromotion.wrong.length} differ`);

    // 7. the retired version 1 deleted in the background (no stream process writes it any more)
    const td = Date.now();
    const deletion = await deleteRetiredVersion({
      client,
      table: names.table,
      rollup: 'store',
      version: 1,
      graceMs: 0,
    });
    const deleteSeconds = (Date.now() - td) / 1000;
    const v1Left = (await scanAll(names.table, (r) => /^store#/.test(r.pk?.S ?? ''))).length;
    const afterDeletion = await compare();
    log(`deleted ${deletion.deleted} rows of version 1 in ${deleteSeconds.toFixed(1)} s; ${v1Left} left`);

    // 8. scan only: the same parallel consistent Scan, nothing else
    const ts = Date.now();
    let scanOnlyItems = 0;
    let scanOnlyUnits = 0;
    await Promise.all(
      Array.from({ length: segments }, async (_, segment) => {
        let start: Record<string, AttributeValue> | undefined;
        do {
          const page = await client.send(
            new ScanCommand({
              TableName: names.source,
              Segment: segment,
              TotalSegments: segments,
              ConsistentRead: true,
              Limit: chunkItems,
              ReturnConsumedCapacity: 'TOTAL',
              ExclusiveStartKey: start,
            }),
          );
          scanOnlyItems += page.Items?.length ?? 0;
          scanOnlyUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
          start = page.LastEvaluatedKey;
        } while (start !== undefined);
      }),
    );
    const scanOnlySeconds = (Date.now() - ts) / 1000;

    const total = (f: (c: ChildFigures) => number) => runs.reduce((n, c) => n + f(c), 0);
    const scanned = total((c) => c.scanned);
    const folded = total((c) => c.folded);
    const claimWrites = total((c) => c.claimWrites);
    const readUnits = total((c) => c.readUnits);
    const writeUnits = total((c) => c.writeUnits);
    const rowWriteUnits = writeUnits - claimWrites;
    const busy = total((c) => c.seconds);
    return {
      correct: afterPromotion.wrong.length === 0 && afterDeletion.wrong.length === 0 && v1Left === 0,
      items,
      segments,
      chunkItems,
      load: { seconds: round(loadSeconds), itemsPerSecond: Math.round(items / loadSeconds) },
      version1: { history, records: w1?.records ?? 0, seconds: round(v1Seconds) },
      writer: { opsPerSecondTarget: writerRate, ops: writes, deletesShare: 0.3 },
      backfill: {
        killedRun: first,
        crashedRuns: restarts,
        resumedRun: second,
        wallSeconds: round(backfillSeconds),
        scanned,
        folded,
        claimedLive: total((c) => c.claimedLive),
        claimWrites,
        readUnits: round(readUnits),
        writeUnits: round(writeUnits),
        rowWriteUnits: round(rowWriteUnits),
        itemsScannedPerSecond: Math.round(scanned / busy),
        itemsFoldedPerSecond: Math.round(folded / busy),
        readUnitsPerItem: round(readUnits / scanned, 3),
        writeUnitsPerItem: round(writeUnits / scanned, 3),
        rowWriteUnitsPerItem: round(rowWriteUnits / scanned, 3),
        claimWritesPerItem: round(claimWrites / scanned, 3),
        peakRssMB: Math.max(...runs.map((c) => c.maxRssMB)),
      },
      scanOnly: {
        items: scanOnlyItems,
        seconds: round(scanOnlySeconds),
        itemsPerSecond: Math.round(scanOnlyItems / scanOnlySeconds),
        readUnitsPerItem: round(scanOnlyUnits / scanOnlyItems, 3),
      },
      catchUp: { seconds: round(catchUpSeconds), recordsAfterDeploy: w2stats.records },
      oracle: {
        cells: afterPromotion.cells,
        rowsVersion2: afterPromotion.rows,
        differAfterPromotion: afterPromotion.wrong.length,
        differAfterDeletion: afterDeletion.wrong.length,
        firstDifferences: afterPromotion.wrong.slice(0, 10),
      },
      deletion: {
        rows: deletion.deleted,
        pages: deletion.pages,
        seconds: round(deleteSeconds),
        rowsPerSecond: Math.round(deletion.deleted / deleteSeconds),
        itemsScanned: deletion.scanned,
        writeUnits: round(deletion.writeUnits),
        version1RowsLeft: v1Left,
      },
    };
  } finally {
    client.destroy();
    streams.destroy();
  }
}

/** The figures {@link runBackfillScale} returns. */
export type BackfillScaleFigures = Awaited<ReturnType<typeof runBackfillScale>>;
