// loadConfig's fallback for a module without a default export or `config`: the rollups it exports, and a refusal
// when it exports configuration keys by name (they would be dropped).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';

const library = join(import.meta.dirname, '..', '..', '..', '..', 'dynotally', 'src', 'index.ts');
const root = mkdtempSync(join(tmpdir(), 'dynotally-load-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rollup = (name: string) =>
  `export const ${name} = defineRollup({ name: '${name}', groupBy: 'g', granularities: ['all'], measures: { n: count() } });`;

async function load(name: string, lines: string[]): Promise<string[] | string> {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'dynotally.config.ts'),
    [`import { count, defineRollup } from ${JSON.stringify(library)};`, ...lines, ''].join('\n'),
  );
  try {
    return (await loadConfig(undefined, dir)).config.rollups.map((r) => r.compiled.name);
  } catch (e) {
    return (e as Error).message;
  }
}

describe('a config module without a default export', () => {
  it('contributes the rollups it exports', async () => {
    expect(await load('rollups', [rollup('jobs'), rollup('scans')])).toEqual(['jobs', 'scans']);
  });

  it('is refused when it exports configuration keys by name, naming them and the default export to write', async () => {
    expect(
      await load('named', [
        rollup('jobs'),
        `export const tables = { aggregate: 'prod' };`,
        `export const mode = 'at-least-once';`,
      ]),
    ).toMatch(
      /^config file dynotally\.config\.ts exports tables, mode by name, without a default export: .*export default defineConfig\(\{ rollups: \[\.\.\.\], tables, mode \}\)/,
    );
    expect(await load('rollups-array', [`export const rollups = [];`])).toMatch(/exports rollups by name/);
  });
});
