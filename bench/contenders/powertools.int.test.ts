import { DynamoDBClient, ScanCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { ddbReady, patientTestClient, testClients, uniqueTableName } from '../../test/support/ddb.ts';
import { computeOracle, diffCanonical } from '../oracle/index.ts';
import { finalItems, generateWorkload, recordBatches, toStreamRecords } from '../workload/index.ts';
import { createPowertoolsContender } from './powertools.ts';

describe('powertools contender on DynamoDB Local', () => {
  const { ddb, destroy } = testClients();
  afterAll(destroy);

  const ops = generateWorkload({ seed: 606, events: 300 });
  const batches = Array.from(recordBatches(toStreamRecords(ops), 100));
  const expected = computeOracle(finalItems(ops));

  it('matches the oracle, also after a batch is delivered twice', { timeout: 600_000 }, async () => {
    // The baseline is exact only while no request fails: a record whose ADD fails is retried whole, and its ADDs
    // that had landed land again (its weakness, the next test). In the last two full runs at load 15 this test met
    // such failures (186 cells off with 100 records in parallel), so each attempt counts the requests that failed or
    // took more than one try, and the oracle is asserted on an attempt without any (records one at a time, as few
    // requests in flight as the baseline allows). A patient client: a request that times out would be sent again.
    const patient = await patientTestClient();
    const faults: string[] = [];
    patient.middlewareStack.add(
      (next) => async (args) => {
        try {
          const out = await next(args);
          const attempts = (out.output as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
          if (attempts > 1) faults.push(`re-sent (${attempts} attempts)`);
          return out;
        } catch (e) {
          // a failed condition is an answer (the idempotency record exists), not a fault
          if ((e as Error).name !== 'ConditionalCheckFailedException') faults.push((e as Error).name);
          throw e;
        }
      },
      { step: 'initialize', name: 'countFaults' },
    );
    for (let attempt = 1; ; attempt++) {
      faults.length = 0;
      const idempotencyTableName = uniqueTableName('pt-idem');
      const powertools = createPowertoolsContender({
        tableName: uniqueTableName('pt-agg'),
        idempotencyTableName,
        processInParallel: false,
      });
      await powertools.setup(patient);
      for (const batch of batches) await powertools.handle(batch);
      const once = diffCanonical(expected, await powertools.readCanonical(ddb));
      await powertools.handle(batches[0]!);
      await powertools.handle(batches[2]!);
      const diff = diffCanonical(expected, await powertools.readCanonical(ddb));
      if (faults.length > 0 && attempt < 4) {
        console.warn(
          `powertools oracle test: attempt ${attempt} met ${faults.length} failed or re-sent requests (${[...new Set(faults)].join(', ')}), ${diff.length} cells off: again`,
        );
        continue;
      }
      expect(faults).toEqual([]);
      expect(once).toEqual([]);
      expect(diff).toEqual([]);
      // One completed idempotency record per stream record, keyed by the hash of its eventID.
      const idem = await ddb.send(new ScanCommand({ TableName: idempotencyTableName, Select: 'COUNT' }));
      expect(idem.Count).toBe(300);
      return;
    }
  });

  it('retries a failed record like Lambda, but re-applies the ADDs that had already landed', {
    timeout: 360_000,
  }, async () => {
    // Powertools makes the record's handler idempotent, not its writes atomic: when one of a
    // record's parallel ADDs fails, the others stay applied, the in-progress marker is deleted and
    // the redelivered record adds them again.
    const tableName = uniqueTableName('pt-fail-agg');
    const client = new DynamoDBClient(localClientConfig(await ddbReady()));
    let injected = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Partial<UpdateItemCommandInput>;
        if (!injected && context.commandName === 'UpdateItemCommand' && input.TableName === tableName) {
          if (input.Key?.sk?.S === 'ALL') {
            injected = true;
            throw new Error('injected failure of one ADD');
          }
        }
        return next(args);
      },
      { step: 'initialize', name: 'injectOneFailure' },
    );
    try {
      const powertools = createPowertoolsContender({
        tableName,
        idempotencyTableName: uniqueTableName('pt-fail-idem'),
      });
      await powertools.setup(client);
      for (const batch of batches) await powertools.handle(batch);
      expect(injected).toBe(true);
      const wrong = diffCanonical(expected, await powertools.readCanonical(client));
      expect(wrong.length).toBeGreaterThan(0);
      expect(wrong.every((d) => Math.abs(d.actual - d.expected) === 1)).toBe(true);
      expect(wrong.some((d) => d.key.includes('|all|'))).toBe(false);
    } finally {
      client.destroy();
    }
  });
});
