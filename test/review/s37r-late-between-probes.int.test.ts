// Review s37r (of review s37v's fix: `createVersionedWriteSide` probes every version's late records, sends their
// merged letters first, then applies each version).
// What: the versions are probed one after the other, each `Applier.probeLate` judging lateness by its own reading of
// the clock, so a record can cross the late point (24 h 30 min) between the serving version's probe (on time) and
// the building version's (late). The building version's `RECORD_TOO_OLD` letter is sent first and its key kept in
// `first.keys`; the serving version then applies the record, and the store refuses it there (a sum past 38
// significant digits): a refusal recorded on the serving row, whose letter names that row as pending. After the batch
// the side merges each record's letters over the versions and sends those whose key is NOT in `first.keys`: the
// merged letter of this record (building rows + the serving row that refused it) is dropped, never sent.
// Expected: the record's stored letter names every row it is pending in: the serving row that refused it and the
// building version's rows where it is late (one letter, or the serving refusal's stored beside it).
// Observed: one letter, `RECORD_TOO_OLD`, naming the building version's rows only; the serving refusal (its row, its
// code) is stored nowhere, so no replay can ever count the record in the serving version, and nothing says it was
// refused there.
// Severity: low. It needs a record that crosses the late point in the few milliseconds between two probes of one
// batch AND that one version's store refuses (a sum past 38 digits, a row past 400 KB); the count lost is in a row
// that could not hold it when refused. `dynotally verify` shows it.
// Fixed: the side judges every version's lateness at one instant (`Applier.probeLate(input, { now })`, the instant
// taken once in versions/versioned-write-side.ts before the probes), so a record is late in every version or in
// none: here b is on time in both, refused in both, and its one letter (`NUMBER_UNREPRESENTABLE`) names the rows of
// both versions.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/applier.ts';
import { listDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { testClients } from '../support/ddb.ts';
import { LATE_AFTER_MS, twoVersions } from './s37r-versions.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const B_CREATED = Date.UTC(2026, 10, 20, 12, 0, 0);

function insert(i: number, amount: string, createdMs: number) {
  return {
    eventID: `e${i}`,
    eventName: 'INSERT' as const,
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/s',
    dynamodb: {
      Keys: { id: { S: `o-${i}` } },
      NewImage: {
        id: { S: `o-${i}` },
        storeId: { S: 's-0' },
        amount: { N: amount },
        t: { N: String(createdMs) },
      } as never,
      SequenceNumber: String(100 + i),
      ApproximateCreationDateTime: Math.floor(createdMs / 1000),
      StreamViewType: 'NEW_AND_OLD_IMAGES' as const,
    },
  };
}

describe('review s37r: a record late in one version, on time and refused in another, in one batch', () => {
  it('its stored letter names the serving row that refused it, not only the building rows where it is late', async () => {
    let clock = B_CREATED + LATE_AFTER_MS - 2_000;
    const { deadLetterTable: dlt, sink, side } = await twoVersions(clients.ddb, 's37r-lbp', () => clock);
    // a: 1e20 in both versions' rows, on time
    await side.apply({
      records: [insert(1, '1e20', B_CREATED - 1_000)],
      shardId: 'shard-1',
      deadLetter: sink,
    });
    // b: 1e-19 more (40 significant digits with a: the store refuses it), 1 s short of the late point when the
    // serving version is probed, 1 min past it when the building version is (time passing between the probes)
    const probeLate = Applier.prototype.probeLate;
    let probes = 0;
    const spy = vi.spyOn(Applier.prototype, 'probeLate').mockImplementation(function (
      this: Applier,
      ...args
    ) {
      if (++probes === 2) clock = B_CREATED + LATE_AFTER_MS + 60_000;
      return probeLate.apply(this, args);
    });
    clock = B_CREATED + LATE_AFTER_MS - 1_000;
    let out: Awaited<ReturnType<typeof side.apply>>;
    try {
      out = await side.apply({
        records: [insert(2, '1e-19', B_CREATED)],
        shardId: 'shard-1',
        deadLetter: sink,
      });
    } finally {
      spy.mockRestore();
    }
    expect(probes).toBe(2);
    // what the side returned, and what is stored: every row b is pending in (the serving row that refused it among
    // them) named by a letter of b that is stored
    const returned = out.poison.flatMap((p) => (p.pendingRows ?? []).map((r) => `${r.pk} ${r.sk}`)).sort();
    expect(returned).toContain('money#ss-0 ALL');
    const stored = await listDeadLetters({ client: clients.ddb, table: dlt });
    const rows = stored.flatMap((l) => (l.pendingRows ?? []).map((r) => `${r.pk} ${r.sk}`)).sort();
    expect(new Set(rows)).toEqual(new Set(returned));
    expect(rows).toContain('money#ss-0 ALL');
  });
});
