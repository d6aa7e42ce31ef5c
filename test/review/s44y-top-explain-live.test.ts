// Review s44y: `explain.top()` with a live source said nothing of the live reads `top()` makes.
// What: `top()` with a `liveSource` reads the leaderboard's live deltas first, reads `limit + 1 + <groups with a live
//   delta>` entries per shard (not `limit + 1`), reads by key (`BatchGetItem`) each live group the index did not
//   return, and judges groups on their whole rows (`refusedRankedValues`: one live read and one `BatchGetItem` per
//   round, review s43v/s44v) — up to one round per group with a live delta. `explain.top()` listed the shard Queries
//   with `limit + 1` and its notes named the index alone, so the plan of a live `top()` told less than half the
//   truth about its reads.
// Observed (before the fix): no note mentions the live source; the same explanation with and without one.
// Expected: with a live source, a note saying what the live reads add and how far they go (bounded by the groups
//   with a live delta); without one, no such note.
// Severity: low (explain only; the reads themselves are bounded and right).
// Fixed: prepare-top.ts adds the note when the client has a live source (`liveTopNote`), docs/query.md says so.
import { describe, expect, it } from 'vitest';
import type { LiveSnapshot, LiveSource } from '../../packages/dynotally/src/query/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import { favouritesPerRestaurant } from '../../packages/dynotally-cli/src/scenarios/rollups.ts';
import { planningClient } from '../support/planning-client.ts';

const now = Date.UTC(2026, 10, 22, 13, 5);
const empty: LiveSnapshot = { pks: () => [], sortKeys: () => [], pending: () => new Map() };
/** A live source that is never read: explain reads nothing. */
const live: LiveSource = {
  markerAttribute: '_fb',
  read: async () => empty,
  readRanked: async () => empty,
};

describe('review s44y: explain.top() with a live source', () => {
  it('says what the live reads add to the plan, and how far they go', () => {
    const query = createQueryClient({
      clientConfig: {
        region: 'local',
        endpoint: 'http://127.0.0.1:9',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      },
      table: 'aggregates',
      rollups: [favouritesPerRestaurant],
      liveSource: live,
      now: () => now,
    });
    const notes = query.explain.top(favouritesPerRestaurant, { bucket: 'all', limit: 3 }).notes.join('\n');
    expect(notes).toMatch(/live source/);
    expect(notes).toMatch(/BatchGetItem/);
    expect(notes).toMatch(/one round per group with a live delta/);
  });

  it('says nothing of live reads without a live source', () => {
    const query = planningClient([favouritesPerRestaurant], now);
    const notes = query.explain.top(favouritesPerRestaurant, { bucket: 'all', limit: 3 }).notes.join('\n');
    expect(notes).not.toMatch(/live/);
  });
});
