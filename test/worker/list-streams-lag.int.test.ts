// ListStreams is eventually consistent: right after the table's stream is disabled and enabled again, it may not list
// the new streams yet, while DescribeTable already names the latest. A worker following the table went on to the
// oldest listed stream after the one it read, with the latest added: a listing that had neither the middle stream nor
// the latest sent it straight to the latest, and the middle stream's changes were never read. Now a listing that lacks
// the latest is taken as lagging: the worker waits for it (up to streamGoneAfterMs), running or starting.
// The lag is stubbed at the streams client (ListStreams answers as before the re-enables); the rest is DynamoDB Local.
import { GetRecordsCommand, ListStreamsCommand } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { compareStreamArns } from '../../packages/dynotally/src/streams/index.ts';
import { describeTable } from '../../packages/dynotally/src/tables/index.ts';
import { amountOrder, followingWorker, reenableStream, sourceTables } from '../review/s23-source-table.ts';
import { testClients } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';
import { actualCells, expectedCells, quietLogger, waitFor, writeOps } from './support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const a = amountOrder('a', 1);
const b = amountOrder('b', 10);
const c = amountOrder('c', 100);

/**
 * The shared streams client, with ListStreams answering only the streams up to `upTo()` while `lagging()` (as a
 * listing taken before the newer streams were created would).
 */
function laggingListing(lagging: () => boolean, upTo: () => string | undefined) {
  const send = clients.streams.send.bind(clients.streams) as (command: unknown) => Promise<unknown>;
  return new Proxy(clients.streams, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: unknown) => {
        const out = await send(command);
        const last = upTo();
        if (!(command instanceof ListStreamsCommand) || !lagging() || last === undefined) return out;
        const page = out as { Streams?: Array<{ StreamArn?: string }> };
        return {
          ...page,
          Streams: (page.Streams ?? []).filter((s) => compareStreamArns(s.StreamArn ?? '', last) <= 0),
        };
      };
    },
  });
}

async function twoNewStreams(source: string): Promise<string | undefined> {
  await reenableStream(clients.ddb, source);
  await writeOps(clients.ddb, source, [b]);
  await reenableStream(clients.ddb, source);
  await writeOps(clients.ddb, source, [c]);
  return (await describeTable(clients.ddb, source))?.LatestStreamArn;
}

const counted = (aggregates: string, ops: Parameters<typeof expectedCells>[0]) =>
  expect
    .poll(() => actualCells(clients.ddb, aggregates), { timeout: 60_000, interval: 200 })
    .toEqual(expectedCells(ops));

const lagWarned = (logger: ReturnType<typeof quietLogger>) =>
  waitFor('the lag noticed', () =>
    logger.lines.some((l) => l.message.startsWith('ListStreams does not list')) ? true : undefined,
  );

describe('following the source table while ListStreams lags behind it', () => {
  it('a running worker waits for the listing and reads the middle stream too', {
    timeout: 300_000,
  }, async () => {
    const tables = await sourceTables(clients.ddb, 'lag-run');
    let first: string | undefined;
    let lagging = true;
    let holding = false;
    let held: (() => void) | undefined;
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const lag = laggingListing(
      () => lagging,
      () => first,
    );
    // reads held while the stream is re-enabled twice, so the first stream is not read to its end before
    const streams = heldClient(lag, async (command) => {
      if (!holding || !(command instanceof GetRecordsCommand)) return;
      held?.();
      await released;
    });
    const logger = quietLogger();
    const w = followingWorker(clients, tables, 'lag-run', { streamsClient: streams, logger });
    try {
      await w.start();
      first = w.stats().streamArn;
      await writeOps(clients.ddb, tables.source, [a]);
      await counted(tables.aggregates, [a]);
      const blocked = new Promise<void>((resolve) => {
        held = resolve;
      });
      holding = true;
      await blocked;
      const latest = await twoNewStreams(tables.source);
      release();
      await lagWarned(logger);
      expect(w.stats().streamArn).toBe(first); // not passed on to the latest while the listing lags
      expect(w.stats().idle).toBe(false);
      lagging = false;
      await counted(tables.aggregates, [a, b, c]);
      await waitFor('the worker on the latest stream', () =>
        w.stats().streamArn === latest ? true : undefined,
      );
    } finally {
      release();
      await w.stop();
    }
  });

  it('a worker started while the listing lags waits for it and reads the middle stream too', {
    timeout: 300_000,
  }, async () => {
    const tables = await sourceTables(clients.ddb, 'lag-start');
    const w1 = followingWorker(clients, tables, 'lag-start-1');
    let first: string | undefined;
    try {
      await w1.start();
      first = w1.stats().streamArn;
      await writeOps(clients.ddb, tables.source, [a]);
      await counted(tables.aggregates, [a]);
    } finally {
      await w1.stop();
    }
    const latest = await twoNewStreams(tables.source);
    let lagging = true;
    const logger = quietLogger();
    const w2 = followingWorker(clients, tables, 'lag-start-2', {
      streamsClient: laggingListing(
        () => lagging,
        () => first,
      ),
      logger,
    });
    try {
      await w2.start();
      await lagWarned(logger);
      expect(w2.stats().streamArn).toBe(first);
      lagging = false;
      await counted(tables.aggregates, [a, b, c]);
      await waitFor('the worker on the latest stream', () =>
        w2.stats().streamArn === latest ? true : undefined,
      );
    } finally {
      await w2.stop();
    }
  });

  it('a listing that never catches up is waited for streamGoneAfterMs, then the worker goes on to the latest and says what it may skip', {
    timeout: 300_000,
  }, async () => {
    const tables = await sourceTables(clients.ddb, 'lag-never');
    let first: string | undefined;
    const logger = quietLogger();
    const w = followingWorker(clients, tables, 'lag-never', {
      streamsClient: laggingListing(
        () => true,
        () => first,
      ),
      logger,
      streamGoneAfterMs: 4_000,
    });
    try {
      await w.start();
      first = w.stats().streamArn;
      await writeOps(clients.ddb, tables.source, [a]);
      await counted(tables.aggregates, [a]);
      const latest = await twoNewStreams(tables.source);
      await waitFor('the worker on the latest stream', () =>
        w.stats().streamArn === latest ? true : undefined,
      );
      // the middle stream, listed nowhere, is skipped: said once, as an error
      await counted(tables.aggregates, [a, c]);
      expect(logger.lines.filter((l) => l.message.startsWith('ListStreams has not listed'))).toHaveLength(1);
      expect(logger.lines.find((l) => l.message.startsWith('ListStreams has not listed'))?.level).toBe(
        'error',
      );
    } finally {
      await w.stop();
    }
  });
});
