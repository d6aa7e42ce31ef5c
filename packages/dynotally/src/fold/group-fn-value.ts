import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { isNumberText } from '../layout/group-key.ts';

/**
 * Checks one value a groupBy function returned: a string, a number, a bigint, a boolean or a number's text as
 * `{ N }` (what a query takes; whether a number or string can be stored is `encodeGroupValue`'s check). Anything
 * else (null, undefined, a Date, an object, even one with a `toFixed` such as a decimal library's number) is
 * `VALUE_INVALID`, so the record is dead-lettered instead of keyed by whatever the object prints.
 *
 * @throws {DynotallyError} `VALUE_INVALID` naming the rollup, the attribute and what it held.
 * @example
 * ```ts
 * checkGroupFnValue(rollup.compiled, 'storeId', 's-1'); // fine
 * checkGroupFnValue(rollup.compiled, 'storeId', null); // throws VALUE_INVALID
 * ```
 */
export function checkGroupFnValue(c: CompiledRollup, attribute: string, v: unknown): void {
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'bigint' || t === 'boolean' || isNumberText(v)) return;
  throw new DynotallyError(
    'VALUE_INVALID',
    `rollup '${c.name}': its groupBy function returned '${attribute}' as ${kindOf(v)}: return a string, a finite number, a bigint, a boolean or a number's exact text as { N: '…' } (or undefined for the whole group, to skip the item)`,
    { details: { rollup: c.name, attribute } },
  );
}

/**
 * Checks the attribute names of a group a groupBy function with declared names returned (`groupBy: { names, fn }`):
 * exactly the declared ones. A group's key holds its values only, so a group with other names would be counted in
 * the rows of the group with the same values (`{ userId: 's-1' }` in `{ storeId: 's-1' }`'s): its record is
 * `VALUE_INVALID` instead (dead-lettered, nothing counted).
 *
 * @param returned the names the function returned, sorted.
 * @param declared the declared names, sorted (`CompiledRollup.groupNames`).
 * @throws {DynotallyError} `VALUE_INVALID` naming the rollup, the names returned (the first 8, each cut to 100
 *   characters, and how many in all: `details.returnedCount`) and the names declared.
 * @example
 * ```ts
 * checkGroupFnNames(rollup.compiled, ['storeId'], ['storeId']); // fine
 * checkGroupFnNames(rollup.compiled, ['userId'], ['storeId']); // throws VALUE_INVALID
 * ```
 */
export function checkGroupFnNames(
  c: CompiledRollup,
  returned: readonly string[],
  declared: readonly string[],
): void {
  if (returned.length === declared.length && returned.every((n, i) => n === declared[i])) return;
  // the message goes into the record's dead letter: a function spreading an item into its group returns all of its
  // names, so at most LISTED_NAMES are listed, each cut to NAME_CHARS, and the count (review s41b)
  const shown = returned.slice(0, LISTED_NAMES).map((n) => cutName(n));
  const more =
    returned.length > LISTED_NAMES
      ? ` … and ${(returned.length - LISTED_NAMES).toLocaleString('en-US')} more (${returned.length.toLocaleString('en-US')} in all)`
      : '';
  const list = (ns: readonly string[]) => ns.map((n) => `'${n}'`).join(', ');
  throw new DynotallyError(
    'VALUE_INVALID',
    `rollup '${c.name}': its groupBy function returned a group named ${list(shown)}${more}, not the declared names ${list(declared)}: return exactly the declared names (or undefined, to skip the item), or declare the names it returns in a new version`,
    {
      details: {
        rollup: c.name,
        returned: shown,
        ...(more === '' ? {} : { returnedCount: returned.length }),
        declared: [...declared],
      },
    },
  );
}

/** Names a declared-names refusal lists at most, and the characters of each. */
const LISTED_NAMES = 8;
const NAME_CHARS = 100;

function cutName(n: string): string {
  return n.length <= NAME_CHARS ? n : `${[...n].slice(0, NAME_CHARS).join('')}…`;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (v instanceof Date) return 'a Date';
  if (Array.isArray(v)) return 'an array';
  const t = typeof v;
  return t === 'object' ? 'an object' : `a ${t}`;
}
