// Review s37q (docs of the read side): two statements the query client and the CLI do not bear out.
// What: docs/cli.md said of `dynotally query top`: "`--at` (moves "current"; with `all` or a label it is
// `QUERY_INVALID`, the bucket is named already)". The library takes `at` beside 'all' on purpose ('all' holds every
// instant: the dev dashboard passes its clock to every read; plan-top-at.test.ts, CHANGELOG), and so does the CLI:
// `query top favourites --at …` (the default bucket is all) ranks all time. Only a label beside --at is refused.
// And docs/query.md's window table listed `{ from, to, round? }` and `{ calendar, offset?, at? }` twice each, in
// two wordings (one with the 100,000-period limit, one with how instants are read), as if they were other shapes.
// Expected: the docs describe what runs: --at with `all` ranks all time; one table row per window shape.
// Observed: the CLI exits 0 for `--bucket all --at …` where the doc promised QUERY_INVALID (exit 2); the table
// had six window rows for four shapes.
// Severity: low (documentation).
// Fixed: docs/cli.md says --at is taken with `all` and refused beside a label; docs/query.md's rows merged.
// Break-check: with the old docs/cli.md sentence (or a duplicate row) back, the doc assertions fail; the CLI cases
// pin the behaviour the sentence now describes (with planTop refusing `at` beside 'all', the first case exits 2).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { cliTables } from '../support/cli.ts';
import { ddbReady } from '../support/ddb.ts';
import { fakeIo } from '../support/fake-io.ts';

const DOCS = join(import.meta.dirname, '..', '..', 'docs');
const AT = '2026-11-22T13:05:00Z';

describe('query top --at and the docs', () => {
  it('--at is taken with the all bucket, refused beside a label', { timeout: 120_000 }, async () => {
    const endpoint = await ddbReady();
    const tables = cliTables('s37q-top-at');
    const created = fakeIo();
    expect(await runCli(['tables', 'create', ...tables.flags(endpoint)], created), created.err).toBe(0);
    const top = async (extra: string[]) => {
      const io = fakeIo();
      const code = await runCli(
        ['query', 'top', 'favourites', ...extra, '--at', AT, '--json', ...tables.flags(endpoint)],
        io,
      );
      return { code, io };
    };
    const all = await top([]);
    expect(all.code, all.io.err).toBe(0);
    expect((JSON.parse(all.io.out) as { bucket: { label: string } }).bucket.label).toBe('ALL');
    const label = await top(['--bucket', 'M2026-11']);
    expect(label.code).toBe(2);
    expect(label.io.err).toMatch(/QUERY_INVALID/);
  });

  it('docs/cli.md says so', () => {
    const cli = readFileSync(join(DOCS, 'cli.md'), 'utf8');
    expect(cli).not.toMatch(/with `all` or a label it is\s+`QUERY_INVALID`/);
    expect(cli).toMatch(/`--at`[^|]*with a label it is `QUERY_INVALID`/);
  });

  it("docs/query.md's window table has one row per shape", () => {
    const query = readFileSync(join(DOCS, 'query.md'), 'utf8');
    const rows = query
      .split('\n')
      .filter((l) => /^\| `\{ (from|calendar|last)\b/.test(l) || /^\| `'all'`/.test(l));
    const shapes = rows.map((l) => l.split('|')[1]?.trim());
    expect(new Set(shapes).size).toBe(shapes.length);
    expect(shapes.length).toBe(4);
  });
});
