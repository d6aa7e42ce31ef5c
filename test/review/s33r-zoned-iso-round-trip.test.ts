// Review s33r (helper-156): the query prints instants it refuses to read back.
// FIXED (helper-159): isoInstantMs reads an optional :SS after ±HH:MM; this probe is now a plain `it`.
//
// DEFECT: zonedIso (packages/dynotally/src/query/zoned-iso.ts:19-25, 8f6b138) prints an offset with seconds under
// local mean time (Africa/Monrovia −00:44:30 until 1972: '1971-06-01T09:00:00-00:44:30') as series points' `iso`,
// a window's fromIso / toIso and top's bucket edges; but since ef693a2 the query reads from / to / at with
// isoInstantMs (packages/dynotally/src/time/iso-instant.ts:52-59), which takes only ±HH:MM / ±HHMM offsets, so
// passing a printed bucket start back (the obvious way to drill into a bucket) is QUERY_INVALID; and an event time
// stored as such text is a VALUE_INVALID dead letter (the fold uses the same parser). The zonedIso doc says
// "`Date.parse` reads it": it does not either (NaN in Node 20, V8), so no reader in or out of the library takes it.
// Suggested fix: accept an optional `:SS` after ±HH:MM in isoInstantMs (ISO 8601 extended offsets), or print LMT
// offsets in UTC ('Z') so every printed instant parses.
import { describe, expect, it } from 'vitest';
import { toEpochMs } from '../../packages/dynotally/src/query/instant.ts';
import { zonedIso } from '../../packages/dynotally/src/query/zoned-iso.ts';
import { calendarFor } from '../../packages/dynotally/src/time/index.ts';

describe('s33r: an instant the query prints', () => {
  it('is read back by the query as the same instant (Africa/Monrovia, 1971)', () => {
    const monrovia = calendarFor('Africa/Monrovia');
    const t = Date.UTC(1971, 5, 1, 9, 44, 30); // 09:00:00 local, −00:44:30
    const printed = zonedIso(monrovia, t) as string;
    expect(printed).toBe('1971-06-01T09:00:00-00:44:30');
    expect(Date.parse(printed)).toBeNaN(); // the doc's 'Date.parse reads it' is not so either
    expect(toEpochMs(printed, 'at')).toBe(t); // fails: QUERY_INVALID 'is not an ISO-8601 instant with a zone'
  });
});
