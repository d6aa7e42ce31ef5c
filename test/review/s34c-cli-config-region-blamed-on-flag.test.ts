// Review s34c (CLI config loading: a malformed value). Severity: low.
// The config file's `region` is checked by configSchema as any non-empty string (config-schema.ts:
// `region: z.string().min(1)`), and only later by settings.ts's settingsSchema with the region pattern, whose error
// names the flag and the variable ('--region / AWS_REGION'). Every other config value that can be malformed is
// checked against the same rule in configSchema (the table names, the endpoint), so its error names the config file.
// Scenario: dynotally.config.ts has `region: 'eu west 1'`; no --region flag, no AWS_REGION.
// Observed: "[CONFIG_INVALID] settings: --region / AWS_REGION: a region is a name such as eu-west-1": the user is sent
// to a flag and a variable they never set, and the config file is not named.
// Expected: the error names the config file and its `region` key, as it does for `tables.aggregate: 'x'` or
// `endpoint: 'localhost:8000'` ("config file dynotally.config.ts: region: …").
// Suggested fix: give configSchema's `region` the same regex as settingsSchema (share one `regionSchema`, as
// tableNameSchema and endpointSchema are shared).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../packages/dynotally-cli/src/cli/config/load-config.ts';
import { resolveSettings } from '../../packages/dynotally-cli/src/cli/config/settings.ts';

const library = join(import.meta.dirname, '..', '..', 'packages', 'dynotally', 'src', 'index.ts');
const dir = mkdtempSync(join(tmpdir(), 's34c-region-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a malformed region in the config file', () => {
  it('is reported against the config file, not against --region / AWS_REGION', async () => {
    writeFileSync(
      join(dir, 'dynotally.config.ts'),
      [
        `import { count, defineRollup } from ${JSON.stringify(library)};`,
        `const jobs = defineRollup({ name: 'jobs', groupBy: 'customerId', granularities: ['all'], measures: { n: count() } });`,
        `export default { rollups: [jobs], region: 'eu west 1' };`,
        '',
      ].join('\n'),
    );
    let message = '';
    try {
      const loaded = await loadConfig(undefined, dir);
      resolveSettings({}, {}, loaded.config, loaded.path);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/config file dynotally\.config\.ts/);
    expect(message).not.toMatch(/--region \/ AWS_REGION/);
  });
});
