import type { Image } from '../decode/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { shownDetail, shownText } from '../strings/shown-value.ts';
import type { CompiledWhere, Where, WhereValue } from './where.ts';

/**
 * Compiles a {@link Where} to a fast check over raw images. Equality filters compare without converting the
 * item (numbers by value: `1` matches `N: '1.0'`).
 *
 * @example
 * ```ts
 * const isOrder = compileWhere({ type: 'order' }, 'measure orders');
 * isOrder({ type: { S: 'order' } }, new LazyItem()); // true
 * ```
 */
export function compileWhere(where: Where, context: string): CompiledWhere {
  if (typeof where === 'function') return (_image, item) => where(item.plain()) === true;
  if (where === null || typeof where !== 'object' || Object.keys(where).length === 0) {
    throw new DynotallyError(
      'DEFINITION_INVALID',
      `${context}: 'where' must be an object of attribute equalities such as { type: 'order' }, or a function (item) => boolean`,
      { details: { context } },
    );
  }
  const checks = Object.entries(where).map(([attr, expected]) => {
    const values = (Array.isArray(expected) ? expected : [expected]) as readonly WhereValue[];
    for (const v of values) {
      if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new DynotallyError(
          'DEFINITION_INVALID',
          `${context}: where.${shownText(attr)} must be a string, number, boolean or null`,
          { details: { context, attribute: shownDetail(attr) } },
        );
      }
    }
    return { attr, values };
  });
  if (checks.length === 1) {
    const only = checks[0]!;
    if (only.values.length === 1 && typeof only.values[0] === 'string') {
      const attr = only.attr;
      const want = only.values[0];
      return (image) => image[attr]?.S === want;
    }
  }
  return (image) => {
    for (const c of checks) if (!c.values.some((v) => matches(image, c.attr, v))) return false;
    return true;
  };
}

function matches(image: Image, attr: string, v: WhereValue): boolean {
  const a = image[attr];
  if (a === undefined) return false;
  if (v === null) return a.NULL === true;
  if (typeof v === 'string') return a.S === v;
  if (typeof v === 'boolean') return a.BOOL === v;
  return a.N !== undefined && Number(a.N) === v;
}
