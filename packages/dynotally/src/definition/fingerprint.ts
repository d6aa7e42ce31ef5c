import { createHash } from 'node:crypto';
import type { CompiledRowKind } from './compiled.ts';
import type { MeasureDef } from './measures.ts';
import type { GroupBySpec, RollupConfig } from './types.ts';

/**
 * A stable digest (16 hex digits of SHA-256) of everything in a rollup definition that changes what is stored:
 * group-by, `match`, the time attribute and its format, the zone, the granularities, every measure (kind,
 * attribute, stored name, filter, granularities), TTL-delete policy, leaderboard and the row layout. Order of
 * list entries that do not change storage (granularities, measures) does not matter; retention does not count
 * (it only sets row TTLs). A filter or group-by given as a function counts by its source text, so editing the
 * function makes a new version, unless the definition names its functions' behaviour with `functionsVersion`:
 * then that name counts instead of every function's text; a groupBy function's declared `names` count as well
 * (sorted). Two definitions with the same fingerprint store the
 * same rows.
 *
 * @example
 * ```ts
 * const a = defineRollup({ name: 'jobs', groupBy: 'customerId', granularities: ['hour'], measures: { jobs: count() } });
 * const b = defineRollup({ name: 'jobs', groupBy: 'customerId', granularities: ['hour', 'day'], measures: { jobs: count() } });
 * a.compiled.fingerprint !== b.compiled.fingerprint; // true: b stores days too
 * ```
 */
export function rollupFingerprint(
  config: RollupConfig<GroupBySpec, Readonly<Record<string, MeasureDef>>>,
  resolved: {
    readonly timeZone: string;
    readonly time: { readonly attribute: string; readonly format: string } | undefined;
    readonly granularityIds: readonly string[];
    readonly rows: readonly CompiledRowKind[];
    readonly ttlDeletes: string;
  },
): string {
  const lb = config.leaderboard;
  const describe = describer(config.functionsVersion);
  const described = {
    groupBy: describeGroupBy(config.groupBy, describe),
    match: describe(config.match),
    time: resolved.time ?? null,
    zone: resolved.timeZone,
    granularities: [...resolved.granularityIds].sort(),
    measures: Object.entries(config.measures)
      .map(([name, def]) => ({
        name,
        kind: def.kind,
        attribute: def.attribute ?? null,
        storeAs: def.options.storeAs ?? name,
        where: describe(def.options.where),
        granularities: def.options.granularities === undefined ? null : [...def.options.granularities].sort(),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
    ttlDeletes: resolved.ttlDeletes,
    leaderboard:
      lb === undefined
        ? null
        : { measure: lb.measure, granularities: [...lb.granularities].sort(), shards: lb.shards ?? 1 },
    layout: resolved.rows.map((r) => ({
      row: r.row.id,
      holds: r.placements.map((p) => `${p.granularity.id}:${p.own ? 'own' : (p.sub ?? '')}`),
    })),
  };
  return createHash('sha256').update(canonicalJson(described)).digest('hex').slice(0, 16);
}

/**
 * How an option that may be a function counts: a function by its source text, or by the definition's
 * `functionsVersion` when it has one (`{ fn: text }` or `{ fnVersion: name }`). A filter object counts as it is,
 * except one whose only attribute is `fn` or `fnVersion`, which would describe like a function: it counts as
 * `{ eq: object }`, which nothing else spells (a filter object's values are scalars or lists of them, never an
 * object). So every other definition keeps the fingerprint it had.
 */
function describer(functionsVersion: string | undefined): (v: unknown) => unknown {
  return (v) => {
    if (v === undefined) return null;
    if (typeof v === 'function')
      return functionsVersion === undefined ? { fn: v.toString() } : { fnVersion: functionsVersion };
    return spellsLikeAFunction(v) ? { eq: v } : v;
  };
}

/**
 * A groupBy as it counts: a name or a list as they are, a function as `describe` counts it, and a function with
 * declared names as `{ names: sorted, fn: described }` (no other groupBy is an object). The names count: two
 * definitions with the same function and other names store different rows (each refuses the groups the other
 * counts, and a function returning both shapes would fold `{ userId: 's-1' }` into the rows `{ storeId: 's-1' }`
 * left), so declaring the names of a deployed plain function makes a new version too.
 */
function describeGroupBy(gb: unknown, describe: (v: unknown) => unknown): unknown {
  if (gb === null || typeof gb !== 'object' || Array.isArray(gb)) return describe(gb);
  const d = gb as { readonly names?: readonly string[]; readonly fn?: unknown };
  return { names: [...(d.names ?? [])].sort(), fn: describe(d.fn) };
}

/** An object of one key, `fn` or `fnVersion`: the shape a function is described as. */
function spellsLikeAFunction(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'fn' || keys[0] === 'fnVersion');
}

/** JSON with object keys sorted at every level, so equal values always give equal text. */
function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}
