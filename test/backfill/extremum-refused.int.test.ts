// A backfill whose min / max / last write the store refuses because the row is at DynamoDB's 400 KB item limit goes
// on, counts the item's count and sum, and reports the value it left out (`progress.extremaRefused`), as the stream
// side does (test/review/s25a-extremum-full-row.int.test.ts). The refusal is injected: DynamoDB Local would need a
// row of 400 KB first, which a version being built does not have.
// Break-check: without `progress.extremaRefused += r.extremaRefused` in run-backfill.ts, the report says 0.
import {
  BatchExecuteStatementCommand,
  type BatchExecuteStatementCommandOutput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { count, defineRollup, max } from '../../packages/dynotally/src/definition/index.ts';
import { scanTable, testClients } from '../support/ddb.ts';
import { buildingTables } from './backfill-tables.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const stores = defineRollup({
  name: 'stores',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), peak: max('v') },
});

describe('a backfill whose extremum write is refused for the row size', () => {
  it('goes on, counts the items, and reports the value left out', async () => {
    const t = Date.UTC(2026, 10, 1);
    const items = [1, 2].map((i) => ({
      id: { S: `o-${i}` },
      g: { S: 'hot' },
      t: { N: String(t + i) },
      v: { N: String(i) },
    }));
    const { source, table, claimTable } = await buildingTables(
      clients.ddb,
      'bf-ext-refused',
      items,
      stores.compiled,
    );
    // every write of the max is refused as DynamoDB refuses a row over 400 KB: an UpdateItem throws, a PartiQL
    // statement is left out of its batch and answered with the refusal (the batched extrema then try UpdateItem)
    const refusal = 'Item size to update has exceeded the maximum allowed size';
    const writesPeak = (names: Iterable<string>) => [...names].some((n) => n.includes('peak'));
    const send = clients.ddb.send.bind(clients.ddb) as (c: unknown) => Promise<unknown>;
    const full = new Proxy(clients.ddb, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: unknown) => {
          if (
            command instanceof UpdateItemCommand &&
            writesPeak(Object.values(command.input.ExpressionAttributeNames ?? {}))
          )
            throw Object.assign(new Error(refusal), { name: 'ValidationException' });
          if (!(command instanceof BatchExecuteStatementCommand)) return send(command);
          const statements = command.input.Statements ?? [];
          const refused = statements.map((st) => writesPeak([st.Statement ?? '']));
          if (!refused.some(Boolean)) return send(command);
          const kept = statements.filter((_, i) => !refused[i]);
          const out =
            kept.length === 0
              ? { Responses: [] }
              : ((await send(
                  new BatchExecuteStatementCommand({ ...command.input, Statements: kept }),
                )) as BatchExecuteStatementCommandOutput);
          const answers = [...(out.Responses ?? [])];
          return {
            ...out,
            Responses: refused.map((r) =>
              r ? { Error: { Code: 'ValidationError', Message: refusal } } : answers.shift(),
            ),
          };
        };
      },
    });
    const report = await runBackfill({
      client: full,
      source,
      table,
      claimTable,
      rollup: stores,
      settleMs: 0,
    });
    expect(report.complete).toBe(true);
    expect(report.progress.folded).toBe(2);
    expect(report.progress.extremaRefused).toBeGreaterThan(0);
    const rows = (await scanTable(clients.ddb, table)).filter((r) => r.pk?.S?.includes('shot'));
    expect(rows.map((r) => r.n?.N)).toEqual(['2']);
    expect(rows[0]?.peak).toBeUndefined();
  });
});
