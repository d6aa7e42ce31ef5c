// Fixed (session 39, helper s39h): the paragraph says a returned failure never counts in `Errors`, names the handler's
// log line a retried batch leaves, and keeps disabling the mapping as the safer way.
// Review s39h (docs/deploy.md, "Switching `mode` on a running stack"). Severity: low (a double count, only when the
// advice is followed during a run of failing batches).
// The page says a mode switch is safe only while no batch is being retried, and to deploy it "when the function's
// `Errors` metric has been zero for a few minutes and `IteratorAge` is low". Under the construct the handler gets
// DYNOTALLY_REPORT_BATCH_ITEM_FAILURES=true and returns a failed batch as `batchItemFailures` instead of throwing it
// (create-stream-handler.ts): the invocation succeeds, so a batch that keeps failing (throttling, a missing
// permission) never shows in `Errors`, and an iterator age of a few seconds is "low" while it is retried. An
// operator who reads a zero `Errors` as "nothing is being retried" switches the mode under a half-applied batch,
// which the new code counts again in the rows its first attempt reached.
// Expected: the page says that under the construct a retried batch shows as the handler's error log line
// ("batch failed; it will be retried from its first record"), not in `Errors`, and keeps the safe way (disable the
// mapping, wait, deploy, enable).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe("s39h: deploy.md's advice for switching mode", () => {
  it('does not take a zero Errors metric for "no batch is being retried" under the construct', () => {
    const text = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');
    const start = text.indexOf('Switching `mode` on a running stack');
    expect(start).toBeGreaterThan(0);
    const paragraph = text.slice(start, text.indexOf('\n\n', start));
    expect(paragraph).toContain('batch failed; it will be retried from its first record');
    expect(paragraph).toMatch(/disable the event source\s+mapping/);
  });
});
