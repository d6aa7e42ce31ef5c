// Review s35y (fixed: `lateToSettle` hands the probe its exclusion's refused rows): a RECORD_TOO_OLD letter of a
// refused record whose take-back an earlier delivery cut short must list
// the row that REFUSED it as pending (it never held it), as the NUMBER_UNREPRESENTABLE letter does. The probe
// (`pendingRowsOf`) reads only the row's shard state and the take-back marker: when a later record of the same
// batch was written to the refused row (isolateUnrepresentable writes the batch's records one by one there), the
// row's state is past the refused record, it has no marker, and the probe takes it for a row that holds the record:
// the letter leaves it out, so a replay never counts the record there.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { HOUR, MINUTE, T, takenBackFixture } from '../apply/taken-back-fixture.ts';
import { testClients } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe('review s35y: a refused record partly taken back, a later record on its refused row, redelivered late', () => {
  it('lists the row that refused it as pending though a later record passed its state', async () => {
    const f = await takenBackFixture(clients, 's35y-refused');
    const { letters, insert, one, counts } = f;

    await one([insert('a', '1e20')]);
    // b refused on amounts, applied to kinds and sorts; c, after it, fits on amounts and is written there
    const batch = [insert('b', '1e-19'), insert('c', '1')];
    f.at(T + 24 * HOUR + 20 * MINUTE); // on time
    f.failSecondTakeBack(true);
    await expect(one(batch)).rejects.toThrow('injected');
    f.failSecondTakeBack(false);
    expect(f.takeBacks()).toBe(2);
    const before = await counts();
    // b taken back from one of kinds and sorts, not the other (a and c on both); amounts holds a and c, not b
    expect([before.kinds, before.sorts].sort()).toEqual(['2', '3']);
    expect(before.amounts).toBe('2');

    // the retry 24 h 42 min after b: past the settle window, before any state or marker may be pruned
    f.at(T + 24 * HOUR + 42 * MINUTE);
    await one(batch);
    const b = letters.find((l) => l.sequenceNumber?.endsWith('1002') === true);
    expect(b?.code).toBe('RECORD_TOO_OLD');
    const pending = new Set((b?.pendingRows ?? []).map((r) => r.pk));
    // as before the fix: the row b was taken back from is pending, the row that kept it is not
    expect(pending.has('kinds#sk')).toBe(before.kinds === '2');
    expect(pending.has('sorts#sk')).toBe(before.sorts === '2');
    // refused there: b was never counted on amounts, so a replay must write it there
    expect(pending.has('amounts#sbig')).toBe(true);
  });
});
