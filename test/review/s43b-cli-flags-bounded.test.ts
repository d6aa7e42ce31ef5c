// Review s43b (item 2): the CLI's usage errors quoted what was typed whole: `--group`, `--since`, `--rate` (and the
// other flags and arguments below) given a megabyte printed a megabyte line on stderr, as the library's errors did
// before review s42q.
// Fixed: every CLI message (and `details`) quoting a flag's or argument's text goes through the library's shownText /
// shownDetail (now exported from 'dynotally'): at most 200 characters of it, then how long it was; commander's own
// usage errors (an unknown option or command) cut a quoted text the same way (run-cli.ts).
// Pure: every command is refused before it reads a table (the endpoint is a closed port).
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { closedPort } from '../support/closed-port.ts';
import { fakeIo } from '../support/fake-io.ts';

const MB = 'x'.repeat(1_000_000);
const digits = '9'.repeat(1_000_000);

describe('a flag or argument of a megabyte is quoted in a few hundred characters', () => {
  let endpoint = '';
  beforeAll(async () => {
    endpoint = `http://127.0.0.1:${await closedPort()}`;
  });

  it.each([
    ['--group not key=value', ['query', 'total', 'jobs', '--group', MB, '--last', '1h']],
    ['--group a number', ['query', 'total', 'jobs', '--group', `customerId:n=${MB}`, '--last', '1h']],
    ['--group a boolean', ['query', 'total', 'jobs', '--group', `customerId:b=${MB}`, '--last', '1h']],
    ['--group given twice', ['query', 'total', 'jobs', '--group', `customerId=${MB},customerId=${MB}`]],
    ['--group a stray name', ['query', 'total', 'jobs', '--group', `customerId=a,${MB}=b`, '--last', '1h']],
    ['--since', ['dead-letters', 'list', '--since', MB]],
    ['--since past a date', ['dead-letters', 'list', '--until', digits]],
    ['--code', ['dead-letters', 'list', '--code', MB]],
    ['--rollup', ['dead-letters', 'list', '--rollup', `${MB} x`]],
    ['a dead-letter id', ['dead-letters', 'replay', MB]],
    ['--max-record-age', ['dead-letters', 'replay', '--all', '--max-record-age', MB]],
    ['--settle', ['verify', 'store', '--settle', MB]],
    ['--settle too long', ['verify', 'store', '--settle', `${digits}d`]],
    ['--yes-write-to', ['scenario', 'run', 's0', '--endpoint', 'https://example.com', '--yes-write-to', MB]],
    ['--rate', ['scenario', 'run', 's0', '--rate', MB]],
    ['--duration', ['scenario', 'run', 's0', '--duration', MB]],
    ['a scenario list', ['scenario', 'run', MB]],
    ['--segments', ['backfill', 'store', '--segments', MB]],
    ['--only-segments', ['backfill', 'store', '--only-segments', MB]],
    ['--sample', ['verify', 'store', '--sample', MB]],
    ['--timeout', ['query', 'total', 'jobs', '--group', 'customerId=a', '--last', '1h', '--timeout', MB]],
    ['a version', ['rollups', 'promote', 'store', MB]],
    ['an unknown option', ['query', 'total', 'jobs', `--${MB}`]],
    ['an unknown command', [MB]],
  ])('%s', async (_label, argv) => {
    const io = fakeIo();
    const code = await runCli(argv.includes('--endpoint') ? argv : [...argv, '--endpoint', endpoint], io);
    expect(code).toBe(2);
    expect(io.err).toMatch(/CONFIG_INVALID|GROUP_INVALID/);
    expect(io.err.length).toBeLessThan(1_500);
  });
});
