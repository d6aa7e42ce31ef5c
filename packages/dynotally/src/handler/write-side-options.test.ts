import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { scenario } from '../../../dynotally-cli/src/scenarios/generators/index.ts';
import { Applier, type ApplyInput, emptyReport, type WriteSide } from '../apply/index.ts';
import type { DeadLetter, DeadLetterSink } from '../dead-letter/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import { createStreamWorker } from '../worker/index.ts';
import { checkWriteSide, createStreamHandler } from './index.ts';

const s4 = scenario('s4').rollup;
const s0 = scenario('s0').rollup;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A write side that records its calls; it folds for real (a malformed record is poison) and writes nothing. */
function recordingWriteSide(): WriteSide & { calls: ApplyInput[] } {
  const calls: ApplyInput[] = [];
  const direct = new Applier({ client: new DynamoDBClient({}), table: 'aggregates', rollups: [s4] });
  return {
    calls,
    rollups: direct.rollups,
    async apply(input) {
      calls.push(input);
      return { report: emptyReport(input.records.length), poison: direct.plan(input).poison };
    },
  };
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isDynotallyError(e) ? `${e.code}: ${e.message}` : `not coded: ${String(e)}`;
  }
  return undefined;
}

const malformed = {
  eventID: 'x',
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/1',
  dynamodb: { SequenceNumber: '100' }, // an INSERT without its new image: poison (IMAGE_MISSING)
} as DynamoDBRecord;

describe('a ready write side (applier) on the handler and the worker', () => {
  for (const [option, value] of [
    ['mode', 'at-least-once'],
    ['strategy', 'transaction'],
    ['concurrency', 4],
    ['retry', { maxAttempts: 2 }],
    ['table', 'aggregates'],
  ] as const) {
    it(`createStreamHandler rejects ${option} beside applier (it would be ignored)`, () => {
      const applier = recordingWriteSide();
      const message = codeOf(() =>
        createStreamHandler({ applier, [option]: value } as unknown as Parameters<
          typeof createStreamHandler
        >[0]),
      );
      expect(message).toMatch(/^CONFIG_INVALID: /);
      expect(message).toContain(option);
    });
  }

  it('createStreamHandler rejects rollups other than the applier folds, accepts the same ones', () => {
    const applier = recordingWriteSide();
    expect(codeOf(() => createStreamHandler({ applier, rollups: [s0] }))).toMatch(
      /^CONFIG_INVALID: .*not the applier's/,
    );
    expect(codeOf(() => createStreamHandler({ applier, rollups: [s4] }))).toBeUndefined();
    expect(codeOf(() => createStreamHandler({ applier }))).toBeUndefined();
  });

  it('rejects something that is not a write side', () => {
    expect(
      codeOf(() =>
        createStreamHandler({ applier: {} as WriteSide } as Parameters<typeof createStreamHandler>[0]),
      ),
    ).toMatch(/^CONFIG_INVALID: .*rollups and apply/);
  });

  it('rejects an Applier with its own dead-letter sink beside a handler sink (poison would be sent twice)', () => {
    const sink: DeadLetterSink = { send: async () => {} };
    const applier = new Applier({
      client: new DynamoDBClient({}),
      table: 'aggregates',
      rollups: [s4],
      deadLetter: sink,
    });
    expect(codeOf(() => createStreamHandler({ applier, deadLetter: sink }))).toMatch(
      /^CONFIG_INVALID: .*twice/,
    );
    expect(codeOf(() => createStreamHandler({ applier, deadLetter: 'log', logger: silent }))).toBeUndefined();
  });

  it("applies every batch with the given write side and sends the poison it returns to the handler's sink", async () => {
    const applier = recordingWriteSide();
    const sent: DeadLetter[] = [];
    const handler = createStreamHandler({
      applier,
      deadLetter: { send: async (ls: readonly DeadLetter[]) => void sent.push(...ls) },
      logger: silent,
    });
    const res = await handler({ Records: [malformed], shardId: 'shardId-1' });
    expect(res.batchItemFailures).toEqual([]);
    expect(applier.calls).toHaveLength(1);
    expect(applier.calls[0]?.shardId).toBe('shardId-1');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.sequenceNumber).toBe('100');
    expect(sent[0]?.shardId).toBe('shardId-1');
    expect(sent[0]?.code).toBe('IMAGE_MISSING');
  });

  it('a given Applier with its own sink sends the poison; the handler only counts it (no record logged as lost)', async () => {
    const sent: DeadLetter[] = [];
    const lines: string[] = [];
    const applier = new Applier({
      client: new DynamoDBClient({}),
      table: 'aggregates',
      rollups: [s4],
      deadLetter: { send: async (ls: readonly DeadLetter[]) => void sent.push(...ls) },
    });
    const handler = createStreamHandler({
      applier,
      logger: {
        ...silent,
        error: (m: string) => void lines.push(`error ${m}`),
        warn: (m: string) => void lines.push(`warn ${m}`),
      },
    });
    // the only record is poison, so the Applier writes nothing and needs no DynamoDB
    expect((await handler({ Records: [malformed], shardId: 'shardId-1' })).batchItemFailures).toEqual([]);
    expect(sent.map((d) => d.code)).toEqual(['IMAGE_MISSING']);
    expect(lines).toEqual(['warn records sent to the dead-letter sink']);
  });

  it('gives its sink with the batch; poison a write side says it sent is neither sent again nor logged as lost', async () => {
    const handlerSent: DeadLetter[] = [];
    const sideSent: DeadLetter[] = [];
    const direct = new Applier({ client: new DynamoDBClient({}), table: 'aggregates', rollups: [s4] });
    const given: DeadLetterSink[] = [];
    // a write side that sends its letters itself: to the sink given with the batch, else to one of its own
    const sending: WriteSide = {
      rollups: direct.rollups,
      async apply(input) {
        const out = await direct.apply(input);
        if (input.deadLetter !== undefined) given.push(input.deadLetter);
        else
          await Promise.resolve(
            sideSent.push(...out.poison.map(() => ({ code: 'X' }) as unknown as DeadLetter)),
          );
        return { ...out, sent: true };
      },
    };
    const withSink = createStreamHandler({
      applier: sending,
      deadLetter: { send: async (ls: readonly DeadLetter[]) => void handlerSent.push(...ls) },
      logger: silent,
    });
    expect((await withSink({ Records: [malformed], shardId: 'shardId-1' })).batchItemFailures).toEqual([]);
    expect(given).toHaveLength(1); // the handler's sink, given with the batch
    expect(handlerSent.map((d) => d.code)).toEqual(['IMAGE_MISSING']); // sent once, by the Applier through it
    const lines: string[] = [];
    const withoutSink = createStreamHandler({
      applier: sending,
      logger: {
        ...silent,
        error: (m: string) => void lines.push(`error ${m}`),
        warn: (m: string) => void lines.push(`warn ${m}`),
      },
    });
    expect((await withoutSink({ Records: [malformed], shardId: 'shardId-1' })).batchItemFailures).toEqual([]);
    expect(sideSent).toHaveLength(1);
    expect(lines).toEqual(['warn records sent to the dead-letter sink']);
  });

  it('createStreamWorker rejects mode, strategy, concurrency and retry beside applier, and other rollups', () => {
    const base = {
      clientConfig: { region: 'local', endpoint: 'http://127.0.0.1:1' },
      sourceTable: 'src',
      leaseTable: 'leases',
      table: 'aggregates',
      rollups: [s4],
      logger: silent,
    };
    const applier = recordingWriteSide();
    for (const extra of [
      { mode: 'at-least-once' as const },
      { strategy: 'transaction' as const },
      { concurrency: 8 },
      { retry: { maxAttempts: 1 } },
    ]) {
      const message = codeOf(() => createStreamWorker({ ...base, applier, ...extra }));
      expect(message).toMatch(/^CONFIG_INVALID: createStreamWorker: /);
      expect(message).toContain(Object.keys(extra)[0]);
    }
    expect(codeOf(() => createStreamWorker({ ...base, rollups: [s0, s4], applier }))).toMatch(
      /^CONFIG_INVALID: .*not the applier's/,
    );
    // table is the worker's own (it checks the table exists), so it is allowed beside applier
    expect(codeOf(() => createStreamWorker({ ...base, applier }))).toBeUndefined();
  });

  it('checkWriteSide names every conflicting option at once', () => {
    const message = codeOf(() =>
      checkWriteSide(recordingWriteSide(), { mode: 'exactly-once', retry: {} } as object, 'here'),
    );
    expect(message).toMatch(/^CONFIG_INVALID: here: mode, retry configure the built-in applier/);
  });
});
