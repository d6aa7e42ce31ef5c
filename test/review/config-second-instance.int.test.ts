// Review 14, finding 4 (low; fixed: tsx's loaders are registered for the process again, for import and for require,
// instead of tsImport's namespace): since f483873 a TypeScript config got its own copy of `dynotally`.
//
// tsx's tsImport loads the config in a namespace of its own, and every module the config imports, `dynotally`
// included, is evaluated again under it (`…/dynotally/dist/index.js?tsx-namespace=…`, `?namespace=…` in a
// CommonJS package). Before, the ES module loader registered for the process shared the CLI's copy. So classes
// differ: a DynotallyError made by the config's copy (a groupBy callback that refuses an item) is not one for the
// CLI's fold (`instanceof`), and the record is reported as "folding the record failed: …" instead of with its
// own code and message, unlike the same config as .mjs. Each CLI process also loads and evaluates the library
// twice. Fix: pass tsImport a namespace-free load for bare specifiers (or use tsx's `register({ namespace })` only
// for the config's own files), or make isDynotallyError brand-based (a Symbol.for brand) instead of instanceof.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cliProject, jobInsertEvent, removeCliProjects, runBuiltCli } from '../support/cli-project.ts';

vi.setConfig({ testTimeout: 120_000 });

afterAll(removeCliProjects);

const CONFIG = `import { count, defineRollup, DynotallyError } from 'dynotally';
export const jobs = defineRollup({
  name: 'jobs',
  groupBy: (item: Record<string, unknown>) => {
    if (typeof item.customerId !== 'string') throw new DynotallyError('VALUE_INVALID', 'customerId is missing');
    return { customerId: item.customerId };
  },
  time: { attribute: 'createdAt', format: 'epoch-millis' },
  granularities: ['hour'],
  measures: { jobs: count() },
});
export default { rollups: [jobs] };
`;

const EVENT = jobInsertEvent({});

function project(name: string, file: string, text: string): string {
  return cliProject(name, {
    'package.json': JSON.stringify({ name, version: '1.0.0', type: 'module' }),
    [file]: text,
    'event.json': EVENT,
  });
}

async function poisonOf(cwd: string, file: string): Promise<{ code: string; reason: string }[]> {
  const run = await runBuiltCli(cwd, ['-c', file, 'plan', '--dry-run', '--records', 'event.json', '--json']);
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { poison: { code: string; reason: string }[] }).poison;
}

describe('review14: a .ts config and the CLI share one dynotally', () => {
  it('a DynotallyError from a .ts config is reported as from the same config in .mjs', async () => {
    const mjs = await poisonOf(
      project('r14-inst-mjs', 'dynotally.config.mjs', CONFIG.replace(': Record<string, unknown>', '')),
      'dynotally.config.mjs',
    );
    expect(mjs.map((p) => p.reason)).toEqual(['customerId is missing']);
    const ts = await poisonOf(project('r14-inst-ts', 'dynotally.config.ts', CONFIG), 'dynotally.config.ts');
    // today: 'folding the record failed: customerId is missing' (the config's DynotallyError class is another)
    expect(ts).toEqual(mjs);
  });
});
