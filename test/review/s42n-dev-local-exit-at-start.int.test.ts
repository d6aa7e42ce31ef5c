// Review s42n (dev stack): DynamoDB Local dying while the dev stack starts (here: while it creates the tables) failed
// the start with whatever call was in flight, as a raw connection error (`connect ECONNREFUSED 127.0.0.1:…`, `socket
// hang up`), where the same exit once the stack runs stops it with ENDPOINT_UNREACHABLE saying DynamoDB Local exited
// and its in-memory tables are gone (s41d). The watch on the JVM (`DynamoDbLocal.exited`) only acted once running.
// Expected: the start fails with ENDPOINT_UNREACHABLE naming the JVM's exit (the connection error as its cause), and
// leaves nothing running.
// Fixed (s42n): dev-stack.ts, a failed start whose DynamoDB Local exited (within SIGNAL_GRACE_MS of the failure)
// throws that exit's reason instead.
// Break-check: with dev-stack.ts's catch back to `await stopAll(); throw e;`, the start rejects with the raw error
// (`code` undefined, `connect ECONNREFUSED …`) and the test fails at its first expectation.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startDevStack } from '../../packages/dynotally-cli/src/dev/index.ts';

/** The pids of this process's `java` children (the DynamoDB Local the dev stack started; vitest runs a file per process). */
function javaChildren(): number[] {
  const out = execFileSync('ps', ['--ppid', String(process.pid), '-o', 'pid=,comm='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, comm]) => comm === 'java')
    .map(([pid]) => Number(pid));
}

describe('DynamoDB Local exits while the dev stack starts', { timeout: 240_000 }, () => {
  it('the start fails with ENDPOINT_UNREACHABLE saying DynamoDB Local exited, not the raw connection error', async () => {
    const killed: number[] = [];
    const failure = await startDevStack({
      port: 0,
      rate: 1,
      scenarios: ['s0'],
      history: 0,
      onStep: (step) => {
        if (step !== 'creating tables') return;
        for (const pid of javaChildren()) {
          process.kill(pid, 'SIGKILL');
          killed.push(pid);
        }
      },
    }).then(
      async (stack) => {
        await stack.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(killed).toHaveLength(1);
    expect(failure).toMatchObject({ code: 'ENDPOINT_UNREACHABLE' });
    expect((failure as Error).message).toMatch(
      /DynamoDB Local \(java pid \d+.*exited \(signal SIGKILL\) while the dev stack started.*tables are gone/,
    );
    expect(javaChildren()).toEqual([]);
  });
});
