import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDynotallyError } from '../errors/index.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { findJava } from './find-java.ts';

// A `java` on PATH that dies during start-up (as a JVM killed under memory pressure does) the first `deaths`
// times, then runs the real java.
const realJava = findJava();
const dirs: string[] = [];
function flakyJava(deaths: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'dynotally-flaky-java-'));
  dirs.push(dir);
  const counter = join(dir, 'count');
  writeFileSync(counter, '0');
  writeFileSync(
    join(dir, 'java'),
    `#!/bin/sh\nn=$(cat ${counter}); echo $((n + 1)) > ${counter}\nif [ "$n" -lt ${deaths} ]; then echo "simulated JVM crash $n" >&2; exit 3; fi\nexec ${realJava} "$@"\n`,
  );
  chmodSync(join(dir, 'java'), 0o755);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function withPath<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = `${dir}${delimiter}${saved ?? ''}`;
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
  }
}

describe('startDynamoDbLocal on a machine where the JVM can die during start-up', () => {
  it('spawns it once more when it died before answering, and says how long the start took', async () => {
    const lines: string[] = [];
    const local = await withPath(flakyJava(1), () =>
      startDynamoDbLocal({ log: (l) => lines.push(l), timeoutMs: 300_000 }),
    );
    try {
      expect(lines.some((l) => l.includes('died during start-up; spawning it once more'))).toBe(true);
      expect(lines.some((l) => /answered on port \d+ after \d+ ms \(attempt 2\)/.test(l))).toBe(true);
    } finally {
      await local.stop();
    }
  }, 360_000);

  it('gives up with LOCAL_START_FAILED (and the JVM output) when it dies twice', async () => {
    const err = await withPath(flakyJava(5), () => startDynamoDbLocal()).catch((e: unknown) => e);
    expect(isDynotallyError(err, 'LOCAL_START_FAILED')).toBe(true);
    expect(String(err)).toContain('simulated JVM crash 1');
  });
});
