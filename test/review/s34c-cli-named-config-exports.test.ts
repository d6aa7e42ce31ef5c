// Review s34c (CLI config loading). Severity: low.
// load-config.ts takes `mod.default ?? mod.config ?? { rollups: Object.values(mod).filter(isRollup) }`: a module with
// neither a default export nor `config` contributes the rollups it exports (docs/cli.md), and everything else it
// exports is dropped without a word. The default export is parsed `.strict()` (an unknown key such as `tabels` is
// CONFIG_INVALID), but a configuration written as named exports (`export const tables = …`, `export const endpoint
// = …`, `export const mode = …`: the keys of DynotallyConfig) loads as if those settings were absent.
// Scenario: dynotally.config.ts exports `jobs` (a rollup), `tables = { aggregate: 'prod-aggregates' }`, `endpoint =
// 'http://127.0.0.1:8000'` and `mode = 'at-least-once'`, and no default.
// Observed: the config loads; the settings use the default tables (dynotally-aggregates …), no endpoint (so AWS,
// with the caller's credentials: `dynotally tables create` meant for DynamoDB Local creates tables in the account)
// and exactly-once.
// Expected: CONFIG_INVALID naming the ignored exports and the way out (export default defineConfig({ rollups,
// tables, … })), as an unknown key of the default export is refused; or the named settings honoured.
// Suggested fix: in loadConfig's fallback, refuse when the module exports any key of the config schema (or any
// non-rollup value) besides rollups; or build the fallback object from the named exports and parse it `.strict()`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { loadConfig } from '../../packages/dynotally-cli/src/cli/config/load-config.ts';
import { resolveSettings } from '../../packages/dynotally-cli/src/cli/config/settings.ts';

const library = join(import.meta.dirname, '..', '..', 'packages', 'dynotally', 'src', 'index.ts');
const dir = mkdtempSync(join(tmpdir(), 's34c-named-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a config module that exports its settings by name, without a default export', () => {
  it('is refused, or loaded with what it exports, never with its tables, endpoint and mode dropped', async () => {
    writeFileSync(
      join(dir, 'dynotally.config.ts'),
      [
        `import { count, defineRollup } from ${JSON.stringify(library)};`,
        `export const jobs = defineRollup({ name: 'jobs', groupBy: 'customerId', granularities: ['all'], measures: { n: count() } });`,
        `export const tables = { aggregate: 'prod-aggregates' };`,
        `export const endpoint = 'http://127.0.0.1:8000';`,
        `export const mode = 'at-least-once';`,
        '',
      ].join('\n'),
    );
    let code: string | undefined;
    let settings: ReturnType<typeof resolveSettings> | undefined;
    try {
      const loaded = await loadConfig(undefined, dir);
      settings = resolveSettings({}, {}, loaded.config, loaded.path);
    } catch (e) {
      code = isDynotallyError(e) ? e.code : String(e);
    }
    // either refused, or loaded with the settings it exports (today: loaded with all of them but the rollup dropped)
    if (settings === undefined) expect(code).toBe('CONFIG_INVALID');
    else
      expect({
        aggregate: settings.tables.aggregate,
        endpoint: settings.endpoint,
        mode: settings.mode,
      }).toEqual({ aggregate: 'prod-aggregates', endpoint: 'http://127.0.0.1:8000', mode: 'at-least-once' });
  });
});
