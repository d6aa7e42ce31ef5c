// `dynotally local`: DynamoDB Local in the foreground, its endpoint printed, answering until Ctrl-C.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort, localClientConfig } from 'dynotally/local';
import { describe, expect, it } from 'vitest';
import { BIN, CLI_CWD, cliEnv } from '../../../../test/support/cli.ts';

describe('dynotally local', () => {
  it('prints the endpoint and region, answers requests, and stops on SIGINT with exit code 0', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'local', '--port', String(port), '--json'], {
      cwd: CLI_CWD,
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // --json prints one (indented) object once DynamoDB Local answers
    const started = await new Promise<{ endpoint: string; region: string }>((resolve, reject) => {
      let text = '';
      createInterface({ input: child.stdout! }).on('line', (line) => {
        text += `${line}\n`;
        if (line === '}') resolve(JSON.parse(text));
      });
      child.once('exit', (code) => reject(new Error(`dynotally local exited (${code}) before it printed`)));
    });
    expect(started).toMatchObject({ endpoint: `http://127.0.0.1:${port}`, region: 'local' });
    const client = new DynamoDBClient(localClientConfig(started.endpoint));
    try {
      const tables = await client.send(new ListTablesCommand({}));
      expect(Array.isArray(tables.TableNames)).toBe(true);
    } finally {
      client.destroy();
    }
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('refuses a port that is not one, in one line with exit code 2', async () => {
    const child = spawn(process.execPath, [BIN, 'local', '--port', 'eighty'], {
      cwd: CLI_CWD,
      env: cliEnv(),
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--port');
  });
});
