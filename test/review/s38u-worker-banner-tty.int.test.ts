// Review s38u (CLI, first use): on a terminal `dynotally worker` printed its banner glued to the end of its live
// progress line: `records 0 (0.0/s) · … · errors 0worker vm-1-ab on arn:… → orders-aggregates (1 rollup: orders);
// Ctrl-C stops`. The worker reports progress while it starts (createProgress draws it in place, without a newline),
// and the banner, written once start() resolves, went to stderr without ending that line first.
// Fixed: worker.ts ended the live line (progress.done()) before the banner; since review s43u it draws no progress
// before the banner at all (the last line start() reports waits for the banner, which piped came out below it:
// src/cli/worker-banner-first.int.test.ts), so the banner is the first thing on the terminal.
// Break-check: updating the progress as soon as start() reports it, with no progress.done() before the banner, glues
// the banner to the progress text and the assertion on the text before 'worker ' fails.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { ddbReady, stackTables } from '../support/ddb.ts';
import { fakeIo } from '../support/fake-io.ts';

describe('dynotally worker on a terminal', () => {
  it('prints its banner on a line of its own', { timeout: 120_000 }, async () => {
    const endpoint = await ddbReady();
    const t = stackTables('s38u-banner');
    const flags = [
      '--reference',
      '--endpoint',
      endpoint,
      '--table',
      t.aggregate,
      '--source-table',
      t.source,
      '--dead-letter-table',
      t.deadLetter,
      '--lease-table',
      t.leases,
    ];
    const created = fakeIo();
    expect(await runCli(['tables', 'create', ...flags], created), created.err).toBe(0);
    // fakeIo's writers append to the object they were made on: keep that object, only flip isTTY
    const tty = Object.assign(fakeIo(), { isTTY: true });
    const code = await runCli(['worker', '--duration', '1s', ...flags], tty);
    expect(code, tty.err).toBe(0);
    const at = tty.err.indexOf('worker ');
    expect(at, tty.err).toBeGreaterThan(-1);
    // what the terminal shows before the banner on its line: nothing (a line start, or a cleared line)
    const before = tty.err.slice(0, at);
    const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r'));
    expect(
      before.slice(lineStart + 1).replace('\u001b[2K', ''),
      JSON.stringify(tty.err.slice(0, at + 40)),
    ).toBe('');
  });
});
