// A write side whose every call waits before it applies: a batch that outlasts what is left of its lease, for the
// tests of what a stop or a failed start does to a batch in flight.
import type { ApplyInput, ApplyResult, WriteSide } from '../../packages/dynotally/src/apply/index.ts';

/** How the last call of a {@link SlowWriteSide} ended: applied, or refused with `error` (e.g. LEASE_LOST). */
export type SlowCallOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/**
 * `real` with every `apply` held `delayMs` first, then sent to `real` (which checks the fence as ever); `started` tells
 * that a call came in, `outcome` how the last one ended.
 *
 * @example
 * ```ts
 * const slow = new SlowWriteSide(new Applier({ client, table, rollups: [tallies] }), 4_000);
 * const w = createStreamWorker({ …, applier: slow });
 * await waitFor('the batch in the write side', () => (slow.started ? true : undefined));
 * ```
 */
export class SlowWriteSide implements WriteSide {
  started = false;
  outcome: SlowCallOutcome | undefined;
  readonly rollups: WriteSide['rollups'];

  constructor(
    private readonly real: WriteSide,
    private readonly delayMs: number,
  ) {
    this.rollups = real.rollups;
  }

  async apply(input: ApplyInput): Promise<ApplyResult> {
    this.started = true;
    await new Promise((r) => setTimeout(r, this.delayMs));
    try {
      const result = await this.real.apply(input);
      this.outcome = { ok: true };
      return result;
    } catch (e) {
      this.outcome = { ok: false, error: e };
      throw e;
    }
  }
}
