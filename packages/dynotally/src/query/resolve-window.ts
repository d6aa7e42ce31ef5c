import { DynotallyError } from '../errors/index.ts';
import { shownValue } from '../strings/shown-value.ts';
import {
  type Bucket,
  type GranularitySpec,
  granularityOrder,
  parseDuration,
  parseGranularity,
} from '../time/index.ts';
import { historyRefusalDetails, historyRefusalText, refusedByHistory } from './history-refusal.ts';
import { toEpochMs } from './instant.ts';
import { formatRetention, isRetained, retentionOf, type TimeContext } from './retention.ts';
import type { CalendarUnit, ResolvedWindow, Rounding, WindowSpec } from './window-spec.ts';

const UNITS: ReadonlySet<string> = new Set(['day', 'week', 'month', 'year']);
const LAST_KEYS = { lastDays: 'day', lastWeeks: 'week', lastMonths: 'month', lastYears: 'year' } as const;
const ROUNDINGS: ReadonlySet<string> = new Set(['exact', 'outward', 'inward', 'nearest']);
const MAX_PERIODS = 100_000;
const SHAPES =
  "{ last: '24h' }, { from, to }, { calendar: 'month', offset: -1 }, { lastDays: 30 }, { lastMonths: 3 } or 'all'";

/**
 * Turns a {@link WindowSpec} into the exact interval to read. Pure: the clock is `ctx.now`.
 * `granularities` are those the measures asked for are kept at; rolling windows and `round` use them.
 *
 * @throws {DynotallyError} `QUERY_INVALID` (malformed window, `from` after `to`), `DURATION_INVALID`,
 *   `WINDOW_NOT_SERVABLE` (a rolling window shorter than any usable bucket, or one whose start is past
 *   every granularity's retention).
 * @example
 * ```ts
 * const w = resolveWindow({ last: '24h' }, timeContext(jobs.compiled, Date.now()), jobs.compiled.granularities);
 * w.precision; // 'minute'
 * ```
 */
export function resolveWindow(
  spec: WindowSpec,
  ctx: TimeContext,
  granularities: readonly GranularitySpec[],
): ResolvedWindow {
  if (spec === 'all') {
    return {
      kind: 'all',
      from: Number.NEGATIVE_INFINITY,
      to: Number.POSITIVE_INFINITY,
      rounded: false,
      precision: undefined,
      requested: undefined,
      description: 'all time',
    };
  }
  if (spec === null || typeof spec !== 'object') throw malformed(spec);
  if ('last' in spec) {
    onlyKeys(spec, ['last', 'at']);
    return rolling(spec.last, spec.at, ctx, granularities);
  }
  if ('from' in spec || 'to' in spec) {
    onlyKeys(spec, ['from', 'to', 'round']);
    const s = spec as { from?: unknown; to?: unknown; round?: unknown };
    if (s.from === undefined || s.to === undefined) {
      throw new DynotallyError('QUERY_INVALID', 'an explicit window needs both from and to: { from, to }', {
        details: { window: spec },
      });
    }
    return explicit(s.from as never, s.to as never, (s.round ?? 'exact') as Rounding, ctx, granularities);
  }
  if ('calendar' in spec) {
    onlyKeys(spec, ['calendar', 'offset', 'at']);
    return calendarWindow(spec.calendar, spec.offset ?? 0, spec.at, ctx);
  }
  for (const [key, unit] of Object.entries(LAST_KEYS)) {
    if (key in spec) {
      onlyKeys(spec, [key, 'at']);
      const n = (spec as Record<string, unknown>)[key];
      return lastPeriods(key, unit, n, (spec as { at?: never }).at, ctx);
    }
  }
  throw malformed(spec);
}

/** A key the window's shape does not take (a typo such as `offest`, or a second shape) would be ignored. */
function onlyKeys(spec: object, allowed: readonly string[]): void {
  const extra = Object.entries(spec).filter(([k, v]) => v !== undefined && !allowed.includes(k));
  if (extra.length === 0) return;
  const names = extra.map(([k]) => `'${k}'`).join(', ');
  throw new DynotallyError(
    'QUERY_INVALID',
    `window ${safeJson(spec)} has ${names}, which a { ${allowed.join(', ')} } window does not take: remove ${extra.length === 1 ? 'it' : 'them'} (one window shape per call: ${SHAPES})`,
    { details: { window: spec, extra: extra.map(([k]) => k), allowed } },
  );
}

function malformed(spec: unknown): DynotallyError {
  return new DynotallyError(
    'QUERY_INVALID',
    `window ${safeJson(spec)} is not a window: write one of ${SHAPES}`,
    { details: { window: spec } },
  );
}

function safeJson(v: unknown): string {
  return shownValue(v);
}

function atOf(at: unknown, ctx: TimeContext): number {
  return at === undefined ? ctx.now : toEpochMs(at as never, 'at');
}

/** Finite granularities, fine → coarse. */
function fineFirst(granularities: readonly GranularitySpec[]): GranularitySpec[] {
  return granularities
    .filter((g) => g.kind !== 'all')
    .sort((a, b) => granularityOrder(a) - granularityOrder(b));
}

function roundUp(ctx: TimeContext, g: GranularitySpec, t: number): number {
  const b = ctx.calendar.bucket(g, t);
  return b.start === t ? t : b.end;
}

function roundDown(ctx: TimeContext, g: GranularitySpec, t: number): number {
  return ctx.calendar.bucket(g, t).start;
}

function roundNearest(ctx: TimeContext, g: GranularitySpec, t: number): number {
  const b = ctx.calendar.bucket(g, t);
  return t - b.start <= b.end - t ? b.start : b.end;
}

function rolling(
  last: unknown,
  atArg: unknown,
  ctx: TimeContext,
  granularities: readonly GranularitySpec[],
): ResolvedWindow {
  const duration = parseDuration(last as string);
  const at = atOf(atArg, ctx);
  const grans = fineFirst(granularities);
  let tooShort: GranularitySpec | undefined;
  // granularities kept where the window ends but not where it starts: "no longer kept there" is not their reason
  const cut: GranularitySpec[] = [];
  for (const g of grans) {
    const to = roundUp(ctx, g, at);
    const from = roundNearest(ctx, g, to - duration);
    if (from >= to) {
      // too short for g: that is the reason only where g is still kept (else a coarser kept one is the finest there)
      if (isRetained(ctx, g, ctx.calendar.bucket(g, to - 1))) tooShort ??= g;
      continue;
    }
    if (!isRetained(ctx, g, ctx.calendar.bucket(g, from))) {
      if (isRetained(ctx, g, ctx.calendar.bucket(g, to - 1))) cut.push(g);
      continue;
    }
    const rounded = to !== at || from !== at - duration;
    return {
      kind: 'rolling',
      from,
      to,
      rounded,
      precision: g.id,
      requested: { from: at - duration, to: at },
      description: `last ${String(last)} to the ${g.id}${rounded ? ` (edges rounded to ${g.id} boundaries)` : ''}`,
    };
  }
  if (tooShort !== undefined) {
    // the finer granularities were past their retention where the window ends (else one of them was too short), or
    // kept there but not where it starts (review s41v: those were said to be "no longer kept there")
    const finer = grans.slice(0, grans.indexOf(tooShort));
    const startsBefore = finer.filter((g) => cut.includes(g));
    const expired = finer.filter((g) => !cut.includes(g));
    const listed = (gs: readonly GranularitySpec[]) =>
      `${gs.map((g) => g.id).join(', ')} ${gs.length === 1 ? 'is' : 'are'}`;
    const why = [
      ...(expired.length === 0 ? [] : [`${listed(expired)} no longer kept there`]),
      ...(startsBefore.length === 0
        ? []
        : [
            `${listed(startsBefore)} kept there but not where it starts, ${new Date(at - duration).toISOString()}`,
          ]),
    ].join('; ');
    const where =
      finer.length === 0
        ? 'the finest granularity kept'
        : `the finest granularity kept ${startsBefore.length === 0 ? 'at' : 'over the whole window ending'} ${new Date(at).toISOString()} (${why})`;
    const advice =
      finer.length === 0
        ? ', or add a finer granularity to the rollup'
        : startsBefore.length === 0
          ? ''
          : `, or end it later, where ${startsBefore[0]?.id ?? ''} buckets are kept from its start`;
    throw new DynotallyError(
      'WINDOW_NOT_SERVABLE',
      `a rolling window of ${String(last)} is shorter than half a ${tooShort.id} bucket, ${where}, so it rounds to no bucket at all: ask for at least one ${tooShort.id}${advice}`,
      {
        details: {
          window: last,
          finest: tooShort.id,
          ...(expired.length === 0 ? {} : { expired: expired.map((g) => g.id) }),
          ...(startsBefore.length === 0 ? {} : { startsBeforeKept: startsBefore.map((g) => g.id) }),
        },
      },
    );
  }
  const history = refusedByHistory(ctx, grans, (g) => roundNearest(ctx, g, roundUp(ctx, g, at) - duration));
  if (history !== undefined) {
    throw new DynotallyError(
      'WINDOW_NOT_SERVABLE',
      `a rolling window of ${String(last)} is not servable: its first ${history.granularity.id} bucket ${historyRefusalText(ctx, history)}: start the window later (keeping ${history.granularity.id} longer changes nothing for rows already written)`,
      { details: { window: last, ...historyRefusalDetails(history) } },
    );
  }
  const kept = grans.map((g) => `${g.id} (kept ${formatRetention(retentionOf(ctx, g))})`).join(', ');
  throw new DynotallyError(
    'WINDOW_NOT_SERVABLE',
    `a rolling window of ${String(last)} starts before any granularity that could serve it is still kept (${kept || 'none'}): shorten the window, or keep a granularity longer, e.g. retention: { ${grans[grans.length - 1]?.id ?? 'day'}: 'forever' }`,
    { details: { window: last, granularities: grans.map((g) => g.id) } },
  );
}

function explicit(
  fromArg: never,
  toArg: never,
  round: Rounding,
  ctx: TimeContext,
  granularities: readonly GranularitySpec[],
): ResolvedWindow {
  const from = toEpochMs(fromArg, 'from');
  const to = toEpochMs(toArg, 'to');
  if (!ROUNDINGS.has(round)) {
    throw new DynotallyError(
      'QUERY_INVALID',
      `round ${safeJson(round)} is unknown: use 'exact' (default), 'outward', 'inward' or 'nearest'`,
      { details: { round } },
    );
  }
  if (from >= to) {
    throw new DynotallyError(
      'QUERY_INVALID',
      from === to
        ? `the window [${new Date(from).toISOString()}, ${new Date(to).toISOString()}) is empty: 'to' is exclusive, make it later than 'from'`
        : `'from' (${new Date(from).toISOString()}) is after 'to' (${new Date(to).toISOString()}): swap them; windows are [from, to)`,
      { details: { from, to } },
    );
  }
  if (round === 'exact') {
    return {
      kind: 'explicit',
      from,
      to,
      rounded: false,
      precision: undefined,
      requested: { from, to },
      description: `[${new Date(from).toISOString()}, ${new Date(to).toISOString()})`,
    };
  }
  const grans = fineFirst(granularities);
  const gFrom = grans.find((g) => isRetained(ctx, g, ctx.calendar.bucket(g, from)));
  const gTo = grans.find((g) => isRetained(ctx, g, ctx.calendar.bucket(g, to - 1)));
  if (gFrom === undefined || gTo === undefined) {
    const edge = gFrom === undefined ? 'first' : 'last';
    const history = refusedByHistory(ctx, grans, () => (gFrom === undefined ? from : to - 1));
    if (history !== undefined) {
      throw new DynotallyError(
        'WINDOW_NOT_SERVABLE',
        `the window is not servable: its ${edge} ${history.granularity.id} bucket ${historyRefusalText(ctx, history)}: move the window later (keeping ${history.granularity.id} longer changes nothing for rows already written)`,
        { details: { from, to, ...historyRefusalDetails(history) } },
      );
    }
    throw new DynotallyError(
      'WINDOW_NOT_SERVABLE',
      `the window starts before any granularity of the rollup is still kept (${grans.map((g) => `${g.id} kept ${formatRetention(retentionOf(ctx, g))}`).join(', ')}): move it later, or keep a granularity longer`,
      { details: { from, to } },
    );
  }
  const f =
    round === 'outward'
      ? roundDown(ctx, gFrom, from)
      : round === 'inward'
        ? roundUp(ctx, gFrom, from)
        : roundNearest(ctx, gFrom, from);
  const t =
    round === 'outward'
      ? roundUp(ctx, gTo, to)
      : round === 'inward'
        ? roundDown(ctx, gTo, to)
        : roundNearest(ctx, gTo, to);
  if (f >= t) {
    throw new DynotallyError(
      'WINDOW_NOT_SERVABLE',
      `rounding [${new Date(from).toISOString()}, ${new Date(to).toISOString()}) ${round} to ${gFrom.id}/${gTo.id} boundaries leaves nothing: use round: 'outward'`,
      { details: { from, to, round } },
    );
  }
  const precision = gFrom === gTo ? gFrom.id : `${gFrom.id}/${gTo.id}`;
  return {
    kind: 'explicit',
    from: f,
    to: t,
    rounded: f !== from || t !== to,
    precision,
    requested: { from, to },
    description: `[${new Date(from).toISOString()}, ${new Date(to).toISOString()}) rounded ${round} to ${precision} boundaries`,
  };
}

function unitSpec(unit: unknown, what: string): GranularitySpec {
  if (typeof unit !== 'string' || !UNITS.has(unit)) {
    throw new DynotallyError(
      'QUERY_INVALID',
      `${what} ${safeJson(unit)} is not a calendar unit: use 'day', 'week', 'month' or 'year'`,
      { details: { unit } },
    );
  }
  return parseGranularity(unit);
}

/** The bucket `n` periods from `b` (a calendar jump, not `n` steps: an offset of 100,000 days is one call). */
function step(ctx: TimeContext, g: GranularitySpec, b: Bucket, n: number): Bucket {
  return ctx.calendar.shift(b, n, g);
}

function calendarWindow(unit: unknown, offset: unknown, atArg: unknown, ctx: TimeContext): ResolvedWindow {
  const g = unitSpec(unit, 'calendar');
  if (typeof offset !== 'number' || !Number.isInteger(offset)) {
    throw new DynotallyError(
      'QUERY_INVALID',
      `calendar offset ${safeJson(offset)} must be a whole number: 0 for the current ${String(unit)}, -1 for the previous one`,
      { details: { offset } },
    );
  }
  if (Math.abs(offset) > MAX_PERIODS) {
    throw new DynotallyError(
      'QUERY_INVALID',
      `calendar offset ${offset} is more than ${MAX_PERIODS.toLocaleString('en-US')} periods (${g.id}) away: give an offset from -${MAX_PERIODS} to ${MAX_PERIODS}`,
      { details: { offset, max: MAX_PERIODS } },
    );
  }
  const at = atOf(atArg, ctx);
  const b = step(ctx, g, ctx.calendar.bucket(g, at), offset);
  const which =
    offset === 0 ? `this ${g.id}` : offset === -1 ? `last ${g.id}` : `${g.id} at offset ${offset}`;
  return {
    kind: 'calendar',
    from: b.start,
    to: b.end,
    rounded: false,
    precision: g.id,
    requested: undefined,
    description: `${which} (${b.label}, ${ctx.calendar.zone})`,
  };
}

function lastPeriods(
  key: string,
  unit: CalendarUnit,
  n: unknown,
  atArg: unknown,
  ctx: TimeContext,
): ResolvedWindow {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_PERIODS) {
    throw new DynotallyError(
      'QUERY_INVALID',
      `${key} must be a whole number from 1 to ${MAX_PERIODS}, not ${safeJson(n)}: e.g. { ${key}: 30 }`,
      { details: { [key]: n } },
    );
  }
  const g = parseGranularity(unit);
  const at = atOf(atArg, ctx);
  const end = ctx.calendar.bucket(g, at);
  const start = step(ctx, g, end, -(n - 1));
  return {
    kind: 'calendar',
    from: start.start,
    to: end.end,
    rounded: false,
    precision: g.id,
    requested: undefined,
    description: `the last ${n} ${g.id}${n === 1 ? '' : 's'} including this one (${start.label} … ${end.label}, ${ctx.calendar.zone})`,
  };
}
