// A flush bucket gathers every counter its records touched in a row: records spanning an hour of one group
// give an hour row of a 5-counter ['minute', 'hour'] rollup 305 counters, more than one UpdateItem carries
// (4 KB expression, 300 operators). The flusher writes such a row in parts, in order, each exactly once: the
// counts stay exact through a re-run of the flush, a crash between the parts (and reads merged with the live
// buffer meanwhile), and a part DynamoDB refuses goes to the dead-letter table as a letter its replay can write.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { additionsFit, MAX_ADDS_PER_WRITE } from '../../packages/dynotally/src/layout/write-limits.ts';
import { toDynamoN } from '../../packages/dynotally/src/numbers/index.ts';
import {
  createBufferedApplier,
  createFlusher,
  createRedisLiveSource,
  withLive,
} from '../../packages/dynotally/src/redis/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { uniqueTableName } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';
import { type BufferEnv, MINUTE, scanItems, startBufferEnv } from './harness.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });

/** Measures of the rollups: the counter name and the record attribute it sums (none: a count). */
const MEASURES: Array<[string, string | undefined]> = [
  ['readings', undefined],
  ['energyImported', 'v'],
  ['energyExported', 'w'],
  ['reactivePower', 'x'],
  ['apparentPower', 'y'],
  ['voltage', 'z'],
  ['current', 'q'],
];

/** `n` counters at minute and hour: an hour row holds up to 61 × n of them. */
function wideRollup(name: string, n: number, ranked: boolean) {
  return defineRollup({
    name,
    groupBy: 'g',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['minute', 'hour'],
    measures: Object.fromEntries(
      MEASURES.slice(0, n).map(([m, a]) => [m, a === undefined ? count() : sum(a)]),
    ),
    // a ranked hour row also carries its leaderboard entry (lbk, and lbv: the readings)
    ...(ranked ? { leaderboard: { measure: 'readings', granularities: ['hour'] } } : {}),
  });
}
const HOUR = Date.UTC(2026, 10, 22, 8);
const START = HOUR + 3_600_000; // records arrive after their hour (a catch-up): all in one flush bucket

let env: BufferEnv;
/** Row writes sent adding more counters than `additionsFit` allows, and writes DynamoDB (or the test) refused. */
const sent = {
  unfit: 0,
  refused: 0,
  reset() {
    sent.unfit = 0;
    sent.refused = 0;
  },
};
/** Refuse (as DynamoDB refuses a 400 KB item) every UpdateItem adding this attribute, while set. */
let refuseAttr: string | undefined;
beforeAll(async () => {
  env = await startBufferEnv();
  env.ddb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        UpdateExpression?: string;
        ExpressionAttributeNames?: Record<string, string>;
        TransactItems?: Array<{ Update?: { ExpressionAttributeNames?: Record<string, string> } }>;
      };
      for (const u of [input, ...(input.TransactItems ?? []).map((t) => t.Update ?? {})]) {
        const names = u.ExpressionAttributeNames ?? {};
        const added = Object.keys(names)
          .filter((k) => /^#a\d+$/.test(k))
          .map((k) => names[k] as string);
        if (!additionsFit(added)) sent.unfit++;
      }
      try {
        if (
          refuseAttr !== undefined &&
          context.commandName === 'UpdateItemCommand' &&
          Object.values(input.ExpressionAttributeNames ?? {}).includes(refuseAttr)
        )
          throw Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
            name: 'ValidationException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        return await next(args);
      } catch (e) {
        if ((e as Error).name === 'ValidationException') sent.refused++;
        throw e;
      }
    },
    { step: 'initialize', name: 'flusherWideSent' },
  );
});
afterAll(() => env?.close());

let seq = 1000;
/** Three records a minute for an hour: two of group g1, one of g2. */
function hourOfRecords(): DynamoDBRecord[] {
  const out: DynamoDBRecord[] = [];
  for (let m = 0; m < 60; m++)
    for (const g of ['g1', 'g2', 'g1']) {
      seq += 1;
      const id = `i${seq}`;
      const t = HOUR + m * MINUTE + 1000;
      out.push({
        eventID: id,
        eventName: 'INSERT',
        eventSourceARN: 'arn:test:stream',
        dynamodb: {
          Keys: { id: { S: id } },
          NewImage: {
            id: { S: id },
            g: { S: g },
            t: { N: String(t) },
            v: { N: String(m + 1) },
            w: { N: '0.5' },
            x: { N: String(m % 7) },
            y: { N: '2' },
            z: { N: '230.25' },
            q: { N: String(m % 3) },
          },
          SequenceNumber: String(seq),
          ApproximateCreationDateTime: Math.floor(t / 1000),
        },
      });
    }
  return out;
}

type Rows = Record<string, Record<string, number>>;

/** Every counter of every (hour) row of the rollup of `n` measures, from the records alone. */
function expected(name: string, n: number, ranked: boolean, records: readonly DynamoDBRecord[]): Rows {
  const rows: Rows = {};
  for (const r of records) {
    const img = r.dynamodb?.NewImage as Record<string, { S?: string; N?: string }>;
    const key = `${name}#s${img.g?.S}`;
    const minute = Math.floor((Number(img.t?.N) - HOUR) / MINUTE);
    const row = rows[key] ?? {};
    rows[key] = row;
    for (const [m, a] of MEASURES.slice(0, n)) {
      const v = a === undefined ? 1 : Number(img[a]?.N);
      for (const c of [m, `${m}_${minute}`]) row[c] = (row[c] ?? 0) + v;
    }
  }
  // a counter that sums to zero is never written
  for (const row of Object.values(rows)) {
    for (const [a, v] of Object.entries(row)) if (v === 0) delete row[a];
    if (ranked) row.lbv = row.readings ?? 0;
  }
  return rows;
}

const COUNTER = /^[a-zA-Z]+(_\d+)?$/;

// 5 counters, as in the stream path's wide-rows test: 296 in g1's hour row (9 minutes sum zero), more than
// the 100 a write carries (DynamoDB allows 300 operators; DynamoDB Local takes them, under 4 KB). 7 counters:
// 427, an UpdateExpression over 4 KB, which DynamoDB Local refuses too. Ranked: the leaderboard delta goes
// with the row's last part.
describe.each([
  { n: 5, name: 'wfive', ranked: false },
  { n: 7, name: 'wseven', ranked: false },
  { n: 5, name: 'wranked', ranked: true },
])('the flusher, a row wider than one write ($n counters, ranked: $ranked)', ({ n, name, ranked }) => {
  const rollup = wideRollup(name, n, ranked);

  /** The counters of the stored rows, merged with the live buffer when `keyPrefix` is given. */
  async function stored(table: string, keyPrefix?: string): Promise<Rows> {
    const items = await scanItems(env.ddb, table);
    const source =
      keyPrefix === undefined
        ? undefined
        : createRedisLiveSource({ redis: env.redis, rollups: [rollup], keyPrefix });
    const live = await source?.read(['g1', 'g2'].map((g) => `${name}#s${g}`));
    const rows: Rows = {};
    const all = [...items];
    // rows only in the buffer yet
    for (const pk of live?.pks() ?? [])
      for (const sk of live?.sortKeys(pk) ?? [])
        if (!items.some((i) => i.pk?.S === pk && i.sk?.S === sk)) all.push({ pk: { S: pk }, sk: { S: sk } });
    for (const raw of all) {
      if (raw.pk?.S?.startsWith(`${name}#`) !== true) continue;
      const item = live === undefined ? raw : withLive(live, raw);
      const counters: Record<string, number> = {};
      for (const [a, v] of Object.entries(item))
        if (COUNTER.test(a) && !['pk', 'sk', 'updatedAt', 'ttl', 'lbk'].includes(a))
          counters[a] = Number(v.N);
      // the leaderboard entry, merged with the live ranked deltas as a top-N query does
      if (ranked && source !== undefined) {
        const sk = String(raw.sk?.S);
        const pending = (await source.readRanked(name, sk)).pending(String(raw.pk?.S), sk, raw._fb?.S);
        const d = pending.get('lbv');
        if (d !== undefined) counters.lbv = (counters.lbv ?? 0) + Number(toDynamoN(d));
      }
      rows[String(item.pk?.S)] = counters;
    }
    return rows;
  }

  async function buffered(prefix: string) {
    const fixture = await env.fixture(prefix, [rollup], START);
    const applier = createBufferedApplier(fixture.common);
    const records = hourOfRecords();
    for (let i = 0; i < records.length; i += 30)
      await applier.apply({ records: records.slice(i, i + 30), shardId: 's-1' });
    fixture.clock.advance(2 * MINUTE);
    return { ...fixture, records, oracle: expected(name, n, ranked, records) };
  }

  it('writes it exactly once in parts within the limits; a re-run of the same flush changes nothing', async () => {
    const { table, common, oracle } = await buffered(`${name}-once`);
    sent.reset();
    // the first run stops after its rows, before the bucket is marked done: the next run flushes it again
    let stop = true;
    const crashing = createFlusher({
      ...common,
      onStep: (s) => {
        if (stop && s.step === 'rows-written') throw new Error('crash before the bucket is marked done');
      },
    });
    await expect(crashing.flushClosed()).rejects.toThrow(/crash before/);
    stop = false;
    expect(sent.refused).toBe(0);
    expect(sent.unfit).toBe(0);
    expect(Object.keys(oracle[`${name}#sg1`] ?? {}).length).toBeGreaterThan(MAX_ADDS_PER_WRITE * 2);
    expect(await stored(table)).toEqual(oracle);

    const again = await createFlusher(common).flushClosed();
    expect(again.buckets).toBe(1);
    expect(again.rowsWritten).toBe(0);
    expect(again.rowsAlreadyApplied).toBe(2);
    expect(again.rowsDeadLettered).toBe(0);
    expect(await stored(table)).toEqual(oracle);
    expect(sent.refused).toBe(0);
    expect(sent.unfit).toBe(0);
  });

  it('a crash between the parts: reads merged with the buffer stay exact, the next flush completes the row once', async () => {
    const { table, keyPrefix, common, oracle } = await buffered(`${name}-crash`);
    let updates = 0;
    const dying = heldClient(env.ddb, async (c) => {
      if (c instanceof UpdateItemCommand && c.input.Key?.pk?.S === `${name}#sg1` && ++updates === 2)
        throw new Error('the flusher dies after the first part of the row');
    });
    await expect(createFlusher({ ...common, client: dying, concurrency: 1 }).flushClosed()).rejects.toThrow(
      /dies after the first part/,
    );
    const half = await stored(table);
    expect(half[`${name}#sg1`]).toBeDefined();
    expect(half[`${name}#sg1`]).not.toEqual(oracle[`${name}#sg1`]); // some of the row written, not all
    expect(await stored(table, keyPrefix)).toEqual(oracle); // a reader counts each cell once meanwhile

    const report = await createFlusher(common).flushClosed();
    expect(report.rowsDeadLettered).toBe(0);
    expect(await stored(table)).toEqual(oracle);
    expect(await stored(table, keyPrefix)).toEqual(oracle);
    expect((await createFlusher(common).flushClosed()).buckets).toBe(0);
    expect(await stored(table)).toEqual(oracle);
  });

  it('a part DynamoDB refuses is dead-lettered alone; its replay fits one write and counts it once', async () => {
    const { table, common, oracle } = await buffered(`${name}-dl`);
    const dlq = uniqueTableName(`${name}-dlq`);
    await createDeadLetterTable(env.ddb, dlq);
    refuseAttr = 'readings_30';
    try {
      const report = await createFlusher({
        ...common,
        deadLetter: new DynamoDbDeadLetterSink(env.ddb, dlq),
      }).flushClosed();
      expect(report.rowsDeadLettered).toBeGreaterThan(0);
    } finally {
      refuseAttr = undefined;
    }
    const letters = await listDeadLetters({ client: env.ddb, table: dlq });
    expect(letters.length).toBeGreaterThan(0);
    for (const l of letters) {
      expect(l.code).toBe('ROW_REJECTED');
      for (const d of l.deltas ?? []) expect(additionsFit(d.adds.map(([a]) => a))).toBe(true);
    }
    expect(await stored(table)).not.toEqual(oracle);
    sent.reset();
    const opts = { client: env.ddb, deadLetterTable: dlq, table, rollups: [rollup], all: true };
    expect((await replayDeadLetters(opts)).every((r) => r.outcome === 'replayed')).toBe(true);
    expect(sent.refused).toBe(0);
    expect(await replayDeadLetters(opts)).toEqual([]);
    expect(await stored(table)).toEqual(oracle);
  });
});
