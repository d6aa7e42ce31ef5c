// Review s18 (functionsVersion): fingerprint.ts says a named function counts as `{ fnVersion: <name> }`, "a key of
// its own, so no source text can spell the same". But `match` and a measure's `where` may also be an object
// (attribute equality), and `describer` passes an object through as it is: the filter `{ fnVersion: 'v1' }` (items
// whose attribute `fnVersion` is 'v1') is described exactly as any function under `functionsVersion: 'v1'`. Two
// definitions that store different rows then get one fingerprint, i.e. one version: deploying one after the other
// (or a Lambda with one and the CLI with the other) writes both into the same rows, and `dynotally query` accepts
// either as the serving definition. The same held before today for `{ fn: '<source text>' }` against a function
// without functionsVersion.
// Observed: equal fingerprints for `match: (i) => i.type === 'order'` and `match: { fnVersion: 'v1' }` (both with a
// measure filter function and functionsVersion 'v1'); likewise `match: { fn: <the function's text> }` against the
// function itself.
// Expected: definitions that store different rows have different fingerprints.
// Fixed (session 19): a filter object whose only attribute is `fn` or `fnVersion` counts as `{ eq: object }`
// (definition/fingerprint.ts), so every other definition keeps its fingerprint; this was the review's it.fails.
// Suggested fix: describe a function with a key a filter object can never hold — e.g. refuse the empty attribute
// name in a `where` object (DynamoDB has no such attribute) and describe functions as `{ '': 'fn', fnVersion }` /
// `{ '': 'fn', fn: text }` — or tag objects (`{ eq: {...} }`) in a new fingerprint scheme, pinning the old one for
// definitions without the ambiguity.
import { describe, expect, it } from 'vitest';
import { count, defineRollup, type Granularity } from '../../packages/dynotally/src/index.ts';

type Item = Record<string, unknown>;
const isOrder = (item: Item) => item.type === 'order';
const big = (item: Item) => Number(item.amount) > 10;

const define = (match: unknown, functionsVersion?: string) =>
  defineRollup({
    name: 'orders',
    match: match as (item: Item) => boolean,
    ...(functionsVersion === undefined ? {} : { functionsVersion }),
    groupBy: 'storeId',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['day'] as Granularity[],
    measures: { n: count(), big: count({ where: big }) },
  }).compiled.fingerprint;

describe('fingerprints of a filter function and a filter object', () => {
  it('differ when the object is { fnVersion: <the functionsVersion> }', () => {
    // different rows: one counts orders, the other items whose fnVersion attribute is 'v1'
    expect(define({ fnVersion: 'v1' }, 'v1')).not.toBe(define(isOrder, 'v1'));
  });

  it('differ when the object is { fn: <the function source> } (no functionsVersion)', () => {
    expect(define({ fn: isOrder.toString() })).not.toBe(define(isOrder));
  });
});
