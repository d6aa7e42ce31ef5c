// Review s34c (deployment: the redelivery horizon the construct tells the handler). Severity: medium.
// The construct puts the mapping's MaximumRecordAgeInSeconds in DYNOTALLY_MAX_RECORD_AGE_SECONDS (default 86400, the
// stream's 24 h) and a handler's mode in DYNOTALLY_MODE. A handler whose `mode` contradicts DYNOTALLY_MODE is refused
// at its cold start (CONFIG_INVALID), but one whose explicit `redelivery.maxRecordAgeSeconds` is shorter than the
// deployed DYNOTALLY_MAX_RECORD_AGE_SECONDS is taken as it is (create-stream-handler.ts: `builtIn.redelivery ??
// redeliveryFromEnv(env)`), although RedeliveryOptions says "only set it to what the mapping really has: a shorter
// value than the mapping's lets a redelivery count twice", and the environment says what the mapping really has.
// Scenario: the handler copies RedeliveryOptions' own example, `redelivery: { maxRecordAgeSeconds: 3600 }`, under the
// construct's defaults (maxRecordAge 24 h, retryAttempts -1: "keep retrying rather than drop counts").
// Observed: the handler is made. Its prune horizon is 2 h (pruneAfterSeconds) and its late-record cut 1 h 30 min, so
// after any stall of a shard longer than 1 h 30 min (throttling, an outage, a permission being fixed: what the
// mapping's 24 h of retries is there to ride out) every delivered record of that shard becomes a RECORD_TOO_OLD dead
// letter instead of a count, which needs `dynotally verify` before it can be replayed; with `lateRecords: 'apply'`
// such records are applied to rows whose state for the shard may be pruned: a silent double count.
// Expected: like a mode mismatch, an explicit horizon shorter than the deployed one is refused when the handler is
// made (CONFIG_INVALID naming redelivery.maxRecordAgeSeconds and DYNOTALLY_MAX_RECORD_AGE_SECONDS); a longer one is
// safe (more state kept) and may stay allowed.
// Suggested fix: in streamHandlerIn, when both `builtIn.redelivery?.maxRecordAgeSeconds` and a parsable
// redeliveryFromEnv(env) are present, refuse when pruneAfterSeconds(explicit) < pruneAfterSeconds(deployed) (or when
// they differ at all); deploy-env.test.ts's "explicit option wins" case (env '0', invalid) then needs the check to
// apply only to a valid environment value.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { streamHandlerIn } from '../../packages/dynotally/src/handler/create-stream-handler.ts';

const rollup = defineRollup({ name: 'r', groupBy: 'g', granularities: ['all'], measures: { n: count() } });
const silent = { debug() {}, info() {}, warn() {}, error() {} };
// what DynotallyAggregates gives its function by default (dynotally-aggregates.cdk.test.ts checks these values)
const deployed = { DYNOTALLY_MODE: 'exactly-once', DYNOTALLY_MAX_RECORD_AGE_SECONDS: '86400' };

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isDynotallyError(e) ? e.code : String(e);
  }
  return undefined;
}

describe('a handler whose redelivery horizon is shorter than its deployed mapping', () => {
  it('is refused when it is made, as a mode mismatch is', () => {
    const make = (env: Record<string, string>, seconds: number) => () =>
      streamHandlerIn(
        {
          client: new DynamoDBClient({ region: 'eu-west-1' }),
          rollups: [rollup],
          table: 'aggregates',
          logger: silent,
          redelivery: { maxRecordAgeSeconds: seconds },
        },
        env,
      );
    // the comparison that is refused today: the handler's mode against the deployment's
    expect(
      codeOf(() =>
        streamHandlerIn(
          { rollups: [rollup], table: 'aggregates', logger: silent, mode: 'at-least-once' },
          deployed,
        ),
      ),
    ).toBe('CONFIG_INVALID');
    // a longer horizon than the mapping's only keeps more state: fine
    expect(codeOf(make({ ...deployed, DYNOTALLY_MAX_RECORD_AGE_SECONDS: '3600' }, 86_400))).toBeUndefined();
    // a shorter one dead-letters (or, with lateRecords: 'apply', double counts) what the mapping still delivers
    expect(codeOf(make(deployed, 3600))).toBe('CONFIG_INVALID');
  });
});
