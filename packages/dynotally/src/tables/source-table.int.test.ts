import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { isDynotallyError } from '../errors/index.ts';
import { describeTable } from './describe-table.ts';
import { createSourceTable, sourceTableSpec } from './source-table.ts';

const { ddb, destroy } = testClients();
afterAll(destroy);

describe('createSourceTable', () => {
  it('creates a pk-only table with a NEW_AND_OLD_IMAGES stream and returns its ARN, idempotently', async () => {
    const name = uniqueTableName('src');
    const arn = await createSourceTable(ddb, name);
    expect(arn).toMatch(/^arn:aws:dynamodb:.*:table\/.*\/stream\//);
    expect(await createSourceTable(ddb, name)).toBe(arn);
    const table = await describeTable(ddb, name);
    expect(table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  it('takes named key attributes of any scalar type', async () => {
    const name = uniqueTableName('src-keys');
    await createSourceTable(ddb, name, { deviceId: 'S', at: 'N' });
    const table = await describeTable(ddb, name);
    expect(table?.KeySchema).toEqual([
      { AttributeName: 'deviceId', KeyType: 'HASH' },
      { AttributeName: 'at', KeyType: 'RANGE' },
    ]);
    expect(table?.AttributeDefinitions).toContainEqual({ AttributeName: 'at', AttributeType: 'N' });
  });

  it('enables the stream on an existing table without one', async () => {
    const name = uniqueTableName('src-nostream');
    const { StreamSpecification: _, ...noStream } = sourceTableSpec(name);
    await ddb.send(new CreateTableCommand(noStream));
    const arn = await createSourceTable(ddb, name);
    expect(arn).toContain(name);
    expect((await describeTable(ddb, name))?.StreamSpecification?.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
  });

  it('rejects a table that streams KEYS_ONLY, or has other keys', async () => {
    const name = uniqueTableName('src-keysonly');
    await ddb.send(
      new CreateTableCommand({
        ...sourceTableSpec(name),
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
      }),
    );
    const err = await createSourceTable(ddb, name).catch((e: unknown) => e);
    expect(isDynotallyError(err, 'TABLE_SCHEMA_MISMATCH'), String(err)).toBe(true);
    const err2 = await createSourceTable(ddb, name, { id: 'S' }).catch((e: unknown) => e);
    expect(isDynotallyError(err2, 'TABLE_SCHEMA_MISMATCH'), String(err2)).toBe(true);
  });

  it('rejects a key with no or three attributes', () => {
    expect(() => sourceTableSpec('x', {})).toThrow(/one or two attributes/);
    expect(() => sourceTableSpec('x', { a: 'S', b: 'S', c: 'S' })).toThrow(/one or two attributes/);
  });
});
