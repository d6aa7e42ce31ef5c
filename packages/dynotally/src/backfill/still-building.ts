import { DynotallyError } from '../errors/index.ts';
import type { ControlItem } from '../versions/control-item.ts';

/**
 * A check a backfill makes before each chunk: that its version is not retired. A version retired meanwhile
 * (`retireVersion`, `dynotally rollups retire`, or a repair retiring the unfinished versions it does not build) is
 * no longer written by the stream side and may be having its rows deleted (`deleteRetiredVersion`): a backfill
 * going on would scan, claim and write for a version never read, and rows written behind a deletion's pass would
 * stay. A version another process finished meanwhile (`ready`, even `serving`: two processes building one version)
 * is no reason to stop: every segment is done then, and this process finds its own so. Each check reads the control item (a consistent read of one item: about 1% of a chunk of 500 items' scan);
 * segments checking while a read is in flight share it.
 *
 * @throws {DynotallyError} `BACKFILL_REFUSED` once the version is retired (or gone from the control item).
 * @example
 * ```ts
 * const check = stillBuilding(() => readControl(client, table, 'store'), { rollup: 'store', version: 2 });
 * await check(); // before each chunk
 * ```
 */
export function stillBuilding(
  read: () => Promise<ControlItem | undefined>,
  at: { readonly rollup: string; readonly version: number },
): () => Promise<void> {
  let inFlight: Promise<string | undefined> | undefined;
  return async () => {
    if (inFlight === undefined) {
      const state = read().then((c) => c?.versions.find((v) => v.version === at.version)?.state);
      inFlight = state;
      const clear = () => {
        if (inFlight === state) inFlight = undefined;
      };
      state.then(clear, clear);
    }
    const state = await inFlight;
    if (state !== undefined && state !== 'retired') return;
    throw new DynotallyError(
      'BACKFILL_REFUSED',
      `version ${at.version} of rollup '${at.rollup}' is ${state ?? 'no longer registered'} now: its backfill stops (the stream side no longer writes a retired version, and its rows are for deleting). Build a version again with dynotally verify ${at.rollup} --repair, or register the definition again and backfill that version`,
      { details: { rollup: at.rollup, version: at.version, state } },
    );
  };
}
