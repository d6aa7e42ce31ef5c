import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cancellingBatch } from '../../../../test/apply/cancelling-batch.ts';
import { hourOfRecords } from '../../../../test/apply/wide-batch.ts';
import { fakeIo } from '../../../../test/support/fake-io.ts';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { DynotallyError } from '../../../dynotally/src/errors/index.ts';
import { MAX_ADDS_PER_WRITE } from '../../../dynotally/src/layout/write-limits.ts';
import { parseGroup, toInstant, windowFlagsSchema, windowFromFlags } from './commands/query-args.ts';
import { groupsOf } from './commands/verify.ts';
import { directApplierOptions } from './commands/worker-direct.ts';
import { loadConfig } from './config/load-config.ts';
import { resolveSettings } from './config/settings.ts';
import { createContext } from './context.ts';
import { exitCodeFor } from './errors/exit-code.ts';
import { formatError } from './errors/format-error.ts';
import { toDynotallyError } from './errors/to-dynotally-error.ts';
import { formatTable } from './output/table.ts';
import { createProgram } from './program.ts';
import { runCli } from './run-cli.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

describe('runCli (in process, no I/O beyond the config file)', () => {
  it('every command shows an example in its --help', async () => {
    // dead-letters list, show and drop had none, unlike every other command
    const leaves: string[][] = [];
    const walk = (cmd: ReturnType<typeof createProgram>, path: string[]) => {
      const subs = cmd.commands.filter((c) => c.name() !== 'help');
      if (subs.length === 0 && path.length > 0) leaves.push(path);
      for (const c of subs) walk(c, [...path, c.name()]);
    };
    walk(createProgram(createContext(fakeIo())), []);
    expect(leaves.length).toBeGreaterThan(15);
    const without: string[] = [];
    for (const path of leaves) {
      const io = fakeIo();
      expect(await runCli([...path, '--help'], io)).toBe(0);
      if (!/^Examples?:\n {2}\S/m.test(io.out)) without.push(path.join(' '));
    }
    expect(without).toEqual([]);
  });

  it("every command's --help lists the global flags its examples use (--endpoint, --json, -c, --table …), and no '(default: [])'", async () => {
    // Review s42u: `dynotally tables create --help` showed `--endpoint … --table …` in its example, and
    // `dynotally dev --help` named --endpoint, -c and --source-table in its text, but neither listed them: they are
    // the program's options, and commander showed them only in `dynotally --help`.
    const paths: string[][] = [];
    const walk = (cmd: ReturnType<typeof createProgram>, path: string[]) => {
      for (const c of cmd.commands.filter((c) => c.name() !== 'help')) {
        paths.push([...path, c.name()]);
        walk(c, [...path, c.name()]);
      }
    };
    walk(createProgram(createContext(fakeIo())), []);
    const missing: string[] = [];
    for (const path of paths) {
      const io = fakeIo();
      expect(await runCli([...path, '--help'], io)).toBe(0);
      const globals = io.out.split(/^Global Options:$/m)[1] ?? '';
      for (const flag of ['-c, --config <file>', '--endpoint <url>', '--table <name>', '--json'])
        if (!globals.includes(flag)) missing.push(`${path.join(' ')}: ${flag}`);
      // and no commander internals: a repeatable --group showed "(default: [])"
      if (io.out.includes('(default: [])')) missing.push(`${path.join(' ')}: (default: [])`);
    }
    expect(missing).toEqual([]);
  });

  it('lists the five scenarios as JSON', async () => {
    const io = fakeIo();
    expect(await runCli(['scenario', 'list', '--json'], io)).toBe(0);
    const { scenarios } = JSON.parse(io.out) as { scenarios: { id: string; rollup: string }[] };
    expect(scenarios.map((s) => `${s.id}:${s.rollup}`)).toEqual([
      's0:jobs',
      's1:scans',
      's2:favourites',
      's3:energy',
      's4:store',
    ]);
    expect(io.err).toBe('');
  });

  it.each([
    [
      ['query', 'total', 'jobs', '--bogus'],
      /^dynotally: \[CONFIG_INVALID\] unknown option '--bogus' \(run 'dynotally query total --help' for the usage\)\n$/,
    ],
    [
      ['scenario', 'run', 's0', '--rate', 'abc'],
      /^dynotally: \[CONFIG_INVALID\] scenario run: --rate: 'abc' is not a number: expected a number of events per second, e.g. 20 \(see 'dynotally scenario run --help'\)\n$/,
    ],
    [
      ['dev', '--port', '70000'],
      /^dynotally: \[CONFIG_INVALID\] dev: --port: a port is 0 \(any free port\) to 65535 \(see 'dynotally dev --help'\)\n$/,
    ],
    [
      ['frobnicate'],
      /^dynotally: \[CONFIG_INVALID\] unknown command 'frobnicate' \(run 'dynotally --help' for the usage\)\n$/,
    ],
    [
      // commander's "(Did you mean --last?)" second line was dropped
      ['query', 'total', 'jobs', '--group', 'customerId=acme', '--lats', '24h'],
      /^dynotally: \[CONFIG_INVALID\] unknown option '--lats'; did you mean --last\? \(run 'dynotally query total --help' for the usage\)\n$/,
    ],
    [
      // the query client's "pass it in createQueryClient({ rollups: [...] })" is no advice for a CLI user
      ['query', 'total', 'job', '--group', 'customerId=acme', '--last', '24h'],
      /^dynotally: \[UNKNOWN_ROLLUP\] no rollup named 'job' in .*\(known: jobs, scans, favourites, energy, store\)\n$/,
    ],
    [
      // was "give every groupBy attribute, e.g. { customerId: 'x' }"
      ['query', 'total', 'jobs', '--group', 'customer=acme', '--last', '24h'],
      /^dynotally: \[GROUP_INVALID\] rollup 'jobs' groups by customerId \('customer' is not among them\): give --group customerId=<value>\n$/,
    ],
    [
      ['query', 'latest', 'energy', '--group', 'deviceId=m-1,x=1'],
      /^dynotally: \[GROUP_INVALID\] rollup 'energy' groups by deviceId \('x' is not among them\): give --group deviceId=<value>\n$/,
    ],
    [['query', 'top', 'favourite'], /^dynotally: \[UNKNOWN_ROLLUP\] no rollup named 'favourite' in /],
    [
      ['query', 'totl', 'jobs'],
      /^dynotally: \[CONFIG_INVALID\] unknown command 'totl'; did you mean total\? \(run 'dynotally query --help' for the usage\)\n$/,
    ],
    [
      ['query', 'total', 'jobs', '--group', 'customerId=acme'],
      /^dynotally: \[CONFIG_INVALID\] no window given \(give exactly one of --last/,
    ],
    [
      // a number's text DynamoDB cannot store names no group (no item holds it)
      ['query', 'total', 'jobs', '--group', 'customerId:n=1e-400', '--last', '24h'],
      /^dynotally: \[GROUP_INVALID\] group attribute 'customerId' of rollup 'jobs' is \{ N: "1e-400" \}, not a number DynamoDB stores \(at most 38 significant digits, magnitude 1e-130 to below 1e126/,
    ],
    [
      ['query', 'total', 'jobs', '--group', 'oops', '--last', '24h'],
      /^dynotally: \[CONFIG_INVALID\] --group 'oops' is not key=value/,
    ],
    [
      ['plan', '--scenario', 's0'],
      /^dynotally: \[CONFIG_INVALID\] plan: --dry-run: plan only prints what would be written; add --dry-run/,
    ],
    [
      ['--endpoint', 'not-a-url', 'plan', '--dry-run', '--scenario', 's0'],
      /^dynotally: \[CONFIG_INVALID\] settings: --endpoint \/ DYNOTALLY_ENDPOINT: an endpoint is an http\(s\) URL/,
    ],
  ])('%j is a usage error: one line, exit code 2', async (argv, line) => {
    const io = fakeIo();
    expect(await runCli(argv, io)).toBe(2);
    expect(io.err).toMatch(line);
    expect(io.err.trimEnd().split('\n')).toHaveLength(1);
    expect(io.out).toBe('');
  });

  it('--verbose adds the cause chain after the one line', async () => {
    const io = fakeIo();
    expect(await runCli(['query', 'total', 'jobs', '--bogus', '--verbose'], io)).toBe(2);
    const lines = io.err.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^dynotally: \[CONFIG_INVALID\] unknown option '--bogus'/);
    expect(lines.some((l) => l.startsWith('  caused by: CommanderError [commander.unknownOption]'))).toBe(
      true,
    );
  });

  it('--help prints the usage and exits 0', async () => {
    const io = fakeIo();
    expect(await runCli(['query', 'top', '--help'], io)).toBe(0);
    expect(io.out).toContain('Usage: dynotally query top [options] <rollup>');
    expect(io.out).toContain('dynotally query top favourites --limit 10');
  });

  it('plan --dry-run prints the coalesced plan of sample records without any endpoint', async () => {
    const io = fakeIo();
    expect(
      await runCli(['plan', '--dry-run', '--scenario', 's2', '--count', '40', '--seed', '3', '--json'], io),
    ).toBe(0);
    const plan = JSON.parse(io.out) as {
      records: number;
      rows: { rollup: string; pk: string; sk: string }[];
      requests: { TableName: string; UpdateExpression: string }[];
      poison: unknown[];
    };
    expect(plan.records).toBeGreaterThan(30);
    expect(plan.poison).toEqual([]);
    expect(plan.rows.length).toBeGreaterThan(0);
    expect(new Set(plan.rows.map((r) => r.rollup))).toEqual(new Set(['favourites']));
    // Coalesced: never more row updates than distinct (pk, sk) pairs.
    expect(new Set(plan.rows.map((r) => `${r.pk}/${r.sk}`)).size).toBe(plan.rows.length);
    expect(plan.requests.every((r) => r.TableName === 'dynotally-aggregates')).toBe(true);
    const human = fakeIo();
    expect(
      await runCli(
        ['plan', '--dry-run', '--scenario', 's2', '--count', '40', '--seed', '3', '--table', 'agg-x'],
        human,
      ),
    ).toBe(0);
    expect(human.out).toMatch(/records \(INSERT \d+, MODIFY \d+, REMOVE \d+\) → \d+ row updates/);
    expect(human.out).toContain('favourites#');
  });

  it("plan --dry-run says when no record carries a rollup's groupBy attributes (a misspelt attribute)", async () => {
    // groupBy 'storeID' over items with 'storeId' planned "0 row updates" and nothing else
    const dir = tempDir('dynotally-nogroup-');
    const library = JSON.stringify(join(ROOT, 'packages', 'dynotally', 'src', 'index.ts'));
    writeFileSync(
      join(dir, 'dynotally.config.ts'),
      `import { count, defineRollup } from ${library};\nexport const orders = defineRollup({ name: 'orders', groupBy: 'storeID', granularities: ['day'], measures: { n: count() } });\n`,
    );
    const record = (id: string, storeId: string) => ({
      eventName: 'INSERT',
      eventSourceARN: 'arn:s',
      dynamodb: {
        NewImage: { orderId: { S: id }, storeId: { S: storeId } },
        SequenceNumber: id,
        ApproximateCreationDateTime: 1796320620,
      },
    });
    writeFileSync(
      join(dir, 'event.json'),
      JSON.stringify({ Records: [record('1', 's-1'), record('2', 's-2')] }),
    );
    const io = fakeIo({ cwd: dir });
    expect(await runCli(['plan', '--dry-run', '--records', 'event.json'], io), io.err).toBe(0);
    expect(io.out).toContain('→ 0 row updates');
    expect(io.out).toContain(
      "note: no record has every groupBy attribute of rollup 'orders' (storeID), so none was counted",
    );
  });

  it('plan --dry-run shows a batch too wide for one write per row in the parts it is written in', async () => {
    // test/apply/wide-batch.ts: an hour of records of one group gathers ~300 counters in an hour row
    const dir = tempDir('dynotally-wide-');
    writeFileSync(
      join(dir, 'wide.config.ts'),
      `export { wideRollup } from ${JSON.stringify(join(ROOT, 'test', 'apply', 'wide-batch.ts'))};\n`,
    );
    writeFileSync(join(dir, 'event.json'), JSON.stringify({ Records: hourOfRecords() }));
    const argv = ['--config', 'wide.config.ts', 'plan', '--dry-run', '--records', 'event.json'];
    const io = fakeIo({ cwd: dir });
    expect(await runCli([...argv, '--json'], io), io.err).toBe(0);
    const plan = JSON.parse(io.out) as {
      records: number;
      rows: { part: number; add: Record<string, string> }[];
      parts: { firstRecord: number; records: number; rows: number; requests: number }[];
      requests: { ExpressionAttributeNames: Record<string, string> }[];
    };
    expect(plan.parts.length).toBeGreaterThan(1);
    expect(plan.parts.reduce((n, p) => n + p.records, 0)).toBe(plan.records);
    expect(plan.parts.reduce((n, p) => n + p.requests, 0)).toBe(plan.requests.length);
    expect(new Set(plan.rows.map((r) => r.part)).size).toBe(plan.parts.length);
    for (const r of plan.requests)
      expect(
        Object.keys(r.ExpressionAttributeNames).filter((n) => /^#a\d+$/.test(n)).length,
      ).toBeLessThanOrEqual(MAX_ADDS_PER_WRITE);
    // 180 records, 3 a minute: the parts' readings add up to the batch
    const readings = plan.rows.reduce((n, r) => n + Number(r.add.readings ?? 0), 0);
    expect(readings).toBe(180);
    const human = fakeIo({ cwd: dir });
    expect(await runCli(argv, human), human.err).toBe(0);
    expect(human.out).toMatch(new RegExp(`\\(\\d+ statements\\), in ${plan.parts.length} parts;`));
    expect(human.out).toContain(`Written in ${plan.parts.length} parts, one after the other`);
    expect(human.out).toMatch(
      / {2}part 1: records 0–\d+, 2 row updates, 1 BatchExecuteStatement request \(2 statements\)\n/,
    );
    expect(human.out).toMatch(/^PART {2}ROLLUP/m);
  });
  it("plan --dry-run counts the cancelled rows' watermark-only writes among its requests", async () => {
    // test/apply/cancelling-batch.ts: c1's job inserted and removed in the batch, c2's kept
    const dir = tempDir('dynotally-cancel-');
    writeFileSync(
      join(dir, 'jobs.config.ts'),
      `export { jobs } from ${JSON.stringify(join(ROOT, 'test', 'apply', 'cancelling-batch.ts'))};\n`,
    );
    writeFileSync(join(dir, 'event.json'), JSON.stringify({ Records: cancellingBatch }));
    const argv = ['--config', 'jobs.config.ts', 'plan', '--dry-run', '--records', 'event.json'];
    const io = fakeIo({ cwd: dir });
    expect(await runCli([...argv, '--json'], io), io.err).toBe(0);
    const plan = JSON.parse(io.out) as {
      rows: unknown[];
      cancelled: number;
      watermarkOnly: { pk: string; sk: string }[];
      requests: unknown[];
    };
    expect(plan.rows).toHaveLength(2);
    expect(plan.watermarkOnly.map((r) => r.pk)).toEqual(['jobs#sc1', 'jobs#sc1']);
    expect(plan.requests).toHaveLength(4);
    const human = fakeIo({ cwd: dir });
    expect(await runCli(argv, human), human.err).toBe(0);
    expect(human.out).toContain(
      '4 row writes in 1 BatchExecuteStatement request (4 statements); 2 rows cancelled out (2 written for their watermark only: 2 of the row writes)',
    );
    const once = fakeIo({ cwd: dir });
    expect(await runCli([...argv, '--mode', 'at-least-once'], once), once.err).toBe(0);
    expect(once.out).toContain(
      '2 row writes in 1 BatchExecuteStatement request (2 statements); 2 rows cancelled out, 0 past retention',
    );
  });
});

describe('query arguments', () => {
  it('parses typed group values', () => {
    expect(parseGroup(['customerId=acme'])).toEqual({ customerId: 'acme' });
    expect(parseGroup(['storeId=s=1', 'n:n=42,ok:b=true'])).toEqual({ storeId: 's=1', n: 42, ok: true });
    expect(() => parseGroup(['x:n=abc'])).toThrow(/not a number/);
    // digits a JavaScript number would round are kept as the number's text, which the library keys exactly
    expect(parseGroup(['a:n=1234567890123456789,d:n=0.12345678901234567891,h:n=1.50'])).toEqual({
      a: { N: '1234567890123456789' },
      d: { N: '0.12345678901234567891' },
      h: { N: '1.50' },
    });
  });

  it('refuses a key given twice: a query reads one group (session 19); verify takes it as the next group', () => {
    expect(() => parseGroup(['customerId=acme', 'customerId=globex'])).toThrow(
      /--group customerId is given twice \(acme, globex\)/,
    );
    expect(() => parseGroup(['customerId=acme,customerId=globex'])).toThrow(/given twice/);
    expect(groupsOf(['storeId=s-1', 'storeId=s-2'])).toEqual([{ storeId: 's-1' }, { storeId: 's-2' }]);
    expect(groupsOf(['storeId=s-1,storeId=s-2', 'a=1,b=2'])).toEqual([
      { storeId: 's-1' },
      { storeId: 's-2', a: '1', b: '2' },
    ]);
  });

  it('turns window flags into exactly one window', () => {
    const w = (f: Record<string, unknown>) => windowFromFlags(windowFlagsSchema.parse(f));
    expect(w({ last: '24h' })).toEqual({ last: '24h' });
    expect(w({ last: '24h', at: '1795439100000' })).toEqual({ last: '24h', at: 1795439100000 });
    expect(w({ calendar: 'month', offset: '-1' })).toEqual({ calendar: 'month', offset: -1 });
    expect(w({ lastDays: '30' })).toEqual({ lastDays: 30 });
    expect(w({ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z', round: 'outward' })).toEqual({
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-02T00:00:00Z',
      round: 'outward',
    });
    expect(w({ all: true })).toBe('all');
    expect(() => w({ last: '24h', all: true })).toThrow(/several windows given/);
    expect(() => w({ from: '2026-11-01T00:00:00Z' })).toThrow(/both --from and --to/);
    // --round with --last was accepted and ignored; the list of windows left out --last-weeks and --last-years
    expect(() => w({ last: '24h', round: 'outward' })).toThrow(/--round rounds the edges of --from\/--to/);
    expect(() => w({})).toThrow(/--last-days, --last-weeks, --last-months, --last-years, --all\)/);
  });

  it('refuses a digit string too short to be epoch milliseconds (a date, epoch seconds), not a 1970 instant', () => {
    const code = (v: string) => {
      try {
        toInstant(v);
        return undefined;
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    expect([code('20261122'), code('1795439100'), code('0'), code('-5')]).toEqual(
      Array(4).fill('CONFIG_INVALID'),
    );
    expect(() => toInstant('1795439100')).toThrow(/epoch milliseconds.*'1795439100000'/);
    expect(toInstant('1795439100000')).toBe(1795439100000);
    expect(toInstant('10000000000')).toBe(10_000_000_000);
    expect(toInstant('-10000000000')).toBe(-10_000_000_000);
    expect(toInstant('2026-11-22T13:05:00Z')).toBe('2026-11-22T13:05:00Z');
  });
});

describe('configuration', () => {
  it('flags beat environment variables, which beat the config file, which beats the defaults', () => {
    const config = {
      rollups: [],
      endpoint: 'http://127.0.0.1:1',
      tables: { aggregate: 'from-file', leases: 'leases-file' },
    };
    const env = {
      DYNOTALLY_ENDPOINT: 'http://127.0.0.1:2',
      DYNOTALLY_TABLE: 'from-env',
      AWS_REGION: 'eu-west-1',
    };
    const s = resolveSettings({ table: 'from-flag' }, env, config, undefined);
    expect(s.tables).toEqual({
      source: 'dynotally-source',
      aggregate: 'from-flag',
      deadLetter: 'dynotally-dead-letters',
      leases: 'leases-file',
    });
    expect(s.endpoint).toBe('http://127.0.0.1:2');
    expect(s.region).toBe('eu-west-1');
    expect(resolveSettings({}, { DYNOTALLY_TABLE: '' }, config, undefined).tables.aggregate).toBe(
      'from-file',
    );
    expect(() => resolveSettings({ table: 'x' }, {}, config, undefined)).toThrow(
      /settings: --table \/ DYNOTALLY_TABLE: a table name has 3 to 255/,
    );
  });

  it('takes strategy and write.api from the config file, for the direct worker and the dry run', () => {
    const file = { rollups: [], strategy: 'transaction', write: { api: 'update-item' } } as const;
    const s = resolveSettings({}, {}, file, undefined);
    expect(directApplierOptions(s)).toEqual({
      mode: 'exactly-once',
      strategy: 'transaction',
      write: { api: 'update-item' },
      lateRecords: 'dead-letter',
    });
    // unset: the applier's defaults, nothing passed
    expect(directApplierOptions(resolveSettings({}, {}, { rollups: [] }, undefined))).toEqual({
      mode: 'exactly-once',
      lateRecords: 'dead-letter',
    });
  });

  it('loads the example config at the repo root with the five reference rollups', async () => {
    const { config, path } = await loadConfig(undefined, ROOT);
    expect(path).toBe(join(ROOT, 'dynotally.config.ts'));
    expect(config.rollups.map((r) => r.compiled.name)).toEqual([
      'jobs',
      'scans',
      'favourites',
      'energy',
      'store',
    ]);
  });

  it('falls back to the reference rollups without a config file, and explains bad files in one line', async () => {
    const dir = tempDir('dynotally-cfg-');
    expect((await loadConfig(undefined, dir)).path).toBeUndefined();
    await expect(loadConfig('missing.config.ts', dir)).rejects.toThrow(
      /config file missing.config.ts does not exist/,
    );
    writeFileSync(join(dir, 'empty.config.mjs'), 'export default { rollups: [1] };\n');
    await expect(loadConfig('empty.config.mjs', dir)).rejects.toThrow(
      /config file empty.config.mjs: rollups.0: each entry of rollups must be made by defineRollup/,
    );
    const scenarios = JSON.stringify(
      join(ROOT, 'packages', 'dynotally-cli', 'src', 'scenarios', 'rollups.ts'),
    );
    writeFileSync(
      join(dir, 'typo.config.ts'),
      `import { storeMetrics } from ${scenarios};\nexport default { rollups: [storeMetrics], tabels: {} };\n`,
    );
    await expect(loadConfig('typo.config.ts', dir)).rejects.toThrow(
      /config file typo.config.ts: unknown key tabels/,
    );
    writeFileSync(join(dir, 'syntax.config.mjs'), 'export default {\n');
    await expect(loadConfig('syntax.config.mjs', dir)).rejects.toThrow(/could not be loaded/);
  });
});

describe('errors', () => {
  it('maps SDK errors to coded ones and exit codes', () => {
    const missing = toDynotallyError(
      Object.assign(new Error('Cannot do operations on a non-existent table'), {
        name: 'ResourceNotFoundException',
        $metadata: {},
      }),
    );
    expect(missing.code).toBe('TABLE_NOT_FOUND');
    expect(missing.message).toContain('dynotally tables create');
    const refused = toDynotallyError(
      Object.assign(new Error('x'), {
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      }),
      { endpoint: 'http://127.0.0.1:9' },
    );
    expect(refused.code).toBe('ENDPOINT_UNREACHABLE');
    expect(refused.message).toContain('http://127.0.0.1:9');
    expect(toDynotallyError(new TypeError('boom')).code).toBe('INTERNAL_ERROR');
    expect(exitCodeFor('CONFIG_INVALID')).toBe(2);
    expect(exitCodeFor('UNKNOWN_ROLLUP')).toBe(2);
    expect(exitCodeFor('TABLE_NOT_FOUND')).toBe(1);
    expect(exitCodeFor('APPLY_FAILED')).toBe(1);
  });

  it('prints one line, and the rest of the message and the causes only when verbose', () => {
    const e = new DynotallyError('LOCAL_START_FAILED', 'DynamoDB Local did not start: check Java\nline two', {
      cause: new Error('inner', { cause: new Error('root') }),
    });
    expect(formatError(e, false)).toBe(
      'dynotally: [LOCAL_START_FAILED] DynamoDB Local did not start: check Java\n',
    );
    const v = formatError(e, true);
    expect(v).toContain('  line two');
    expect(v).toContain('  caused by: Error: inner');
    expect(v).toContain('  caused by: Error: root');
  });
});

describe('formatTable', () => {
  it('pads columns and right-aligns numbers', () => {
    const t = formatTable(
      [
        { id: 's0', n: 1234 },
        { id: 's10', n: 5 },
      ],
      [
        { header: 'ID', value: (r) => r.id },
        { header: 'COUNT', value: (r) => r.n },
      ],
    );
    expect(t).toBe('ID   COUNT\n---  -----\ns0   1,234\ns10      5\n');
  });
  it('plan --dry-run shows the requests of the write path the config file sets, by API', async () => {
    // test/apply/cancelling-batch.ts: 4 rows, 2 of them written for their watermark only (row-watermark)
    const dir = tempDir('dynotally-sends-');
    const config = (extra: string) =>
      `import { jobs } from ${JSON.stringify(join(ROOT, 'test', 'apply', 'cancelling-batch.ts'))};\nexport default { rollups: [jobs]${extra} };\n`;
    writeFileSync(join(dir, 'partiql.config.ts'), config(''));
    writeFileSync(join(dir, 'tx.config.ts'), config(", strategy: 'transaction'"));
    writeFileSync(join(dir, 'item.config.ts'), config(", write: { api: 'update-item' }"));
    writeFileSync(join(dir, 'event.json'), JSON.stringify({ Records: cancellingBatch }));
    const run = async (file: string, ...more: string[]) => {
      const io = fakeIo({ cwd: dir });
      const argv = ['--config', file, 'plan', '--dry-run', '--records', 'event.json', ...more];
      expect(await runCli(argv, io), io.err).toBe(0);
      return io.out;
    };
    type Sends = { sends: { api: string; of: string; input: Record<string, unknown> }[] };
    // the default: the rows' INSERTs in one BatchExecuteStatement, as apply sends them
    const partiql = JSON.parse(await run('partiql.config.ts', '--json')) as Sends;
    expect(partiql.sends.map((s) => s.api)).toEqual(['BatchExecuteStatement']);
    const statements = partiql.sends[0]?.input.Statements as { Statement: string }[];
    expect(statements.map((s) => s.Statement.split(' ')[0])).toEqual(Array(4).fill('INSERT'));
    expect(await run('partiql.config.ts', '--requests')).toContain('"Statement": "INSERT INTO');
    // the transaction strategy: one TransactWriteItems of every row (the 2 that cancelled out too, for their marks),
    // the rollup's watermark item last
    const tx = JSON.parse(await run('tx.config.ts', '--json')) as Sends;
    expect(tx.sends.map((s) => s.api)).toEqual(['TransactWriteItems']);
    const items = tx.sends[0]?.input.TransactItems as { Update: { Key: { pk: { S: string } } } }[];
    expect(items.at(-1)?.Update.Key.pk.S).toMatch(/^~wt#/);
    const txText = await run('tx.config.ts');
    expect(txText).toContain('4 row writes in 1 TransactWriteItems request (5 items);');
    expect(txText).toContain("after reading the shard's watermark items (one per rollup) and finding none");
    // update-item from the config file, and --write-api over it
    expect(await run('item.config.ts')).toContain('4 row writes in 4 UpdateItem requests;');
    expect(await run('item.config.ts', '--write-api', 'partiql')).toContain(
      '4 row writes in 1 BatchExecuteStatement request (4 statements);',
    );
  });
});
