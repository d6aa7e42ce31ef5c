// `last` on a tie of event times keeps the value that ranks higher, in one order everywhere: the fold's in-memory
// choice (a batch, a query, `verify`) and the stored row's conditional write must agree, or the stored value depends
// on how the stream cut its batches.
// 1. Strings: DynamoDB compares them by their UTF-8 bytes (code point order), so its condition keeps '😀' (U+1F600)
//    over 'Ａ' (U+FF21); JavaScript's `<` compares UTF-16 code units, where the emoji's high surrogate (0xD83D) is below
//    0xFF21. A batch that held both kept 'Ａ', two batches '😀' (noticed in review s37q; fixed in compareScalar).
// 2. Booleans and two types: DynamoDB has no `<` for booleans, and `<` between two types is false, so the store's
//    condition broke no such tie (the first stored value stayed), while the fold ranked true over false and booleans <
//    numbers < strings. The condition now ranks them the same way (plan/last-tie.ts).
// Every case failed on both write APIs before its fix (4 of the string cases, 4 of the others: two batches, the
// higher-ranked value second).
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import { testClients } from '../support/ddb.ts';
import { type LastValue, lastAfter } from './last-after.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const FULLWIDTH_A: LastValue = { S: '\uFF21' };
const EMOJI: LastValue = { S: '\u{1F600}' };
const TRUE: LastValue = { BOOL: true };
const FALSE: LastValue = { BOOL: false };
const FIVE: LastValue = { N: '5' };
const WORD: LastValue = { S: 'a' };

describe.each<WriteApi>(['partiql', 'update-item'])('last on a tie of event times (%s)', (api) => {
  it.each<[string, LastValue[][], string]>([
    ['strings in code point order, one batch, emoji first', [[EMOJI, FULLWIDTH_A]], '\u{1F600}'],
    ['strings in code point order, one batch, emoji second', [[FULLWIDTH_A, EMOJI]], '\u{1F600}'],
    ['strings in code point order, two batches, emoji first', [[EMOJI], [FULLWIDTH_A]], '\u{1F600}'],
    ['strings in code point order, two batches, emoji second', [[FULLWIDTH_A], [EMOJI]], '\u{1F600}'],
    ['booleans, one batch', [[TRUE, FALSE]], 'true'],
    ['booleans, two batches, true first', [[TRUE], [FALSE]], 'true'],
    ['booleans, two batches, true second', [[FALSE], [TRUE]], 'true'],
    ['a number and a string, one batch', [[WORD, FIVE]], 'a'],
    ['a number and a string, two batches, the string first', [[WORD], [FIVE]], 'a'],
    ['a number and a string, two batches, the string second', [[FIVE], [WORD]], 'a'],
    ['a boolean and a number, two batches, the number second', [[TRUE], [FIVE]], '5'],
    ['a boolean and a string, two batches, the string second', [[FALSE], [WORD]], 'a'],
  ])('keeps the same value however the values are batched: %s', async (_, batches, want) => {
    expect((await lastAfter(clients.ddb, api, batches)).value).toBe(want);
  });
});
