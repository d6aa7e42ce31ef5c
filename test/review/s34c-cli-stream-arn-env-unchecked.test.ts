// Review s34c (CLI config loading: environment overrides). Severity: low.
// The worker's stream ARN can be given three ways (docs/cli.md): `--stream-arn` (worker.ts's flag schema:
// `startsWith('arn:')`), the config's `streamArn` (configSchema: the same check) and DYNOTALLY_STREAM_ARN, which
// settings.ts takes as it is (`streamArn: e('DYNOTALLY_STREAM_ARN') ?? config.streamArn`), with no check at all.
// The other variables of the settings (endpoint, region, the tables, the timeout) are checked in settingsSchema, and
// an error names the flag and the variable.
// Scenario: DYNOTALLY_STREAM_ARN='orders' (a table name where the ARN belongs, or a value left from another shell).
// Observed: resolveSettings returns streamArn 'orders' and the worker is started with it (not run here: the first
// DynamoDB Streams call on it can only fail with the service's own error, which names neither the variable nor what to
// give), where the same value as `--stream-arn orders` or `streamArn: 'orders'` is CONFIG_INVALID (exit 2) naming it.
// Expected: CONFIG_INVALID naming '--stream-arn / DYNOTALLY_STREAM_ARN', before any call, as for the other variables.
// Suggested fix: add `streamArn` to settingsSchema (the arn: check, one shared `streamArnSchema` with the config and
// the flag) and to NAMES.
import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { resolveSettings } from '../../packages/dynotally-cli/src/cli/config/settings.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/rollups.ts';

describe('DYNOTALLY_STREAM_ARN', () => {
  it('is checked like the flag and the config key: a value that is no ARN is CONFIG_INVALID', () => {
    let code: string | undefined;
    let streamArn: string | undefined;
    try {
      streamArn = resolveSettings(
        {},
        { DYNOTALLY_STREAM_ARN: 'orders' },
        { rollups: referenceRollups },
        undefined,
      ).streamArn;
    } catch (e) {
      code = isDynotallyError(e) ? e.code : String(e);
    }
    expect({ code, streamArn }).toEqual({ code: 'CONFIG_INVALID', streamArn: undefined });
  });
});
