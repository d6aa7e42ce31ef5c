// `dynotally worker` piped (not a terminal), in process on DynamoDB Local: its banner is its first line, and its
// progress lines follow it. start() reports progress before the banner can be printed (the banner names the stream
// that start() finds), and piped that first progress line came out above the banner (review s43u).
import { describe, expect, it } from 'vitest';
import { ddbReady, stackTables } from '../../../../test/support/ddb.ts';
import { fakeIo } from '../../../../test/support/fake-io.ts';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { runCli } from './run-cli.ts';

describe('dynotally worker, piped', () => {
  it('prints its banner first, then its progress', { timeout: 240_000 }, async () => {
    const t = stackTables('wbanner');
    const flags = [
      ...['--endpoint', await ddbReady(), '--table', t.aggregate, '--source-table', t.source],
      ...['--dead-letter-table', t.deadLetter, '--lease-table', t.leases],
    ];
    const cwd = tempDir('dynotally-wbanner-'); // no config file: the reference rollups
    const created = fakeIo({ cwd });
    expect(await runCli(['tables', 'create', ...flags], created), created.err).toBe(0);
    const io = fakeIo({ cwd });
    expect(await runCli(['worker', '--duration', '1s', ...flags], io), io.err).toBe(0);
    const lines = io.err.split('\n').filter((l) => l !== '');
    expect(lines[0], io.err).toMatch(
      /^worker \S+ on \S+ → \S+ \(5 rollups: jobs, scans, favourites, energy, store\); Ctrl-C stops$/,
    );
    expect(lines[1], io.err).toMatch(
      /^records 0 \(0\.0\/s\) · iterator age \d+ ms · shards \d+ · workers 1 ·/,
    );
    expect(io.out).toMatch(/^stopped: records 0 /);
  });
});
