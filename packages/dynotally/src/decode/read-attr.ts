import type { AttributeValue } from 'aws-lambda';
import { DynotallyError } from '../errors/index.ts';
import { type Num, parseInputNumber } from '../numbers/index.ts';
import { attributeType } from './attribute-shape.ts';
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
  const type = attributeType(v, name, 0, false); // the exact shape: { S: 5 } must never pass for the number 5
  if (type === 'S') return v.S as string;
  if (type === 'N') return parseInputNumber(v.N as string, name);
  if (type === 'BOOL') return v.BOOL as boolean;
  if (type === 'NULL') return null;
  throw new DynotallyError('VALUE_INVALID', `attribute '${name}' is not a scalar (string, number, boolean)`, {
    details: { attribute: name, type },
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
  if (v === undefined) return undefined;
  const type = attributeType(v, name, 0, false);
  if (type === 'NULL') return undefined;
  if (type !== 'N') {
    throw new DynotallyError(
      'VALUE_INVALID',
      `attribute '${name}' must be a number to be summed, minimised or maximised`,
      {
        details: { attribute: name, type },
      },
    );
  }
  return parseInputNumber(v.N as string, name);
}
