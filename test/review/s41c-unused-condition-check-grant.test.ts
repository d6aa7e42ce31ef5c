// Review s41c (CDK: least privilege of the stream handler's grants). Severity: low.
// Finding: DYNOTALLY_ACTIONS.apply, what DynotallyAggregates grants the stream handler on the aggregate table (and,
// through it, `backfill.aggregates` and `buffer.applier`), held `dynamodb:ConditionCheckItem` ("transactions are
// authorised item by item as UpdateItem / ConditionCheckItem"). That action authorises only a `ConditionCheck` member
// of a TransactWriteItems, and no code of the library builds one: its transactions are `Update` members only, and the
// "condition check" of a refused write (apply/failed-condition.ts, plan/condition-check-params.ts) is an UpdateItem.
// The iam-actions tests record what is sent and hold it to the lists (enough), but nothing held the lists to what is
// sent (no more than that): an action the handler never needs was granted to every deployed stream handler and every
// backfill role.
// Fixed (session 41, helper s41c): ConditionCheckItem is out of DYNOTALLY_ACTIONS.apply (grants.ts). This test keeps
// it out for as long as no source of those paths builds a `ConditionCheck` member; the iam-actions tests still prove
// the rest sufficient (test/apply/iam-actions.int.test.ts records every path's requests against the new list).
// Review s41y made the flusher build one (redis/held-cells.ts, the letter of a row of a rollup it was not given) and
// `buffer.flusher` held the action for it; since review s42y that letter is committed with an `Update` of the row
// (its tie), so no source builds one again and no list holds the action.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DYNOTALLY_ACTIONS } from '../../packages/dynotally/src/cdk/grants.ts';

const src = fileURLToPath(new URL('../../packages/dynotally/src', import.meta.url));

/** Every library source file (tests left out). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the stream handler grants', () => {
  it('hold no ConditionCheckItem while no code builds a ConditionCheck transaction member', () => {
    const building = sources(src)
      .filter((f) => /\bConditionCheck\s*:/.test(readFileSync(f, 'utf8')))
      .map((f) => f.slice(src.length + 1).replaceAll('\\', '/'));
    expect(building).toEqual([]);
    const lists = {
      'buffer.flusher': DYNOTALLY_ACTIONS.buffer.flusher,
      apply: DYNOTALLY_ACTIONS.apply,
      'buffer.applier': DYNOTALLY_ACTIONS.buffer.applier,
      'backfill.aggregates': DYNOTALLY_ACTIONS.backfill.aggregates,
    };
    for (const [name, list] of Object.entries(lists))
      expect(list as readonly string[], name).not.toContain('dynamodb:ConditionCheckItem');
  });
});
