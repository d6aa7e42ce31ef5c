// Which configuration a command loads: `--reference` (the dev stack's reference rollups, no file read), else
// `--config`, DYNOTALLY_CONFIG or ./dynotally.config.*; and the misuses of `--reference`, each a coded error.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../../test/support/temp-dir.ts';
import { referenceRollups } from '../../scenarios/rollups.ts';
import { loadChosenConfig } from './chosen-config.ts';
import { loadConfig } from './load-config.ts';

const library = join(import.meta.dirname, '..', '..', '..', '..', 'dynotally', 'src', 'index.ts');
const REFERENCE = ['jobs', 'scans', 'favourites', 'energy', 'store'];

/** A directory whose dynotally.config.ts has one rollup, `orders` (none of the reference ones). */
function ordersDir(): string {
  const dir = tempDir('dynotally-chosen-config-');
  writeFileSync(
    join(dir, 'dynotally.config.ts'),
    `import { count, defineRollup } from ${JSON.stringify(library)};
export default { rollups: [defineRollup({ name: 'orders', groupBy: 'storeId', granularities: ['all'], measures: { n: count() } })] };
`,
  );
  return dir;
}

const names = (loaded: { config: { rollups: readonly { compiled: { name: string } }[] } }) =>
  loaded.config.rollups.map((r) => r.compiled.name);

async function failure(run: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await run;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a failure');
}

describe('loadChosenConfig', () => {
  it('--reference: the reference rollups, not the dynotally.config.ts of the directory', async () => {
    const dir = ordersDir();
    expect(names(await loadChosenConfig({}, {}, dir))).toEqual(['orders']);
    const loaded = await loadChosenConfig({ reference: true }, {}, dir);
    expect(loaded.path).toBeUndefined();
    expect(names(loaded)).toEqual(REFERENCE);
    expect(loaded.config.rollups).toEqual([...referenceRollups]);
    // the configuration's other keys are not read either: no tables, endpoint or mode from a file
    expect(Object.keys(loaded.config)).toEqual(['rollups']);
  });

  it('--reference reads no file at all: a broken one in the directory is not loaded', async () => {
    const dir = tempDir('dynotally-chosen-config-');
    writeFileSync(join(dir, 'dynotally.config.ts'), 'export default {\n');
    expect((await failure(loadChosenConfig({}, {}, dir))).message).toMatch(/could not be loaded/);
    expect(names(await loadChosenConfig({ reference: true }, {}, dir))).toEqual(REFERENCE);
  });

  it('--reference wins over DYNOTALLY_CONFIG, as every flag wins over its variable', async () => {
    const dir = ordersDir();
    const env = { DYNOTALLY_CONFIG: 'dynotally.config.ts' };
    expect(names(await loadChosenConfig({}, env, dir))).toEqual(['orders']);
    expect(names(await loadChosenConfig({ reference: true }, env, dir))).toEqual(REFERENCE);
    const missing = { DYNOTALLY_CONFIG: 'gone.config.ts' };
    expect(names(await loadChosenConfig({ reference: true }, missing, dir))).toEqual(REFERENCE);
  });

  it('without --reference: --config, else DYNOTALLY_CONFIG (empty is unset), else the directory', async () => {
    const dir = ordersDir();
    writeFileSync(
      join(dir, 'other.config.mjs'),
      `export { jobsPerCustomer } from ${JSON.stringify(join(import.meta.dirname, '..', '..', 'scenarios', 'rollups.ts'))};\n`,
    );
    const other = { DYNOTALLY_CONFIG: 'other.config.mjs' };
    expect(names(await loadChosenConfig({ config: 'other.config.mjs' }, {}, dir))).toEqual(['jobs']);
    expect(names(await loadChosenConfig({}, other, dir))).toEqual(['jobs']);
    expect(names(await loadChosenConfig({ reference: false }, other, dir))).toEqual(['jobs']);
    expect(names(await loadChosenConfig({}, { DYNOTALLY_CONFIG: '' }, dir))).toEqual(['orders']);
    expect(
      names(await loadChosenConfig({ config: 'dynotally.config.ts' }, other, dir)),
      'the flag wins over the variable',
    ).toEqual(['orders']);
  });

  it.each([
    ['a file', 'dynotally.config.ts'],
    ['a missing file', 'gone.config.ts'],
    ['the word reference', 'reference'],
    ['an empty value', ''],
  ])('refuses --reference with --config (%s): CONFIG_INVALID, naming both', async (_what, config) => {
    const err = await failure(loadChosenConfig({ reference: true, config }, {}, ordersDir()));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(
      `--reference and --config ${config} both say which rollups to use: give one (--reference: the dev stack's reference rollups, read from no file; --config: your configuration file)`,
    );
  });
});

describe('--config reference: a file name, not the reference rollups', () => {
  it.each([
    ['--config reference', { config: 'reference' }, {}],
    ['--config Reference.ts', { config: 'Reference.ts' }, {}],
    ['DYNOTALLY_CONFIG=reference', {}, { DYNOTALLY_CONFIG: 'reference' }],
  ])('%s, no such file: CONFIG_INVALID pointing at --reference', async (_what, flags, env) => {
    const err = await failure(loadChosenConfig(flags, env, ordersDir()));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(
      /^config file \S+ does not exist \(.*; for the dev stack's reference rollups, give --reference instead of a file\)$/,
    );
  });

  it('a missing file of another name gets no such hint', async () => {
    const err = await failure(loadConfig('references.config.ts', ordersDir()));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).not.toContain('--reference');
  });

  it('a file named reference.mjs that exists is loaded as the configuration file it is', async () => {
    const dir = ordersDir();
    writeFileSync(
      join(dir, 'reference.mjs'),
      `export { scansPerProject } from ${JSON.stringify(join(import.meta.dirname, '..', '..', 'scenarios', 'rollups.ts'))};\n`,
    );
    expect(names(await loadChosenConfig({ config: 'reference.mjs' }, {}, dir))).toEqual(['scans']);
  });
});
