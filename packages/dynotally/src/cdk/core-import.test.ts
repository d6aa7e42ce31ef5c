import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const src = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every package `entry` imports (directly or through the files it imports), packages left external. */
async function packagesImported(entry: string): Promise<Set<string>> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  });
  const imported = Object.values(result.metafile.inputs).flatMap((i) =>
    i.imports.filter((x) => x.external).map((x) => x.path),
  );
  return new Set(
    imported.map((p) => (p.startsWith('@') ? p.split('/').slice(0, 2) : p.split('/').slice(0, 1)).join('/')),
  );
}

describe('dynotally/cdk stays optional', () => {
  it('the core entry (dynotally) never imports aws-cdk-lib or constructs; dynotally/cdk does', async () => {
    const core = await packagesImported(join(src, 'index.ts'));
    expect(core.has('@aws-sdk/client-dynamodb')).toBe(true); // the walk sees the core's packages
    expect(core.has('aws-cdk-lib')).toBe(false);
    expect(core.has('constructs')).toBe(false);
    const cdk = await packagesImported(join(src, 'cdk', 'index.ts'));
    expect(cdk.has('aws-cdk-lib')).toBe(true);
    expect(cdk.has('constructs')).toBe(true);
  });
});
