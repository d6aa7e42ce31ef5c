// Issue 11 #13/#14 and issue 12's first-hour CLI items, in process: flags given without the mode they
// belong to, regions and SDK configuration errors, --version.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeIo } from '../../../../test/support/fake-io.ts';
import { clientConfigFor, isLoopbackEndpoint } from './config/clients.ts';
import { runCli } from './run-cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('worker: buffered-only flags without --redis (issue 11 #13)', () => {
  it.each([
    [['--bucket', '5m'], '--bucket only applies'],
    [['--bucket', '15m'], '--bucket only applies'], // the default value, given: still refused
    [['--on-redis-down', 'fail'], '--on-redis-down only applies'],
    [['--key-prefix', 'x:'], '--key-prefix only applies'],
    [['--flush-every', '1m', '--bucket', '1m'], '--bucket, --flush-every only apply'],
  ])('worker %j is refused with exit code 2 before anything runs', async (flags, message) => {
    const io = fakeIo({ cwd: ROOT });
    const code = await runCli(['worker', '--endpoint', 'http://127.0.0.1:9', ...flags], io);
    expect(io.err).toContain(`[CONFIG_INVALID] worker: ${message} to buffered mode: add --redis <url>`);
    expect(code).toBe(2);
  });
});

describe('worker --apply-timeout', () => {
  it.each([
    [['--apply-timeout', '0s'], "'0s' is not a duration"],
    [['--apply-timeout', 'soon'], "'soon' is not a duration"],
  ])('worker %j is refused with exit code 2 before anything runs', async (flags, message) => {
    const io = fakeIo({ cwd: ROOT });
    const code = await runCli(['worker', '--endpoint', 'http://127.0.0.1:9', ...flags], io);
    expect(io.err).toContain('[CONFIG_INVALID]');
    expect(io.err).toContain('--apply-timeout');
    expect(io.err).toContain(message);
    expect(code).toBe(2);
  });
});

describe('worker --flush-grace', () => {
  it.each([
    [['--flush-grace', '0s'], "'0s' is not a duration"],
    [['--flush-grace', 'soon'], "'soon' is not a duration"],
    [['--flush-grace', '30s'], '--flush-grace only applies to buffered mode'],
  ])('worker %j is refused with exit code 2 before anything runs', async (flags, message) => {
    const io = fakeIo({ cwd: ROOT });
    const code = await runCli(['worker', '--endpoint', 'http://127.0.0.1:9', ...flags], io);
    expect(io.err).toContain('[CONFIG_INVALID]');
    expect(io.err).toContain('--flush-grace');
    expect(io.err).toContain(message);
    expect(code).toBe(2);
  });
});

describe('no AWS region (issue 11 #14) and its siblings', () => {
  const saved = { ...process.env };
  const awsless = (extra: Record<string, string> = {}) => {
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    Object.assign(process.env, {
      AWS_CONFIG_FILE: join(ROOT, 'no-such-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(ROOT, 'no-such-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...extra,
    });
  };
  const restore = () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  };
  const query = ['query', 'total', 'jobs', '--group', 'customerId=acme', '--last', '24h'];

  it('a query without --endpoint and without a region is REGION_MISSING saying how to set one (exit 2)', async () => {
    awsless();
    try {
      const io = fakeIo({ cwd: ROOT });
      const code = await runCli(query, io);
      expect(io.err).toMatch(
        /^dynotally: \[REGION_MISSING\] no AWS region is set: set AWS_REGION \(or --region, or a region in your AWS profile\), or use DynamoDB Local with --endpoint http:\/\/127\.0\.0\.1:8000/,
      );
      expect(io.err).not.toContain('INTERNAL_ERROR');
      expect(code).toBe(2);
    } finally {
      restore();
    }
  });

  it('a malformed --region is CONFIG_INVALID naming the flag', async () => {
    const io = fakeIo({ cwd: ROOT });
    expect(await runCli([...query, '--region', 'eu west 1'], io)).toBe(2);
    expect(io.err).toMatch(
      /\[CONFIG_INVALID\] settings: --region \/ AWS_REGION: a region is a name such as eu-west-1/,
    );
  });

  it('a region but no credentials is AWS_REQUEST_FAILED saying how to provide them', async () => {
    awsless({ AWS_REGION: 'eu-west-1' });
    try {
      const io = fakeIo({ cwd: ROOT });
      expect(await runCli(query, io)).toBe(1);
      expect(io.err).toMatch(
        /\[AWS_REQUEST_FAILED\] AWS credentials are missing or invalid .*set AWS_PROFILE/,
      );
    } finally {
      restore();
    }
  });
});

describe('a default region for local endpoints (issue 12)', () => {
  it.each([
    ['http://127.0.0.1:8000', true],
    ['http://127.0.0.2:8000', true],
    ['http://localhost:8000', true],
    ['http://LOCALHOST:8000', true],
    ['http://[::1]:8000', true],
    ['http://dynamodb.eu-west-1.amazonaws.com', false],
    ['http://127.example.com', false],
  ])('%s on this machine: %s', (endpoint, local) => {
    expect(isLoopbackEndpoint(endpoint)).toBe(local);
    const config = clientConfigFor({ endpoint, region: undefined });
    if (local) expect(config.region).toBe('local');
    else expect(config.region).toBeUndefined();
  });
});

describe('--version (issue 12)', () => {
  it("prints the version of the bin's package.json and exits 0", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const io = fakeIo({ cwd: ROOT });
      expect(await runCli([flag], io)).toBe(0);
      expect(io.out).toBe(`${pkg.version}\n`);
    }
  });
});

describe('backfill --max-record-age', () => {
  it.each([['soon'], ['30s'], ['8d'], ['']])(
    '%j is refused with exit code 2 before anything runs',
    async (age) => {
      const io = fakeIo({ cwd: ROOT });
      const code = await runCli(
        ['backfill', 'store', '--endpoint', 'http://127.0.0.1:9', '--max-record-age', age],
        io,
      );
      expect(io.err).toContain(`[CONFIG_INVALID] --max-record-age '${age}' is not a MaximumRecordAge`);
      expect(code).toBe(2);
    },
  );

  it('takes a duration as whole seconds', async () => {
    const { maxRecordAgeSeconds } = await import('./commands/max-record-age-flag.ts');
    expect(maxRecordAgeSeconds('24h')).toBe(86_400);
    expect(maxRecordAgeSeconds('60s')).toBe(60);
    expect(maxRecordAgeSeconds('7d')).toBe(604_800);
    expect(maxRecordAgeSeconds(undefined)).toBeUndefined();
  });

  // the age itself is the library's (`lateLetterAgeSeconds`, dead-letter/late-letter.test.ts): here only its text
  it("prints dead-letters replay's late age as hours and minutes", async () => {
    const { lateLetterAge } = await import('./commands/max-record-age-flag.ts');
    expect(lateLetterAge(60)).toBe('31 min');
    expect(lateLetterAge(3_600)).toBe('1 h 30 min');
    expect(lateLetterAge(604_800)).toBe('24 h 30 min');
    expect(lateLetterAge(undefined)).toBe('24 h 30 min');
  });
});

describe('backfill and verify: what a scan cannot count, and the expired history of ttlDeletes ignore', () => {
  it('prints the uncountable items by code and where they went, nothing when there are none', async () => {
    const { uncountableLine } = await import('./commands/backfill.ts');
    const p = { uncountable: 2, uncountableCodes: { VALUE_INVALID: 1, NUMBER_UNREPRESENTABLE: 1 } };
    expect(uncountableLine(p as never, 'dlq')).toBe(
      '  uncountable 2 (VALUE_INVALID 1, NUMBER_UNREPRESENTABLE 1): dead-lettered to dlq, see dynotally dead-letters list',
    );
    expect(uncountableLine({ uncountable: 0, uncountableCodes: {} } as never, 'dlq')).toBe('');
  });

  it('says when --accept-expired-history-loss is a usage error, changes nothing, or is needed', async () => {
    const { checkAcceptNeedsRepair, expiredHistoryFlagNote } = await import(
      './commands/expired-history-flag.ts'
    );
    const { count, defineRollup } = await import('dynotally');
    const def = { groupBy: 'storeId', granularities: ['all'], measures: { n: count() } } as const;
    const ignore = defineRollup({ name: 'sessions', ...def, ttlDeletes: 'ignore' });
    const subtract = defineRollup({ name: 'plain', ...def });
    expect(() => checkAcceptNeedsRepair({ accept: true, repair: false })).toThrow(
      /--accept-expired-history-loss goes with --repair/,
    );
    expect(() => checkAcceptNeedsRepair({ accept: true, repair: true })).not.toThrow();
    expect(() => checkAcceptNeedsRepair({ accept: false, repair: false })).not.toThrow();
    expect(expiredHistoryFlagNote('backfill', subtract, true)).toMatch(/changes nothing for rollup 'plain'/);
    expect(expiredHistoryFlagNote('backfill', subtract, false)).toBeUndefined();
    expect(expiredHistoryFlagNote('backfill', ignore, true)).toBeUndefined();
  });

  it.each([['backfill'], ['verify']])('%s takes --accept-expired-history-loss', async (command) => {
    const io = fakeIo({ cwd: ROOT });
    await runCli([command, '--help'], io);
    expect(io.out).toContain('--accept-expired-history-loss');
  });
});

describe('a command group without its command', () => {
  it.each([['tables'], ['query'], ['scenario'], ['dead-letters'], ['rollups']])(
    "'dynotally %s' lists its commands and says one is missing, exit 2",
    async (group) => {
      // A first-hour `npx dynotally tables` ended "dynotally: [CONFIG_INVALID] (outputHelp) (run 'dynotally
      // tables --help' for the usage)": commander's internal message.
      const io = fakeIo({ cwd: ROOT });
      const code = await runCli([group], io);
      expect(io.err).toContain(`Usage: dynotally ${group} [options] [command]`);
      expect(io.err).toContain(
        `dynotally: [CONFIG_INVALID] missing command: dynotally ${group} <command> (the commands are listed above)`,
      );
      expect(io.err).not.toContain('outputHelp');
      expect(io.out).toBe('');
      expect(code).toBe(2);
    },
  );
});

describe('backfill --only-segments and the progress of a resumed run', () => {
  it('reads lists and ranges, in order and without repeats', async () => {
    const { segmentList } = await import('./commands/segment-list-flag.ts');
    expect(segmentList('0,5,7-9,5', 10)).toEqual([0, 5, 7, 8, 9]);
    expect(segmentList(' 3 - 4 ', undefined)).toEqual([3, 4]);
    expect(segmentList(undefined, 4)).toBeUndefined();
    expect(() => segmentList('9-7', undefined)).toThrow(/runs backwards: write 7-9/);
    expect(() => segmentList('0-10', 10)).toThrow(/segment 10 is outside --segments 10 \(segments 0 to 9\)/);
    expect(() => segmentList('1.5', undefined)).toThrow(/'1.5' is not a segment number/);
  });

  it('counts what earlier runs scanned in the share, over the own segments', async () => {
    const { backfillProgressLine } = await import('./commands/backfill.ts');
    const p = {
      scanned: 1_000,
      scannedBefore: 3_000,
      folded: 900,
      claimedLive: 100,
      nonMembers: 0,
      uncountable: 0,
      uncountableCodes: {},
      extremaRefused: 0,
      chunks: 2,
      segmentsDone: 1,
      segmentsDoneBefore: 2,
      segments: 40,
      ownSegments: 4,
      readUnits: 0,
      writeUnits: 0,
      claimWrites: 0,
      estimatedItems: 100_000,
      estimatedOwnItems: 10_000,
      itemsPerSecond: 500,
      etaMs: 12_000,
    };
    expect(backfillProgressLine(p, true)).toBe(
      '[########------------] 40% 4,000/10,000 items (3,000 by earlier runs) · 500/s · ETA 12s',
    );
    expect(backfillProgressLine(p, false)).toContain('4,000/10,000 items scanned (3,000 by earlier runs)');
    expect(backfillProgressLine(p, false)).toContain('segments 3/4 of 40');
  });
});

describe('verify --concurrency', () => {
  it.each([
    ['0', "--concurrency '0' is not a whole number from 1 to 1,000"],
    ['1001', "--concurrency '1001' is not a whole number from 1 to 1,000"],
    ['2.5', "--concurrency '2.5' is not a whole number from 1 to 1,000"],
    ['many', "--concurrency 'many' is not a whole number from 1 to 1,000"],
  ])('verify --concurrency %s is refused with exit code 2 before anything runs', async (value, message) => {
    const io = fakeIo({ cwd: ROOT });
    const code = await runCli(
      ['verify', 'store', '--repair', '--endpoint', 'http://127.0.0.1:9', '--concurrency', value],
      io,
    );
    expect(io.err).toContain(`[CONFIG_INVALID] ${message}`);
    expect(code).toBe(2);
  });
});

describe('query --last-days and its kin', () => {
  it.each([
    [['--last-days', '0'], 'at least 1 (1 is the current period alone)'],
    [['--last-weeks', '100001'], 'at most 100,000 periods'],
    [['--last-months', '1.5'], 'a whole number of periods'],
  ])('query total %j is refused with exit code 2 saying what the flag takes', async (flags, message) => {
    const io = fakeIo({ cwd: ROOT });
    const code = await runCli(['query', 'total', 'jobs', '--endpoint', 'http://127.0.0.1:9', ...flags], io);
    expect(io.err).toContain('[CONFIG_INVALID]');
    expect(io.err).toContain(flags[0]);
    expect(io.err).toContain(message);
    expect(io.err).not.toContain('Too small');
    expect(code).toBe(2);
  });
});
