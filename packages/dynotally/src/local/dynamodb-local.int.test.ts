import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { ddbReady, testClients } from '../../../../test/support/ddb.ts';
import { isDynotallyError } from '../errors/index.ts';
import { localClientConfig } from './client-config.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startDynamoDbLocal', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('the shared instance from the global setup answers', async () => {
    const out = await clients.ddb.send(new ListTablesCommand({}));
    expect(Array.isArray(out.TableNames)).toBe(true);
  });

  it('starts on a free port, answers, and stop() waits for the process to exit', async () => {
    // a second JVM on a shared, loaded machine can take well over the default 30 s to answer
    const local = await startDynamoDbLocal({ timeoutMs: 120_000 });
    expect(local.endpoint).toBe(`http://127.0.0.1:${local.port}`);
    const client = new DynamoDBClient(localClientConfig(local.endpoint));
    try {
      await client.send(new ListTablesCommand({}));
    } finally {
      client.destroy();
    }
    expect(isAlive(local.pid)).toBe(true);
    await local.stop();
    expect(isAlive(local.pid)).toBe(false);
    await local.stop(); // idempotent
  }, 180_000);

  it('refuses a port that is already taken', async () => {
    const endpoint = await ddbReady();
    const port = Number(new URL(endpoint).port);
    await expect(startDynamoDbLocal({ port })).rejects.toSatisfy((e) =>
      isDynotallyError(e, 'LOCAL_START_FAILED'),
    );
  });

  it('throws JAVA_MISSING with the install hint when java is not on PATH', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const err = await startDynamoDbLocal().catch((e: unknown) => e);
      expect(isDynotallyError(err, 'JAVA_MISSING')).toBe(true);
      expect(String(err)).toContain('openjdk-17-jre-headless');
    } finally {
      process.env.PATH = saved;
    }
  });
});
