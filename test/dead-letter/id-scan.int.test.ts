// Ids without an id entry (session 44): a letter stored before 0.2.0 has none, so `show`, `replay <id>…` and `drop`
// look for such an id by a scan of the table's keys — and an id of no letter at all costs the same scan. That scan
// is now said (a line on stderr when it starts, naming the ids and `--no-scan`; the items read as it goes on a long
// one; how many it read and found when it ends; the not-found error says it too), and `--no-scan` (the library's
// `scan: false`) skips it: such an id is then not found, at the cost of two reads.
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  dropDeadLetters,
  getDeadLetters,
  type IdScanProgress,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { idEntryKey } from '../../packages/dynotally/src/dead-letter/letter-item.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { runDynotally } from '../support/cli.ts';
import { ddbReady, testClients, uniqueTableName } from '../support/ddb.ts';
import { idOf, probeLetter } from './probe-letter.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
const N = 30;
let dlq: string;
let endpoint: string;
const letters: DeadLetter[] = [];

const store = () => ({ client: clients.ddb, table: dlq });
const cli = (args: string[]) => runDynotally([...args, '--endpoint', endpoint, '--dead-letter-table', dlq]);
const UNKNOWN = '0123456789abcdef';

beforeAll(async () => {
  endpoint = await ddbReady();
  dlq = uniqueTableName('id-scan');
  await createDeadLetterTable(clients.ddb, dlq);
  for (let i = 0; i < N; i++) letters.push(probeLetter(String(5000 + i)));
  await new DynamoDbDeadLetterSink(clients.ddb, dlq).send(letters);
  // two letters as a release before 0.2.0 stored them: no id entry
  for (const l of letters.slice(0, 2))
    await clients.ddb.send(new DeleteItemCommand({ TableName: dlq, Key: idEntryKey(idOf(l)) }));
});
afterAll(() => clients.destroy());

describe('ids without an id entry', () => {
  it('are found by the scan, which is reported as it goes', async () => {
    const heard: IdScanProgress[] = [];
    const legacy = letters[0] as DeadLetter;
    const [found] = await getDeadLetters(store(), [idOf(legacy), idOf(letters[5] as DeadLetter)], {
      onScan: (p) => heard.push(p),
    });
    expect(found?.sequenceNumber).toBe(legacy.sequenceNumber);
    expect(heard[0]).toEqual({ ids: [idOf(legacy)], itemsRead: 0, found: 0, done: false });
    const last = heard.at(-1) as IdScanProgress;
    expect(last.done).toBe(true);
    expect(last.found).toBe(1);
    expect(last.itemsRead).toBeGreaterThan(0);
  });

  it('with scan: false are not found, and nothing is scanned', async () => {
    const heard: IdScanProgress[] = [];
    const legacy = letters[0] as DeadLetter;
    const err = await getDeadLetters(store(), [idOf(legacy)], {
      scan: false,
      onScan: (p) => heard.push(p),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDynotallyError(err, 'DEAD_LETTER_NOT_FOUND')).toBe(true);
    expect((err as Error).message).toContain('the scan for letters stored before 0.2.0 was skipped');
    expect(heard).toEqual([]);
    expect(await dropDeadLetters(store(), [idOf(legacy)], { scan: false })).toEqual([
      { id: idOf(legacy), outcome: 'not-found' },
    ]);
    // still there: found with the scan
    expect((await getDeadLetters(store(), [idOf(legacy)]))[0]?.sequenceNumber).toBe(legacy.sequenceNumber);
  });

  it('an id of no letter says how much of the table its scan read', async () => {
    const err = await getDeadLetters(store(), [UNKNOWN]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDynotallyError(err, 'DEAD_LETTER_NOT_FOUND')).toBe(true);
    // every item of the table: N letters and N - 2 entries
    expect((err as Error).message).toContain(
      `the scan for letters stored before 0.2.0 read ${2 * N - 2} items of the table`,
    );
  });

  it('dynotally dead-letters show says the scan on stderr, and --no-scan skips it', async () => {
    const legacy = letters[1] as DeadLetter;
    const shown = await cli(['dead-letters', 'show', idOf(legacy)]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`sequence    ${legacy.sequenceNumber}`);
    expect(shown.stderr).toContain(
      `dead-letters: 1 id without an id entry (${idOf(legacy)}): a letter stored before 0.2.0 is found only by a scan of the table's keys; scanning (--no-scan skips it)`,
    );
    expect(shown.stderr).toMatch(
      /dead-letters: scanned [\d,]+ items of the table for 1 id without an id entry .*: found 1/,
    );

    const skipped = await cli(['dead-letters', 'show', '--no-scan', idOf(legacy)]);
    expect(skipped.code).toBe(1);
    expect(skipped.stderr).toContain('DEAD_LETTER_NOT_FOUND');
    expect(skipped.stderr).not.toContain('scanning');

    const indexed = await cli(['dead-letters', 'show', idOf(letters[9] as DeadLetter)]);
    expect(indexed.code, indexed.stderr).toBe(0);
    expect(indexed.stderr).toBe(''); // an id with its entry: two reads, nothing said

    const dropped = await cli(['dead-letters', 'drop', '--no-scan', idOf(legacy)]);
    expect(dropped.code).toBe(1);
    expect(dropped.stdout).toMatch(/not-found/);
    expect(dropped.stderr).not.toContain('scanning');
  });
});
