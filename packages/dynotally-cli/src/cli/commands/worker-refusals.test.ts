// The direct worker stops on a batch its write side refuses for the configuration (a newer version another worker's
// configuration registered, a retired definition), so its shards go to workers that have the version; any other
// failure stays the worker's usual retry. In process, no I/O.
import { DynotallyError, type WriteSide } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { storeCountRollup } from '../../../../../test/support/store-count-rollup.ts';
import { stopOnRefusal } from './worker-refusals.ts';

const failing = (error: unknown): WriteSide => ({
  rollups: [storeCountRollup.compiled],
  apply: async () => {
    throw error;
  },
});
const input: Parameters<WriteSide['apply']>[0] = { records: [], shardId: 'shard-1' };

describe('stopOnRefusal', () => {
  it('stops the worker with the reason on VERSION_NOT_DEPLOYED and VERSION_UNKNOWN, and still fails the batch', async () => {
    for (const code of ['VERSION_NOT_DEPLOYED', 'VERSION_UNKNOWN'] as const) {
      const refusal = new DynotallyError(code, "rollup 'store': a newer definition (version 2, building)", {
        details: { rollup: 'store' },
      });
      const reasons: DynotallyError[] = [];
      const side = stopOnRefusal(failing(refusal), (r) => reasons.push(r));
      await expect(side.apply(input)).rejects.toBe(refusal);
      expect(reasons).toHaveLength(1);
      expect(reasons[0]?.code).toBe(code);
      expect(reasons[0]?.message).toBe(
        "worker stopped, the batch left unwritten for a worker whose configuration has the version: rollup 'store': a newer definition (version 2, building)",
      );
      expect(reasons[0]?.details).toEqual({ rollup: 'store' });
      expect(reasons[0]?.cause).toBe(refusal);
    }
  });

  it("names dev when dev --scenarios none's worker refuses", async () => {
    const refusal = new DynotallyError('VERSION_NOT_DEPLOYED', "rollup 'store': a newer definition");
    const reasons: DynotallyError[] = [];
    await expect(stopOnRefusal(failing(refusal), (r) => reasons.push(r), 'dev').apply(input)).rejects.toBe(
      refusal,
    );
    expect(reasons[0]?.message).toBe(
      "dev stopped, the batch left unwritten for a worker whose configuration has the version: rollup 'store': a newer definition",
    );
  });

  it('leaves any other failure to the worker (retried, not a stop) and passes results through', async () => {
    const reasons: unknown[] = [];
    const throttled = new DynotallyError('APPLY_FAILED', 'throttled');
    await expect(stopOnRefusal(failing(throttled), (r) => reasons.push(r)).apply(input)).rejects.toBe(
      throttled,
    );
    expect(reasons).toEqual([]);
    const result = { report: { records: 0 }, poison: [] } as never;
    const ok: WriteSide = { rollups: [storeCountRollup.compiled], apply: async () => result };
    expect(await stopOnRefusal(ok, (r) => reasons.push(r)).apply(input)).toBe(result);
    expect(stopOnRefusal(ok, () => {}).rollups).toBe(ok.rollups);
  });
});
