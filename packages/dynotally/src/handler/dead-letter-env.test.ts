import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { Applier, emptyReport, type WriteSide } from '../apply/index.ts';
import { count, defineRollup } from '../definition/index.ts';
import { DEAD_LETTER_TABLE_ENV, deadLetterFromEnv } from './deploy-env.ts';
import { createStreamHandler } from './index.ts';

// The CDK construct names its dead-letter table in DEAD_LETTER_TABLE; a handler written without `deadLetter`
// (deploy.md's versions example was one, review s20) sent poison only to the log, where it cannot be replayed.

const rollup = defineRollup({ name: 'r', groupBy: 'g', granularities: ['all'], measures: { n: count() } });
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const malformed = {
  eventID: 'x',
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/1',
  dynamodb: { SequenceNumber: '100' }, // an INSERT without its new image: poison (IMAGE_MISSING)
} as DynamoDBRecord;

/** A client that records the tables it is sent commands for, and answers every command with `{}`. */
function recordingClient(): DynamoDBClient & { tables: string[] } {
  const tables: string[] = [];
  return {
    tables,
    send: async (command: { input: { TableName?: string } }) => {
      tables.push(command.input.TableName ?? '?');
      return {};
    },
  } as unknown as DynamoDBClient & { tables: string[] };
}

/** A write side that folds for real (the malformed record is poison) and writes nothing. */
function foldingWriteSide(): WriteSide {
  const direct = new Applier({ client: new DynamoDBClient({}), table: 'aggregates', rollups: [rollup] });
  return {
    rollups: direct.rollups,
    async apply(input) {
      return { report: emptyReport(input.records.length), poison: direct.plan(input).poison };
    },
  };
}

/** A logger that keeps what is logged at error level. */
function errorLog(): typeof silent & { errors: unknown[] } {
  const errors: unknown[] = [];
  return { ...silent, errors, error: (...a: unknown[]) => void errors.push(a) };
}

const event = { Records: [malformed], shardId: 'shardId-1' };

describe('the dead-letter table a deployment names in DEAD_LETTER_TABLE', () => {
  afterEach(() => {
    delete process.env[DEAD_LETTER_TABLE_ENV];
  });

  it('is read as a table, and nothing when unset or blank', () => {
    expect(DEAD_LETTER_TABLE_ENV).toBe('DEAD_LETTER_TABLE');
    expect(deadLetterFromEnv({ DEAD_LETTER_TABLE: ' dl ' })).toEqual({ table: 'dl' });
    expect(deadLetterFromEnv({})).toBeUndefined();
    expect(deadLetterFromEnv({ DEAD_LETTER_TABLE: '  ' })).toBeUndefined();
  });

  it("is the handler's default sink: a ready write side's poison goes to that table", async () => {
    process.env[DEAD_LETTER_TABLE_ENV] = 'stack-dead-letters';
    const client = recordingClient();
    const logger = errorLog();
    const handler = createStreamHandler({ applier: foldingWriteSide(), client, logger });
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    // the letter and its id entry (read by key since s43d), both in that table
    expect(client.tables.length).toBeGreaterThan(0);
    expect(new Set(client.tables)).toEqual(new Set(['stack-dead-letters']));
  });

  it("is the built-in applier's default sink too", async () => {
    process.env[DEAD_LETTER_TABLE_ENV] = 'stack-dead-letters';
    const client = recordingClient();
    const handler = createStreamHandler({ rollups: [rollup], table: 'aggregates', client, logger: silent });
    await handler(event);
    expect(client.tables).toContain('stack-dead-letters');
  });

  it("gives way to an explicit 'log', and to a given Applier's own sink (no CONFIG_INVALID for two sinks)", async () => {
    process.env[DEAD_LETTER_TABLE_ENV] = 'stack-dead-letters';
    const client = recordingClient();
    const logger = errorLog();
    const logged = createStreamHandler({ applier: foldingWriteSide(), client, logger, deadLetter: 'log' });
    await logged(event);
    expect(client.tables).toEqual([]);
    expect(logger.errors.length).toBeGreaterThan(0);

    const mine: unknown[] = [];
    const sink = { send: async (letters: readonly unknown[]) => void mine.push(...letters) };
    const applier = new Applier({ client, table: 'aggregates', rollups: [rollup], deadLetter: sink });
    const handler = createStreamHandler({ applier, logger: silent });
    await handler(event);
    expect(mine).toHaveLength(1);
    expect(client.tables).toEqual([]);
  });

  it('without the variable, poison is logged as before', async () => {
    const client = recordingClient();
    const logger = errorLog();
    await createStreamHandler({ applier: foldingWriteSide(), client, logger })(event);
    expect(client.tables).toEqual([]);
    expect(logger.errors.length).toBeGreaterThan(0);
  });
});
