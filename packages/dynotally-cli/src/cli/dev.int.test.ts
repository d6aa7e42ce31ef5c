// `dynotally dev` as a user runs it: it starts its own DynamoDB Local (a JVM), serves the dashboard, and
// on Ctrl-C — SIGINT to the whole process group, as a terminal sends it — or at the end of --duration,
// stops everything it started: no process of its group is left.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, CLI_CWD, cliEnv } from '../../../../test/support/cli.ts';
import { ddbReady, uniqueTableName } from '../../../../test/support/ddb.ts';

/** Processes of the group, zombies excluded (an exited child not yet reaped by init is no process left running). */
function groupMembers(pgid: number): string[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,pgid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => Number(f[1]) === pgid && !f.includes('<defunct>'))
    .map((f) => `${f[0]} ${f.slice(2).join(' ')}`);
}

function startDev(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): {
  child: ChildProcess;
  lines: [Promise<Record<string, unknown>>, Promise<Record<string, unknown>>];
  exited: Promise<number | null>;
  stderr: () => string;
} {
  const child = spawn(process.execPath, [BIN, 'dev', '--json', '--port', '0', '--no-open', ...args], {
    cwd: CLI_CWD,
    detached: true, // its own process group, like a shell job
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cliEnv(env),
  });
  let out = '';
  let err = '';
  const resolvers: ((v: Record<string, unknown>) => void)[] = [];
  const line = () => new Promise<Record<string, unknown>>((r) => resolvers.push(r));
  const lines: [Promise<Record<string, unknown>>, Promise<Record<string, unknown>>] = [line(), line()];
  let seen = 0;
  child.stdout?.on('data', (d) => {
    out += d;
    const complete = out.split('\n').slice(0, -1);
    while (seen < complete.length && seen < resolvers.length)
      resolvers[seen]?.(JSON.parse(complete[seen++] as string));
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, lines, exited, stderr: () => err };
}

describe('dynotally dev', () => {
  it('Ctrl-C stops the dashboard, the workers, redis-server and its DynamoDB Local, leaving no process behind', {
    timeout: 480_000,
  }, async () => {
    // a rate at which writes are in flight when Ctrl-C reaches DynamoDB Local too (it is in the terminal's group)
    const dev = startDev(['--history', '5', '--rate', '25', '--scenarios', 's0,s3,s4']);
    const pgid = dev.child.pid as number;
    const started = await dev.lines[0];
    expect(started).toMatchObject({
      event: 'started',
      scenarios: ['s0', 's3', 's4'],
      rate: 25,
      historyEvents: 15,
      s4Mode: 'buffered', // redis-server is installed here (.ci/run installs it)
    });
    const pid = started.dynamoDbLocalPid as number;
    expect(groupMembers(pgid).some((m) => m.startsWith(`${pid} `) && m.includes('DynamoDBLocal.jar'))).toBe(
      true,
    );
    expect(groupMembers(pgid).some((m) => m.includes('redis-server'))).toBe(true);
    const page = await fetch(String(started.url));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/vendor/chart.umd.min.js"></script>');
    expect((await fetch(`${started.url}/vendor/chart.umd.min.js`)).headers.get('content-type')).toContain(
      'javascript',
    );

    // the change-a-rollup demo running: its stop takes a while, while the generators would still write
    const demo = await fetch(`${started.url}/api/change-rollup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'start' }),
    });
    expect(demo.status).toBe(200);

    process.kill(-pgid, 'SIGINT');
    expect(await dev.exited).toBe(0);
    const stopped = await dev.lines[1];
    expect(stopped).toMatchObject({ event: 'stopped', dynamoDbLocalExited: true });
    expect(dev.stderr()).toContain('SIGINT received: stopping');
    // the generators' writes cut short by the stop are expected, not reported as failures
    expect(dev.stderr()).not.toContain('write failed');
    await expect.poll(() => groupMembers(pgid), { timeout: 30_000 }).toEqual([]);
  });

  it('--duration runs for a while, then exits cleanly on its own (here on the shared DynamoDB Local)', {
    timeout: 240_000,
  }, async () => {
    const endpoint = await ddbReady();
    const dev = startDev([
      ...['--history', '0', '--rate', '1', '--scenarios', 's2', '--duration', '3s', '--endpoint', endpoint],
      ...['--table', uniqueTableName('dev-agg'), '--source-table', uniqueTableName('dev-src')],
      ...['--dead-letter-table', uniqueTableName('dev-dl'), '--lease-table', uniqueTableName('dev-lease')],
    ]);
    const pgid = dev.child.pid as number;
    const started = await dev.lines[0];
    expect(started).toMatchObject({ event: 'started', endpoint, dynamoDbLocalPid: null });
    expect(await dev.exited).toBe(0);
    expect(await dev.lines[1]).toMatchObject({ event: 'stopped' });
    expect(dev.stderr()).toContain('duration reached: stopping');
    // the start's step line as it is: 'starting: ' before each step made 'starting: starting DynamoDB Local …'
    // and 'starting: starting the dashboard …' (review s42u)
    expect(dev.stderr()).toMatch(/^creating tables …$/m);
    expect(dev.stderr()).not.toContain('starting: ');
    await expect.poll(() => groupMembers(pgid), { timeout: 30_000 }).toEqual([]);
  });

  const onSharedDynamoDb = async (prefix: string): Promise<string[]> => [
    ...['--endpoint', await ddbReady(), '--table', uniqueTableName(`${prefix}-agg`)],
    ...[
      '--source-table',
      uniqueTableName(`${prefix}-src`),
      '--dead-letter-table',
      uniqueTableName(`${prefix}-dl`),
    ],
    ...['--lease-table', uniqueTableName(`${prefix}-lease`)],
  ];

  it('runs S4 buffered in its own redis-server when one is installed, and stops it', {
    timeout: 240_000,
  }, async () => {
    const dev = startDev([
      ...['--history', '10', '--rate', '2', '--scenarios', 's4', '--duration', '3s'],
      ...(await onSharedDynamoDb('dev-s4')),
    ]);
    const pgid = dev.child.pid as number;
    const started = await dev.lines[0];
    expect(started).toMatchObject({ event: 'started', s4Mode: 'buffered' });
    expect(String(started.s4)).toMatch(/^buffered in Redis \(redis:\/\/127\.0\.0\.1:\d+/);
    expect(groupMembers(pgid).some((m) => m.includes('redis-server'))).toBe(true);
    expect(await dev.exited).toBe(0);
    await expect.poll(() => groupMembers(pgid), { timeout: 30_000 }).toEqual([]);
  });

  it('without redis-server: auto runs S4 direct and says why in one line; --s4 buffered fails with the fix', {
    timeout: 240_000,
  }, async () => {
    const env = { ...process.env, PATH: '/nonexistent' }; // node is spawned by absolute path
    const auto = startDev(
      [
        ...['--history', '0', '--rate', '1', '--scenarios', 's4', '--duration', '1s'],
        ...(await onSharedDynamoDb('dev-s4d')),
      ],
      env,
    );
    expect(await auto.lines[0]).toMatchObject({
      s4Mode: 'direct',
      s4: 'direct (redis-server not installed: apt-get install redis-server for the buffered mode)',
    });
    expect(await auto.exited).toBe(0);

    const buffered = startDev(
      ['--s4', 'buffered', '--scenarios', 's4', ...(await onSharedDynamoDb('dev-s4b'))],
      env,
    );
    expect(await buffered.exited).toBe(1);
    expect(buffered.stderr()).toMatch(/LOCAL_START_FAILED.*redis-server.*apt-get install -y redis-server/);
    expect(buffered.stderr().trim().split('\n')).toHaveLength(1);

    const bad = startDev(['--s4', 'sometimes'], env);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/--s4.*expected auto, direct or buffered/);
  });
});
