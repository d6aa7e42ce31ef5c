// `dynotally plan --dry-run` with a configuration that keeps the serving definition of a rollup in `alsoWrite`
// (docs/cli.md, "Changing a rollup with several workers"): the plan folds `rollups` only, and says so.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ordersConfigFile } from '../../../../test/review/s17-orders-config.ts';
import { fakeIo } from '../../../../test/support/fake-io.ts';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { runCli } from './run-cli.ts';

describe('plan --dry-run with alsoWrite', () => {
  it('plans the definitions in rollups and notes that the alsoWrite one is not in the plan', async () => {
    const dir = tempDir('dynotally-plan-aw-');
    const rollout = ordersConfigFile(dir, true, true);
    const record = {
      eventName: 'INSERT',
      eventSourceARN: 'arn:s',
      dynamodb: {
        NewImage: {
          pk: { S: 'order' },
          sk: { S: 'o-1' },
          storeId: { S: 's-0' },
          amount: { N: '2' },
          t: { N: '1795651200000' },
        },
        SequenceNumber: '1',
        ApproximateCreationDateTime: 1795651200,
      },
    };
    writeFileSync(join(dir, 'event.json'), JSON.stringify([record]));
    const io = fakeIo({ cwd: dir });
    expect(
      await runCli(['plan', '--dry-run', '--records', 'event.json', '-c', rollout, '--json'], io),
      io.err,
    ).toBe(0);
    const plan = JSON.parse(io.out) as { rows: { pk: string; sk: string; add: Record<string, string> }[] };
    // the changed definition (count and sum), once per row: the alsoWrite one is not added into the same rows
    expect(plan.rows.find((r) => r.sk === 'ALL')).toMatchObject({
      pk: 'orders#ss-0',
      add: { n: '1', amount: '2' },
    });
    expect(io.err).toContain(
      "note: alsoWrite ('orders') is not in this plan: during a rollout dynotally worker also writes that serving definition",
    );
  });
});
