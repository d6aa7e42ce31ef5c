// resolveSettings names a malformed value where it came from: its flag and variable, or the configuration's key.
import { describe, expect, it } from 'vitest';
import { referenceRollups } from '../../scenarios/rollups.ts';
import type { DynotallyConfig } from './define-config.ts';
import { type GlobalFlags, resolveSettings } from './settings.ts';

const rollups = referenceRollups;

function messageOf(
  flags: GlobalFlags,
  env: Record<string, string>,
  config: DynotallyConfig,
  path?: string,
): string {
  try {
    resolveSettings(flags, env, config, path);
  } catch (e) {
    return (e as Error).message;
  }
  return 'resolved';
}

describe('resolveSettings: where a malformed value came from', () => {
  it('names the config file and its key for a value the configuration gave', () => {
    const config = { rollups, region: 'eu west 1' } as DynotallyConfig;
    expect(messageOf({}, {}, config, '/app/dynotally.config.ts')).toMatch(
      /^settings: config file \/app\/dynotally\.config\.ts: region: a region is a name/,
    );
    expect(messageOf({}, {}, { rollups, tables: { leases: 'x' } })).toMatch(
      /settings: the configuration: tables\.leases: a table name/,
    );
  });

  it('names the flag and variable for a value they gave, over a good config value', () => {
    expect(messageOf({}, { AWS_REGION: 'eu west 1' }, { rollups, region: 'eu-west-1' })).toMatch(
      /settings: --region \/ AWS_REGION: a region is a name/,
    );
  });

  it('checks DYNOTALLY_STREAM_ARN, and a --stream-arn flag wins over it', () => {
    expect(messageOf({}, { DYNOTALLY_STREAM_ARN: 'orders' }, { rollups })).toMatch(
      /settings: --stream-arn \/ DYNOTALLY_STREAM_ARN: a stream ARN starts with arn:/,
    );
    const arn = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000';
    expect(
      resolveSettings({ streamArn: arn }, { DYNOTALLY_STREAM_ARN: 'orders' }, { rollups }, undefined)
        .streamArn,
    ).toBe(arn);
    expect(resolveSettings({}, {}, { rollups, streamArn: arn }, undefined).streamArn).toBe(arn);
  });
});
