import { DynotallyError } from '../errors/index.ts';
import { shownDetail, shownValue } from '../strings/shown-value.ts';

/** A DynamoDB table name: 3 to 255 of `a-z A-Z 0-9 _ . -`. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
/** A table ARN, which DynamoDB also takes as a table name (a table of another account): at most 1,024 characters. */
const TABLE_ARN = /^arn:[^:\s]+:dynamodb:[^:\s]*:[^:\s]*:table\/[A-Za-z0-9_.-]{3,255}$/;

/**
 * What DynamoDB would refuse in `name` as a table name (3 to 255 of `a-z A-Z 0-9 _ . -`, or a table ARN), or
 * undefined when it is a valid one.
 *
 * @example
 * ```ts
 * tableNameProblem('dead-letters'); // undefined
 * tableNameProblem(''); // 'is empty'
 * ```
 */
export function tableNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'is not a string';
  if (name === '') return 'is empty';
  if (name.startsWith('arn:'))
    return name.length <= 1024 && TABLE_ARN.test(name) ? undefined : 'is not a DynamoDB table ARN';
  if (name.length < 3 || name.length > 255) return `has ${name.length} characters, not 3 to 255`;
  return TABLE_NAME.test(name) ? undefined : 'has characters other than a-z, A-Z, 0-9, _, . and -';
}

/**
 * Throws `CONFIG_INVALID` when `name` (the value of `option`) is not a table name DynamoDB accepts: a table name
 * that is missing (an unset environment variable) or malformed would otherwise be found out by the first write, a
 * dead letter's or a row's, which fails every delivery of its batch.
 *
 * @example
 * ```ts
 * checkTableName(process.env.DEAD_LETTER_TABLE, 'deadLetter.table'); // throws when the variable is unset
 * ```
 */
export function checkTableName(name: unknown, option: string): asserts name is string {
  const problem = tableNameProblem(name);
  if (problem === undefined) return;
  throw new DynotallyError(
    'CONFIG_INVALID',
    `${option} ${problem} (${shownValue(name)}): give the name of a DynamoDB table (3 to 255 of a-z, A-Z, 0-9, _, . and -) or its ARN`,
    { details: { option, value: typeof name === 'string' ? shownDetail(name) : shownValue(name) } },
  );
}
