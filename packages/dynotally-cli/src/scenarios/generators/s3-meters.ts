import { parseGranularity } from 'dynotally/time';
import { energyPerMeter } from '../rollups.ts';
import { meterId } from './names.ts';
import { type Random, seededRandom } from './prng.ts';
import type { GeneratorOptions, ScenarioGenerator, ScenarioInfo, SourceChange, SourceItem } from './types.ts';

const READ_EVERY_S = 10;
const MAX_METERS = 100;
const RESEND_SHARE = 0.05;
const DAY = parseGranularity('day');
const MONTH = parseGranularity('month');
const YEAR = parseGranularity('year');

/**
 * How many meters S3 runs at `rate` readings/s: each reads every 10 s, and ~5 % of the rate is kept for
 * re-sends (at least 1, at most 100).
 *
 * @example
 * ```ts
 * meterCount(2); // 19
 * ```
 */
export function meterCount(rate: number): number {
  return Math.max(1, Math.min(MAX_METERS, Math.floor(rate * READ_EVERY_S * (1 - RESEND_SHARE))));
}

interface Meter {
  readonly id: string;
  /** Base load in watts (a flat vs a house with a heat pump). */
  readonly base: number;
  /** Epoch seconds of its next reading. */
  due: number;
  last?: SourceItem;
}

/**
 * S3 — smart-meter energy. Every meter sends a reading every 10 s:
 * `{ type: 'reading', deviceId, ts (epoch s), wh (energy in those 10 s), watts (instant power) }`, with a
 * day/night load curve. About 5 % of changes RE-SEND a meter's previous reading byte for byte (an identical put:
 * the aggregates must not change). The fleet size follows the rate: `⌊rate × 10 × 0.95⌋` meters (at most 100), so
 * each meter keeps its 10-s cadence. History: hourly interval readings (`interval: 3600`, a day's hours,
 * a month's days and a year's months in Europe/London), as meters upload after an outage.
 *
 * @example
 * ```ts
 * const gen = createMetersGenerator({ rate: 0.8 }); // 7 meters
 * gen.next(Date.now());
 * // { kind: 'insert', item: { type: 'reading', deviceId: 'meter-01', ts: 1795…, wh: 0.9, watts: 324.5, … }, … }
 * ```
 */
export function createMetersGenerator(options: GeneratorOptions = {}): ScenarioGenerator {
  const random = seededRandom(options.seed ?? 0x5e3);
  const calendar = energyPerMeter.compiled.calendar;
  const meters: Meter[] = [];
  let active = 1;
  let lastSent: SourceItem | undefined;

  /** Sizes the fleet for `rate` readings/s, keeping ~5 % of the rate for re-sends. */
  const ensureMeters = (rate: number): void => {
    active = meterCount(rate);
    while (meters.length < active) {
      const i = meters.length;
      meters.push({
        id: meterId(i),
        base: Math.round(150 + random.next() * 900),
        // A phase within the 10 s; next() moves a meter this far behind to the current slot.
        due: random.int(0, READ_EVERY_S - 1),
      });
    }
  };
  ensureMeters(options.rate ?? 0.8);

  const watts = (meter: Meter, tsS: number): number => {
    const hour = ((((tsS * 1000 + calendar.offsetMs(tsS * 1000)) / 3_600_000) % 24) + 24) % 24;
    const curve =
      0.6 +
      0.5 * Math.max(0, Math.sin(((hour - 5) / 24) * 2 * Math.PI)) +
      (hour >= 17 && hour < 21 ? 0.5 : 0);
    return round(meter.base * curve * (1 + random.normal(0, 0.08)), 1);
  };

  const reading = (meter: Meter, tsS: number, interval: number): SourceItem => {
    const w = Math.max(0, watts(meter, tsS));
    return {
      pk: `reading#${meter.id}`,
      sk: interval === READ_EVERY_S ? String(tsS) : `${tsS}/${interval}`,
      type: 'reading',
      deviceId: meter.id,
      ts: tsS,
      wh: round((w * interval) / 3600, 4),
      watts: w,
      interval,
    };
  };

  return {
    id: 's3',
    setRate(rate) {
      // Meters beyond the new fleet size stay in memory (and resume at the current slot when it grows again).
      ensureMeters(rate);
    },
    next(now) {
      const nowS = Math.floor(now / 1000);
      let meter = meters[0] as Meter;
      for (let i = 1; i < active; i++) if ((meters[i] as Meter).due < meter.due) meter = meters[i] as Meter;
      // Re-sends use spare capacity: always when every meter is ahead of the clock, sometimes when on time,
      // never when readings are behind.
      const ahead = meter.due > nowS + 2;
      const behind = meter.due < nowS - READ_EVERY_S;
      if (lastSent !== undefined && (ahead || (!behind && random.chance(RESEND_SHARE)))) {
        return { kind: 'resend', item: lastSent, group: String(lastSent.deviceId) };
      }
      // A meter far behind (the fleet grew, or the run was paused) resumes at the current 10-s slot.
      if (meter.due < nowS - 6 * READ_EVERY_S) meter.due = nowS - ((nowS - meter.due) % READ_EVERY_S);
      const item = reading(meter, meter.due, READ_EVERY_S);
      meter.due += READ_EVERY_S;
      meter.last = item;
      lastSent = item;
      return { kind: 'insert', item, group: meter.id };
    },
    history(now, count) {
      const out: SourceChange[] = [];
      const seen = new Set<string>();
      const today = calendar.bucket(DAY, now);
      const month = calendar.bucket(MONTH, now);
      const year = calendar.bucket(YEAR, now);
      for (let tries = 0; out.length < count && tries < count * 20; tries++) {
        const meter = meters[random.int(0, active - 1)] as Meter;
        const at = historySlot(random, now, today.start, month.start, year.start);
        if (at === undefined) continue;
        const slot = at.interval === 3600 ? calendar.bucket(parseGranularity('hour'), at.t).start : at.t;
        const item = reading(meter, Math.floor(slot / 1000), at.interval);
        const key = `${item.pk}/${item.sk}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ kind: 'insert', item, group: meter.id });
      }
      return out;
    },
  };
}

/** Picks a past hour today (45 %), a past day this month (35 %) or a past month this year (20 %). */
function historySlot(
  random: Random,
  now: number,
  dayStart: number,
  monthStart: number,
  yearStart: number,
): { t: number; interval: number } | undefined {
  const u = random.next();
  const hourEnd = now - 3_600_000;
  if (u < 0.45 && hourEnd > dayStart)
    return { t: dayStart + random.next() * (hourEnd - dayStart), interval: 3600 };
  if (u < 0.8 && dayStart > monthStart)
    return { t: monthStart + random.next() * (dayStart - monthStart), interval: 3600 };
  if (monthStart > yearStart)
    return { t: yearStart + random.next() * (monthStart - yearStart), interval: 3600 };
  if (hourEnd > dayStart) return { t: dayStart + random.next() * (hourEnd - dayStart), interval: 3600 };
  return undefined;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * S3's catalogue entry.
 *
 * @example
 * ```ts
 * s3Meters.create({ rate: 1 }).next(Date.now());
 * ```
 */
export const s3Meters: ScenarioInfo = {
  id: 's3',
  title: 'Smart-meter energy',
  description:
    'every meter sends a reading every 10 s (energy in Wh and instant power); some readings are RE-SENT identically and must change nothing',
  rollup: energyPerMeter,
  attributes: ['type', 'deviceId', 'ts', 'wh', 'watts', 'interval'],
  exampleGroup: { deviceId: meterId(0) },
  create: createMetersGenerator,
};
