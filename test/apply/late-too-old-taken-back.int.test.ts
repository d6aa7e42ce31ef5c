// A record the store refused (38 digits on amounts) whose take-back an earlier delivery cut short after taking it
// back from one row (its marker set there) and before the other, redelivered past the settle window (24 h 40 min,
// `lateToSettle`): it is not settled but dead-lettered as RECORD_TOO_OLD, and its letter must say what the rows hold
// so a replay of its pending rows counts it once on each: the row that kept it is not pending, the row it was taken
// back from is (its shard state is past the record, but so is its take-back marker: `pendingRowsOf` reads both).
// Before the probe read the marker, the row it was taken back from looked as if it held the record (its state is
// past it), the letter left it out, and a replay left the record out of that row for good.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { testClients } from '../support/ddb.ts';
import { HOUR, MINUTE, T, takenBackFixture } from './taken-back-fixture.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe('a refused record partly taken back, redelivered past the settle window', () => {
  it('is RECORD_TOO_OLD with the row it was taken back from pending, the row that kept it not', async () => {
    const f = await takenBackFixture(clients, 'late-old-back');
    const { letters, insert, one, counts } = f;

    await one([insert('a', '1e20')]);
    const batch = [insert('b', '1e-19')]; // refused on amounts, applied to kinds and sorts
    f.at(T + 24 * HOUR + 20 * MINUTE); // on time
    f.failSecondTakeBack(true);
    await expect(one(batch)).rejects.toThrow('injected');
    f.failSecondTakeBack(false);
    expect(f.takeBacks()).toBe(2);
    const before = await counts();
    // b taken back from one of the two rows, not the other
    expect([before.kinds, before.sorts].sort()).toEqual(['1', '2']);

    // the retry 24 h 42 min after b: past the settle window, before any state or marker may be pruned
    f.at(T + 24 * HOUR + 42 * MINUTE);
    await one(batch);
    expect(letters.map((l) => l.code)).toEqual(['RECORD_TOO_OLD']);
    expect(await counts()).toEqual(before); // nothing written
    const pending = new Set((letters[0]?.pendingRows ?? []).map((r) => r.pk));
    // a replay writes b to its pending rows only: then each of kinds and sorts holds b once (a and b: 2)
    const replayed = (n: string | undefined, pk: string) => Number(n) + (pending.has(pk) ? 1 : 0);
    expect(replayed(before.kinds, 'kinds#sk')).toBe(2);
    expect(replayed(before.sorts, 'sorts#sk')).toBe(2);
    expect(pending.has('amounts#sbig')).toBe(true); // refused there: never counted
  });
});
