import type { CompiledMeasure, CompiledRollup, GroupValue, Rollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import { groupPartitionKey, isNumberText } from '../layout/group-key.ts';
import { checkInputNumber } from '../numbers/index.ts';
import { shownDetail, shownText, shownValue } from '../strings/shown-value.ts';
import { isWellFormedText } from '../strings/well-formed.ts';

/**
 * A rollup as given to the client, or its name.
 *
 * @example
 * ```ts
 * const a: RollupRef = jobsPerCustomer;
 * const b: RollupRef = 'jobs';
 * ```
 */
export type RollupRef = Rollup<unknown> | string;

/**
 * Refuses keys a query argument does not take, so a typo (`limt`, `consistant`) or a key of another shape is an
 * error instead of being ignored; keys left `undefined` pass. `null` or a non-object is left to the caller.
 *
 * @throws {DynotallyError} `QUERY_INVALID` naming the keys and what the argument takes.
 * @example
 * ```ts
 * onlyKeysOf({ bucket: 'month', limt: 3 }, ['measure', 'bucket', 'limit', 'at'], 'a top() spec'); // throws
 * ```
 */
export function onlyKeysOf(value: unknown, allowed: readonly string[], what: string): void {
  if (value === null || typeof value !== 'object') return;
  const extra = Object.keys(value).filter(
    (k) => (value as Record<string, unknown>)[k] !== undefined && !allowed.includes(k),
  );
  if (extra.length === 0) return;
  const names = extra.map((k) => `'${k}'`).join(', ');
  throw new DynotallyError(
    'QUERY_INVALID',
    `${what} has ${names}, which it does not take: it takes ${allowed.map((k) => `'${k}'`).join(', ')}`,
    { details: { extra, allowed } },
  );
}

/**
 * The registered rollup a call names.
 *
 * @throws {DynotallyError} `UNKNOWN_ROLLUP` naming the rollups the client knows.
 * @example
 * ```ts
 * const c = findRollup(registry, 'jobs');
 * ```
 */
export function findRollup(registry: ReadonlyMap<string, CompiledRollup>, ref: RollupRef): CompiledRollup {
  const name = typeof ref === 'string' ? ref : ref !== null && typeof ref === 'object' ? ref.name : undefined;
  const found = name === undefined ? undefined : registry.get(name);
  if (found === undefined) {
    const known = [...registry.keys()].map((n) => `'${n}'`).join(', ') || 'none';
    throw new DynotallyError(
      'UNKNOWN_ROLLUP',
      `the query client has no rollup named ${shownValue(name ?? ref)}: pass it in createQueryClient({ rollups: [...] }) (known: ${known})`,
      {
        details: {
          rollup: name === undefined ? shownValue(ref) : shownDetail(name),
          known: [...registry.keys()],
        },
      },
    );
  }
  return found;
}

/**
 * The measures a call asks for (all by default), in definition order.
 *
 * @throws {DynotallyError} `UNKNOWN_MEASURE` naming the rollup's measures; `QUERY_INVALID` for an empty list.
 * @example
 * ```ts
 * selectMeasures(c, ['orders']).map((m) => m.storeAs); // ['orders']
 * ```
 */
export function selectMeasures(c: CompiledRollup, names: readonly string[] | undefined): CompiledMeasure[] {
  if (names === undefined) return [...c.measures];
  if (!Array.isArray(names) || names.length === 0) {
    throw new DynotallyError(
      'QUERY_INVALID',
      `measures must be a non-empty list of measure names of rollup '${c.name}' (${c.measures.map((m) => m.name).join(', ')}), or left out for all of them`,
      { details: { rollup: c.name, measures: shownDetail(names) } },
    );
  }
  return names.map((n) => findMeasure(c, n));
}

/**
 * One measure by name.
 *
 * @throws {DynotallyError} `UNKNOWN_MEASURE` naming the rollup's measures.
 * @example
 * ```ts
 * findMeasure(c, 'orders').kind; // 'count'
 * ```
 */
export function findMeasure(c: CompiledRollup, name: unknown): CompiledMeasure {
  const m = c.measures.find((x) => x.name === name);
  if (m === undefined) {
    throw new DynotallyError(
      'UNKNOWN_MEASURE',
      `rollup '${c.name}' has no measure ${shownValue(name)}: use one of ${c.measures.map((x) => `'${x.name}'`).join(', ')}`,
      { details: { rollup: c.name, measure: shownDetail(name), known: c.measures.map((x) => x.name) } },
    );
  }
  return m;
}

function isGroupValue(v: unknown): v is GroupValue {
  return (
    (typeof v === 'string' && isWellFormedText(v)) ||
    typeof v === 'boolean' ||
    typeof v === 'bigint' ||
    (typeof v === 'number' && Number.isFinite(v) && !(Number.isInteger(v) && !Number.isSafeInteger(v))) ||
    (isNumberText(v) && isStorableNumber(v.N))
  );
}

/** The text of a `{ N }` group value DynamoDB would not store (no record has it: the fold refuses it), or undefined. */
function unstorableNumber(v: unknown): string | undefined {
  return isNumberText(v) && !isStorableNumber(v.N) ? v.N : undefined;
}

/**
 * The text of a plain number or bigint group value that no item attribute holds (DynamoDB would not store it: over 38
 * significant digits, or its magnitude out of range), for a rollup grouped by attributes; else undefined. Its group
 * is never written, so the query reads 0 for it, where the same value as `{ N }` is refused: it is refused alike
 * (review s42q). A groupBy function's number is keyed by its exact value, whatever its size (the fold writes a group
 * for `1e-200` or a 39-digit bigint), so for a function rollup it is a group like any other.
 */
function unheldNumber(c: CompiledRollup, v: unknown): string | undefined {
  if (c.groupFn !== undefined) return undefined;
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isFinite(v) && !Number.isSafeInteger(v))) {
    // an integer double beyond 2^53 is refused below, as inexact; a safe integer always fits
    if (typeof v === 'number' && Number.isInteger(v)) return undefined;
    const text = String(v);
    return isStorableNumber(text) ? undefined : text;
  }
  return undefined;
}

/** True when DynamoDB would store the text as a number (the fold dead-letters any other `N`). */
function isStorableNumber(text: string): boolean {
  try {
    checkInputNumber(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The group's values in key order and its partition key.
 *
 * @throws {DynotallyError} `GROUP_INVALID` when an attribute of the rollup's groupBy (or a name its groupBy
 *   function declares) is missing, extra, or not a string, finite number or boolean, or when the partition key
 *   would pass DynamoDB's 2,048 bytes.
 * @example
 * ```ts
 * groupKey(jobs.compiled, { customerId: 'c-1' }); // { values: ['c-1'], pk: 'jobs#sc-1' }
 * // groupBy: { names: ['storeId'], fn }: a group with other names is refused
 * groupKey(stores.compiled, { userId: 's-1' }); // throws GROUP_INVALID: … not its groupBy function's declared names 'storeId'
 * ```
 */
export function groupKey(c: CompiledRollup, group: unknown): { values: GroupValue[]; pk: string } {
  // the groupBy attributes, or a groupBy function's declared names (sorted: its key order)
  const attrs = c.groupNames;
  const example =
    attrs === undefined
      ? '{ ...the object your groupBy function returns }'
      : `{ ${attrs.map((a) => `${a}: 'x'`).join(', ')} }`;
  if (group === null || typeof group !== 'object' || Array.isArray(group)) {
    throw new DynotallyError(
      'GROUP_INVALID',
      `the group for rollup '${c.name}' must be an object such as ${example}, not ${shownValue(group)}`,
      { details: { rollup: c.name, group: shownDetail(group) } },
    );
  }
  const g = group as Record<string, unknown>;
  if (c.groupFn !== undefined && attrs !== undefined) checkDeclaredNames(c, attrs, g, example);
  const names = attrs ?? Object.keys(g).sort();
  if (names.length === 0) {
    throw new DynotallyError('GROUP_INVALID', `the group for rollup '${c.name}' is empty: give ${example}`, {
      details: { rollup: c.name },
    });
  }
  for (const a of names) {
    const unheld = unheldNumber(c, g[a]);
    if (unheld !== undefined) {
      throw new DynotallyError(
        'GROUP_INVALID',
        `group attribute '${shownText(a)}' of rollup '${c.name}' is ${shownText(unheld)}, not a number DynamoDB stores (at most 38 significant digits, magnitude 1e-130 to below 1e126, or 0): no item's '${shownText(a)}' holds it, so no record is counted under it (as { N: ${shownValue(unheld)} } is refused)`,
        {
          details: {
            rollup: c.name,
            attribute: shownDetail(a),
            value: shownDetail(unheld),
            groupBy: shownDetail(names),
          },
        },
      );
    }
    if (!isGroupValue(g[a])) {
      const unstorable = unstorableNumber(g[a]);
      throw new DynotallyError(
        'GROUP_INVALID',
        g[a] === undefined
          ? `the group for rollup '${c.name}' is missing '${shownText(a)}': give every groupBy attribute, e.g. ${example}`
          : typeof g[a] === 'string'
            ? `group attribute '${shownText(a)}' of rollup '${c.name}' is ${shownValue(g[a])}, which has a lone surrogate (half of a character): DynamoDB stores strings as UTF-8, which cannot hold it, so no group is stored under it (a groupBy function returning one is dead-lettered as VALUE_INVALID)`
            : unstorable !== undefined
              ? `group attribute '${shownText(a)}' of rollup '${c.name}' is { N: ${shownValue(unstorable)} }, not a number DynamoDB stores (at most 38 significant digits, magnitude 1e-130 to below 1e126, or 0): no record is counted under it (an item's number attribute never holds one; a groupBy function returning it is dead-lettered as VALUE_INVALID)`
              : typeof g[a] === 'number' && Number.isFinite(g[a])
                ? `group attribute '${shownText(a)}' of rollup '${c.name}' is ${String(g[a])}, an integer beyond 2^53 that a JavaScript number cannot hold exactly (it may name another group): give it as a bigint, e.g. ${shownText(a)}: 1234567890123456789n`
                : `group attribute '${shownText(a)}' of rollup '${c.name}' is ${shown(g[a])}: give a string, a finite number, a bigint, a boolean, or a number's exact text as { N: '…' }`,
        { details: { rollup: c.name, attribute: shownDetail(a), groupBy: shownDetail(names) } },
      );
    }
  }
  if (attrs !== undefined) {
    const extra = Object.keys(g).filter((k) => !attrs.includes(k));
    if (extra.length > 0) {
      throw new DynotallyError(
        'GROUP_INVALID',
        `group attribute${extra.length === 1 ? '' : 's'} ${shownText(extra.map((e) => `'${e}'`).join(', '))} ${extra.length === 1 ? 'is' : 'are'} not in rollup '${c.name}''s groupBy (${attrs.join(', ')}): remove ${extra.length === 1 ? 'it' : 'them'}`,
        { details: { rollup: c.name, extra: shownDetail(extra), groupBy: attrs } },
      );
    }
  }
  const values = names.map((a) => g[a] as GroupValue);
  const pk = groupPartitionKey(c.name, values);
  // DynamoDB rejects a longer key in any read; no such group is ever stored (its records are KEY_TOO_LARGE)
  const bytes = Buffer.byteLength(pk, 'utf8');
  if (bytes > DYNAMO_LIMITS.partitionKeyBytes) {
    throw new DynotallyError(
      'GROUP_INVALID',
      `the group's partition key for rollup '${c.name}' would be ${bytes} bytes, over DynamoDB's ${DYNAMO_LIMITS.partitionKeyBytes}: no such group can be stored (its records are dead-lettered as KEY_TOO_LARGE); check the group values`,
      { details: { rollup: c.name, bytes, limit: DYNAMO_LIMITS.partitionKeyBytes } },
    );
  }
  return { values, pk };
}

/**
 * A group of a groupBy function with declared names must have exactly those names: its key holds the values only,
 * so `{ userId: 's-1' }` would name the row of `{ storeId: 's-1' }`.
 */
function checkDeclaredNames(
  c: CompiledRollup,
  declared: readonly string[],
  g: Record<string, unknown>,
  example: string,
): void {
  const given = Object.keys(g);
  const missing = declared.filter((n) => !given.includes(n));
  const extra = given.filter((k) => !declared.includes(k));
  if (missing.length === 0 && extra.length === 0) return;
  const list = (ns: readonly string[]) => shownText(ns.map((n) => `'${n}'`).join(', ')) || 'no attribute';
  throw new DynotallyError(
    'GROUP_INVALID',
    `the group for rollup '${c.name}' names ${list([...given].sort())}, not its groupBy function's declared names ${list(declared)}: give ${example}`,
    { details: { rollup: c.name, groupBy: declared, missing, extra: shownDetail(extra) } },
  );
}

function shown(v: unknown): string {
  return typeof v === 'object' && v !== null ? shownValue(v) : String(v);
}
