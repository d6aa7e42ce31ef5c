// Review s18 (VERSION_NOT_DEPLOYED × functions counted by source text): backfill.md's "Registered by the backfill"
// flow deploys the changed definition to the stream Lambda (`register: 'first'`), then registers it from the CLI
// (`dynotally backfill <rollup> --register --settle 0s`). For a rollup with a function (`match`, `groupBy`, a
// `where`) and no `functionsVersion`, the CLI's definition (loaded from the TypeScript source) fingerprints
// differently from the Lambda's (bundled minified by StreamFunction): the CLI registers a version no stream side
// deploys. Since today the Lambda then refuses every batch of the stream (VERSION_NOT_DEPLOYED: a newer version
// it does not deploy) — every rollup it serves stops; past the mapping's retries / 24 h maxRecordAge the batches
// go to the on-failure destination — and its log says "a newer definition (version 2, building) is registered
// that this process does not deploy … deploy the new definition to every stream handler", which the operator just
// did. The message gives no hint of the actual cause, although the side knows its own definitions count their
// functions by source text (`compiled.fingerprintFunctions === 'source'`), as `dynotally query`'s VERSION_UNKNOWN
// now says (query-versions.ts sourceTextHint).
// Observed: the refusal's message does not mention functionsVersion / source text.
// Expected: when a refusing side deploys a definition of the rollup whose functions count by source text, the
// message names that likely cause and the way out (functionsVersion in both builds; retire the version).
// Suggested fix: add query-versions' hint to refuseUndeployed's message (and to `dynotally backfill --register`'s
// output for such a definition: "the stream side must load this very source text, or name functionsVersion").
// Fixed (session 18): refuseUndeployed's message names that cause when a deployed definition counts its functions by
// source text; this was the review's it.fails.
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { count, defineRollup, sum } from '../../packages/dynotally/src/index.ts';
import type { ControlItem } from '../../packages/dynotally/src/versions/control-item.ts';
import { refuseUndeployed } from '../../packages/dynotally/src/versions/undeployed-versions.ts';

type PlainItem = Record<string, unknown>;
const SOURCE = "export const isOrder = (item) => item.type === 'order';";

/** The filter as the Lambda's minified bundle holds it (esbuild, `minify: true`, as StreamFunction bundles). */
function minifiedFilter(): (item: PlainItem) => boolean {
  const { code } = transformSync(SOURCE, { minify: true, format: 'iife', globalName: 'm' });
  return new Function(`${code};return m.isOrder;`)() as (item: PlainItem) => boolean;
}

const define = (match: (item: PlainItem) => boolean, changed: boolean) =>
  defineRollup({
    name: 'orders',
    match,
    groupBy: 'storeId',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['day', 'all'],
    measures: changed ? { n: count(), amount: sum('amount') } : { n: count() },
  }).compiled;

describe('a changed definition registered from the CLI while a minified Lambda deploys it', () => {
  it("says the Lambda's refusal may come from the functions' source text", () => {
    const lambda = [define(minifiedFilter(), false), define(minifiedFilter(), true)]; // register: 'first'
    const cli = define((item) => item.type === 'order', true); // dynotally backfill orders --register
    expect(cli.fingerprint).not.toBe(lambda[1]?.fingerprint);
    const control: ControlItem = {
      rollup: 'orders',
      serving: 1,
      next: 3,
      versions: [
        {
          version: 1,
          fingerprint: lambda[0]?.fingerprint ?? '',
          state: 'serving',
          registeredAt: 0,
          needsBackfill: false,
        },
        { version: 2, fingerprint: cli.fingerprint, state: 'building', registeredAt: 1, needsBackfill: true },
      ],
    };
    let message = '';
    try {
      refuseUndeployed(new Map([['orders', lambda]]), new Map([['orders', control]]));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("rollup 'orders'"); // refused
    expect(message).toContain('functionsVersion');
  });
});
