import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_MAX_SOCKETS, withTimeouts } from './client-timeouts.ts';

describe('withTimeouts', () => {
  // An endpoint that answers every request after 1 s, like a busy DynamoDB.
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        response.end('{"TableNames":[]}');
      }, 1_000);
    });
  });
  let endpoint = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('keeps a request waiting for a pooled socket from failing as a connection timeout', async () => {
    // 300 requests at once: with the SDK's 50 sockets, the last 150 wait 3-5 s for a socket, longer than the
    // 3 s connection timeout, and would fail without ever being sent. The timeout is 3 s (dynotally's default),
    // not less: on a loaded machine opening 300 connections at once can itself take a while.
    const client = new DynamoDBClient({
      ...withTimeouts(
        { endpoint, region: 'local', credentials: { accessKeyId: 'k', secretAccessKey: 's' } },
        { connectTimeoutMs: 3_000, requestTimeoutMs: 30_000 },
      ),
      maxAttempts: 1,
    });
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 300 }, () => client.send(new ListTablesCommand({}))),
      );
      const failed = results.filter((r) => r.status === 'rejected');
      expect(failed.map((r) => String((r as PromiseRejectedResult).reason)).slice(0, 1)).toEqual([]);
    } finally {
      client.destroy();
    }
    expect(CLIENT_MAX_SOCKETS).toBeGreaterThanOrEqual(300);
  });

  it('leaves a caller’s own handler options alone', () => {
    const config = withTimeouts({ requestHandler: { connectionTimeout: 9, httpAgent: { maxSockets: 7 } } });
    expect(config.requestHandler).toMatchObject({ connectionTimeout: 9, httpAgent: { maxSockets: 7 } });
  });
});
