import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** A DynamoDB item in the low-level AWS SDK v3 shape. */
export type Item = Record<string, AttributeValue>;

const encoder = new TextEncoder();

/**
 * UTF-8 length of a string, in bytes.
 *
 * @example
 * ```ts
 * utf8Length('ñ'); // 2
 * ```
 */
export function utf8Length(text: string): number {
  // Fast path: pure ASCII strings are one byte per UTF-16 unit.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  return /^[\x00-\x7f]*$/.test(text) ? text.length : encoder.encode(text).length;
}

/**
 * Stored size of a DynamoDB number in bytes. AWS documents it as "1 byte per two significant
 * digits, plus 1 byte"; the exact rule (measured against DynamoDB's `ConsumedCapacity` at the
 * 1 KB boundary) stores base-100 digit pairs aligned on the decimal point, so `1.5` is the two
 * pairs `01.50`, and a negative number takes one more byte (unless it fills all 20 pairs). Zero
 * pairs at either end are dropped.
 *
 * @example
 * ```ts
 * numberSize('2099'); // 3: pairs 20 99, plus 1
 * numberSize('1.5'); // 3: pairs 01 . 50, plus 1
 * numberSize('-1'); // 3: pair 01, plus 1, plus 1 for the sign
 * ```
 */
export function numberSize(n: string): number {
  const text = n.trim();
  const negative = text.startsWith('-');
  const [mantissa = '', exponentText] = text.replace(/^[+-]/, '').split(/[eE]/);
  const exponent = exponentText === undefined ? 0 : Number.parseInt(exponentText, 10);
  const dot = mantissa.indexOf('.');
  let digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  // Position of the decimal point within `digits`, after applying the exponent.
  let point = (dot < 0 ? mantissa.length : dot) + exponent;
  const lead = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(lead).replace(/0+$/, '');
  point -= lead;
  if (digits.length === 0) return 1; // zero
  // Align on base-100 pairs: an odd number of digits before the point gets a leading zero.
  const leftPad = ((point % 2) + 2) % 2;
  const pairs = Math.ceil((leftPad + digits.length) / 2);
  // Negative numbers carry a terminator byte, except at the full 20 pairs (38+ digits).
  return pairs + 1 + (negative && pairs < 20 ? 1 : 0);
}

function binaryLength(value: Uint8Array | string): number {
  // Lambda-shaped images carry binary as base64 strings; the raw byte length counts.
  return typeof value === 'string' ? Buffer.from(value, 'base64').length : value.byteLength;
}

/**
 * Size in bytes of one attribute value (without its name), by AWS's published rules:
 * strings and binaries their byte length, numbers {@link numberSize}, booleans and null 1,
 * sets the sum of their elements, lists and maps 3 bytes plus 1 byte and the size of each
 * element (map keys count as names).
 *
 * @example
 * ```ts
 * attributeValueSize({ L: [{ S: 'ab' }, { N: '7' }] }); // 3 + (1 + 2) + (1 + 2) = 9
 * ```
 */
export function attributeValueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8Length(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return binaryLength(value.B);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8Length(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + binaryLength(b), 0);
  if (value.L !== undefined) return value.L.reduce((sum, v) => sum + 1 + attributeValueSize(v), 3);
  if (value.M !== undefined) {
    let size = 3;
    for (const [name, v] of Object.entries(value.M)) size += 1 + utf8Length(name) + attributeValueSize(v);
    return size;
  }
  return 0;
}

/**
 * Size in bytes of a DynamoDB item as DynamoDB bills it: for every attribute, the UTF-8 length
 * of its name plus {@link attributeValueSize} of its value.
 *
 * @example
 * ```ts
 * // AWS's example: "shirt-color" = "R" and "shirt-size" = "M" is 23 bytes.
 * itemSizeBytes({ 'shirt-color': { S: 'R' }, 'shirt-size': { S: 'M' } }); // 23
 * ```
 */
export function itemSizeBytes(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += utf8Length(name) + attributeValueSize(value);
  return size;
}
