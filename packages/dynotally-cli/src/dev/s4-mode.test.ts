import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDynotallyError } from '../../../dynotally/src/errors/index.ts';
import { directWithoutRedis, s4WiringFor } from './s4-mode.ts';
import { directS4 } from './s4-wiring.ts';

const withRedis = mkdtempSync(join(tmpdir(), 'dynotally-s4-mode-'));
writeFileSync(join(withRedis, 'redis-server'), '#!/bin/sh\n');
chmodSync(join(withRedis, 'redis-server'), 0o755);
const withoutRedis = mkdtempSync(join(tmpdir(), 'dynotally-s4-mode-none-'));
afterAll(() => {
  rmSync(withRedis, { recursive: true, force: true });
  rmSync(withoutRedis, { recursive: true, force: true });
});

describe('choosing how the dev stack runs S4 (starts nothing)', () => {
  it('auto: buffered when redis-server is on PATH, else direct with the one-line reason', () => {
    expect(s4WiringFor('auto', { env: { PATH: withRedis } }).mode).toBe('buffered');
    const direct = s4WiringFor('auto', { env: { PATH: withoutRedis } });
    expect(direct).toBe(directWithoutRedis);
    expect(direct.describe).toBe(
      'direct (redis-server not installed: apt-get install redis-server for the buffered mode)',
    );
    expect(direct.describe).not.toContain('\n');
  });

  it('a redis-server that is not executable does not count as installed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dynotally-s4-mode-noexec-'));
    try {
      writeFileSync(join(dir, 'redis-server'), '');
      chmodSync(join(dir, 'redis-server'), 0o644);
      expect(s4WiringFor('auto', { env: { PATH: dir } }).mode).toBe('direct');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('buffered without redis-server is a coded error saying how to install it; direct is always direct', () => {
    let caught: unknown;
    try {
      s4WiringFor('buffered', { env: { PATH: withoutRedis } });
    } catch (e) {
      caught = e;
    }
    expect(isDynotallyError(caught, 'LOCAL_START_FAILED')).toBe(true);
    expect((caught as Error).message).toMatch(/apt-get install -y redis-server.*--s4 direct/);
    expect(s4WiringFor('buffered', { env: { PATH: withRedis } }).mode).toBe('buffered');
    expect(s4WiringFor('direct', { env: { PATH: withRedis } })).toBe(directS4);
  });

  it('the buffered wiring refuses a worker before it has started', async () => {
    const wiring = s4WiringFor('buffered', { env: { PATH: withRedis } });
    expect(() =>
      wiring.workerOptions?.({ leaseTable: 'l', table: 't', rollups: [], mode: 'exactly-once' }),
    ).toThrow(/start\(\) the wiring/);
    expect(wiring.liveSource).toBeUndefined();
    await wiring.stop?.(); // nothing started: nothing to stop
  });
});
