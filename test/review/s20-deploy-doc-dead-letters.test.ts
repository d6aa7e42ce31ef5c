// Fixed (session 20): both examples name the dead-letter table, and createStreamHandler's `deadLetter` now defaults
// to the table in DEAD_LETTER_TABLE when it is set (packages/dynotally/src/handler/dead-letter-env.test.ts).
// Session 20 review (the Lambda path, docs/deploy.md): the construct creates a dead-letter table, grants the
// handler PutItem on it and names it in DEAD_LETTER_TABLE, but `createStreamHandler`'s `deadLetter` defaults to
// 'log'. The stack's first handler passes `deadLetter: { table: process.env.DEAD_LETTER_TABLE! }`; the handler the
// same page gives for rollup versions (`versions: true`, `applier: createVersionedWriteSide(…)`) does not.
// Observed: a user who copies that block deploys a handler whose poison records (VALUE_INVALID, IMAGE_MISSING,
// NUMBER_UNREPRESENTABLE, …) are only written to CloudWatch Logs at error level: the dead-letter table stays
// empty, `dynotally dead-letters list/replay` finds nothing, and once the cause is fixed the records' counts
// cannot be replayed (the stream trims them after 24 h): lost, although the deploy looks complete and the
// construct's table and grant suggest they are kept.
// Expected: every handler deploy.md shows for the construct sends its poison to the construct's dead-letter
// table (the versioned write side returns poison for the handler's sink, createVersionedWriteSide's own TSDoc
// example passes `deadLetter: { table: 'dead-letters' }`).
// Suggested fix: add `deadLetter: { table: process.env.DEAD_LETTER_TABLE! }` to the versions example (and the
// same in backfill.md's handler); or let createStreamHandler default `deadLetter` to DEAD_LETTER_TABLE when that
// variable is set, as it already reads DYNOTALLY_MAX_RECORD_AGE_SECONDS from the construct's environment.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe('s20: the handlers docs/deploy.md gives for the construct', () => {
  it('all send poison records to the dead-letter table the construct creates', () => {
    const text = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');
    const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const handlers = blocks.filter((b) => /export const handler = createStreamHandler\(/.test(b));
    expect(handlers.length).toBeGreaterThanOrEqual(2);
    const withoutDeadLetters = handlers
      .filter((b) => !/deadLetter\s*:/.test(b))
      .map((b) => b.split('\n').slice(0, 3).join(' '));
    expect(withoutDeadLetters, 'handler blocks that leave poison to the log').toEqual([]);
  });
});
