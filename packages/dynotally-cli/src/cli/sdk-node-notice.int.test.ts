// The AWS SDK for JavaScript v3 prints a NodeVersionSupportWarning (its releases after the first week of January
// 2027 need Node.js 22) from every client it makes on Node.js 20: every `dynotally` command that reaches DynamoDB
// printed its seven lines to stderr, where the CLI says one line an error. The bin leaves it out for its own process
// (`AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true` in main.ts) unless the user set that variable: a user who
// sets it to anything else sees the notice as the SDK prints it.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, CLI_CWD, cliEnv } from '../../../../test/support/cli.ts';

const VAR = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
const nodeMajor = Number(process.versions.node.split('.')[0]);

/** Runs a command that makes a DynamoDB client (against a closed port: refused at once), with `notice` as the var. */
function run(notice: string | undefined): Promise<{ code: number | null; stderr: string }> {
  const env = cliEnv();
  for (const k of Object.keys(env)) if (k.startsWith('DYNOTALLY_') || k.startsWith('AWS_')) delete env[k];
  if (notice !== undefined) env[VAR] = notice;
  env.DYNOTALLY_TIMEOUT = '60s';
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [BIN, 'dead-letters', 'list', '--endpoint', 'http://127.0.0.1:9', '--dead-letter-table', 'none'],
      { cwd: CLI_CWD, env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

describe("the AWS SDK's Node.js support notice", () => {
  it('is not printed by a dynotally command when the user did not ask for it', {
    timeout: 120_000,
  }, async () => {
    const { code, stderr } = await run(undefined);
    expect(stderr).toMatch(/ENDPOINT_UNREACHABLE/); // the command made its client and reached for DynamoDB
    expect(stderr).not.toContain('NodeVersionSupportWarning');
    expect(stderr.trim().split('\n')).toHaveLength(1); // its one error line, nothing else
    expect(code).not.toBe(0);
  });

  it.runIf(nodeMajor < 22)(
    `is printed as the SDK prints it when the user set ${VAR} to anything but true`,
    { timeout: 120_000 },
    async () => {
      const { stderr } = await run('false');
      expect(stderr).toContain('NodeVersionSupportWarning');
    },
  );
});
