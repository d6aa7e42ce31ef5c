// The test tiers, told apart by file suffix, and which real services a run of given files needs.
import { readFileSync } from 'node:fs';

/** A test file's tier. `pure` files do no I/O and need no service. */
export type Tier = 'pure' | 'int' | 'fault' | 'browser' | 'cdk';

/**
 * The tier of a test file from its suffix: `*.int.test.ts`, `*.fault.test.ts`, `*.browser.test.ts`,
 * `*.cdk.test.ts`; every other `*.test.ts` (`*.property.test.ts`, `*.edge.test.ts` …) is pure.
 *
 * @example
 * ```ts
 * tierOf('src/worker/worker.int.test.ts'); // 'int'
 * ```
 */
export function tierOf(file: string): Tier {
  const m = /\.(int|fault|browser|cdk)\.test\.ts$/.exec(file);
  return (m?.[1] as Tier | undefined) ?? 'pure';
}

/** The real services a run needs. */
export interface ServicesNeeded {
  dynamodb: boolean;
  redis: boolean;
  chromium: boolean;
}

const USES_REDIS = /startRedisServer|startBufferEnv|redis-server|'--redis'/;

/**
 * Which services the given test files need: DynamoDB Local for every int, fault and browser file; redis-server
 * for those of them that start one (read from the file); chromium for browser files.
 *
 * @example
 * ```ts
 * servicesNeeded(['src/time/labels.test.ts']); // { dynamodb: false, redis: false, chromium: false }
 * ```
 */
export function servicesNeeded(
  files: readonly string[],
  read: (file: string) => string = (f) => readFileSync(f, 'utf8'),
): ServicesNeeded {
  const out: ServicesNeeded = { dynamodb: false, redis: false, chromium: false };
  for (const file of files) {
    const tier = tierOf(file);
    if (tier === 'pure' || tier === 'cdk') continue;
    out.dynamodb = true;
    if (tier === 'browser') out.chromium = true;
    if (!out.redis) {
      try {
        out.redis = USES_REDIS.test(read(file));
      } catch {
        // unreadable: the run will say so
      }
    }
  }
  return out;
}
