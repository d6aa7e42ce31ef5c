// `dynotally dead-letters replay --all --no-scan` (session 44): `--no-scan` is for ids (an id without an id entry is
// then not looked for by a scan of the table's keys). With `--all`, which reads every letter by a scan anyway, it
// was accepted and did nothing, where the other mix-ups of ids and `--all` are refused. Now refused before anything
// is read (CONFIG_INVALID, exit 2), as `--code` with ids is.
// Break-check: without the refusal in commands/dead-letters.ts the command goes on to the endpoint (a closed port)
// and fails there with another code, so the first test fails.
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { closedPort } from '../support/closed-port.ts';
import { fakeIo } from '../support/fake-io.ts';

let endpoint = '';
beforeAll(async () => {
  endpoint = `http://127.0.0.1:${await closedPort()}`;
});

describe('dead-letters replay --no-scan', () => {
  it('is refused with --all, saying what it is for', async () => {
    const io = fakeIo();
    const code = await runCli(['dead-letters', 'replay', '--all', '--no-scan', '--endpoint', endpoint], io);
    expect(code).toBe(2);
    expect(io.err).toContain('CONFIG_INVALID');
    expect(io.err).toContain('--no-scan is for ids');
  });

  it('with ids, goes on to read the letters (here: an endpoint that does not answer)', async () => {
    const io = fakeIo();
    const code = await runCli(
      ['dead-letters', 'replay', '--no-scan', '9f3c0a1b2c3d4e5f', '--endpoint', endpoint, '--timeout', '2s'],
      io,
    );
    expect(io.err).not.toContain('--no-scan is for ids');
    expect(code).not.toBe(0);
  });
});
