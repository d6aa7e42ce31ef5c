import type { AttributeValue } from 'aws-lambda';
import { DynotallyError } from '../errors/index.ts';
import { type Num, parseNum } from '../numbers/index.ts';
import type { Image } from './change.ts';

/** A scalar read from an image: strings, exact numbers, booleans, null. */
export type Scalar = string | Num | boolean | null;

/**
 * Reads a top-level scalar attribute; `undefined` when absent. Sets, lists and maps throw VALUE_INVALID.
 *
 * @example
 * ```ts
 * readScalar({ n: { N: '5' } }, 'n'); // 5
 * ```
 */
export function readScalar(image: Image, name: string): Scalar | undefined {
  const v = image[name];
  if (v === undefined) return undefined;
  return scalarOf(v, name);
}

/**
 * Converts one attribute value to a {@link Scalar}.
 *
 * @example
 * ```ts
 * scalarOf({ S: 'x' }, 'a'); // 'x'
 * ```
 */
export function scalarOf(v: AttributeValue, name: string): Scalar {
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return parseNum(v.N);
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL !== undefined) return null;
  throw new DynotallyError('VALUE_INVALID', `attribute '${name}' is not a scalar (string, number, boolean)`, {
    details: { attribute: name, type: Object.keys(v)[0] },
  });
}

/**
 * Reads a number attribute exactly; `undefined` when absent; VALUE_INVALID when present but not a number.
 *
 * @example
 * ```ts
 * readNumber({ kwh: { N: '0.25' } }, 'kwh')?.toString(); // '0.25'
 * ```
 */
export function readNumber(image: Image, name: string): Num | undefined {
  const v = image[name];
  if (v === undefined || v.NULL !== undefined) return undefined;
  if (v.N === undefined) {
    throw new DynotallyError(
      'VALUE_INVALID',
      `attribute '${name}' must be a number to be summed, minimised or maximised`,
      {
        details: { attribute: name, type: Object.keys(v)[0] },
      },
    );
  }
  return parseNum(v.N);
}
