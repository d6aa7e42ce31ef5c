// Which step of a backfill (or of the stream side) a DynamoDB request is, from its command and input: the property
// of a backfill under a live stream counts where it killed processes by it, and aims some kills at the writes of a
// segment's progress item (the steps between which a crash leaves a chunk half done).
import type { WaitingRequest } from '../support/request-gate.ts';

/** The tables of a run. */
export interface PhaseTables {
  source: string;
  aggregates: string;
  claims: string;
}

/**
 * The step a request is: `start` (the control item, the table's description), `progress` (reading a segment's
 * progress), `scan`, `journal`, `item` (an item read again), `claim-read`, `claims`, `applying` (the stamp before a
 * chunk's rows), `rows`, `after-rows` (the progress written after them), `slot` (the build's state slots, and a
 * segment's record of the one it took), `end` (the version's end).
 *
 * @example
 * ```ts
 * requestPhase(gate.waiting[0], { source, aggregates, claims }); // 'journal'
 * ```
 */
export function requestPhase(w: Pick<WaitingRequest, 'command' | 'input'>, t: PhaseTables): string {
  const input = w.input;
  const table = tableOf(input);
  if (w.command === 'DescribeTableCommand') return 'start';
  if (table === t.source) return w.command === 'ScanCommand' ? 'scan' : 'item';
  if (table === t.claims) {
    const names = input.ExpressionAttributeNames as Record<string, string> | undefined;
    const update = input.UpdateExpression as string | undefined;
    const key = input.Key as Record<string, { S?: string }> | undefined;
    // the build's state slots (taken, freed) and a segment's record of its slot
    if (key?.pk?.S?.endsWith('#slots') === true || update?.includes('#slot = ') === true) return 'slot';
    if (update !== undefined && names?.['#chunk'] === 'chunk') {
      if (names['#j'] === 'journal') return 'journal';
      return update.includes('REMOVE') ? 'after-rows' : 'applying';
    }
    if (w.command === 'GetItemCommand') return 'progress';
    if (w.command === 'BatchGetItemCommand') return 'claim-read';
    return 'claims';
  }
  if (table === t.aggregates) {
    const key = input.Key as Record<string, { S?: string }> | undefined;
    const values = input.ExpressionAttributeValues as
      | Record<string, { M?: Record<string, unknown> }>
      | undefined;
    if (key?.pk?.S?.startsWith('~ctl#') === true)
      return values?.[':bf']?.M?.endedAt === undefined ? 'start' : 'end';
    return 'rows';
  }
  return 'other';
}

/** The table a request goes to (the first of a batch; a PartiQL statement's table from its text). */
function tableOf(input: Record<string, unknown>): string | undefined {
  if (typeof input.TableName === 'string') return input.TableName;
  const items = input.RequestItems as Record<string, unknown> | undefined;
  if (items !== undefined) return Object.keys(items)[0];
  const statements = input.Statements as Array<{ Statement?: string }> | undefined;
  const text = statements?.[0]?.Statement ?? (input.Statement as string | undefined);
  return text?.match(/"([^"]+)"/)?.[1];
}
