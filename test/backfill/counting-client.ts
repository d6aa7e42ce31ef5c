import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll } from 'vitest';
import { testClients } from '../support/ddb.ts';

/**
 * A client of its own that counts the commands it sends, by name, into `counts` (only those `counted` keeps, when
 * given); with `holdAfter`, it holds the run after the first command that matches has returned, until `release`
 * (`held` resolves once it is held).
 *
 * @example
 * ```ts
 * const counts = new Map<string, number>();
 * const { client } = countingClient(counts);
 * ```
 */
export function countingClient(
  counts: Map<string, number>,
  holdAfter?: (command: string) => boolean,
  counted?: (input: Record<string, unknown>) => boolean,
): { client: DynamoDBClient; held: Promise<void>; release: () => void } {
  const c = testClients();
  afterAll(() => c.destroy());
  let release = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let reached = () => {};
  const held = new Promise<void>((r) => {
    reached = r;
  });
  let holding = holdAfter !== undefined;
  c.ddb.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '';
      if (counted?.(args.input as Record<string, unknown>) ?? true)
        counts.set(name, (counts.get(name) ?? 0) + 1);
      const out = await next(args);
      if (holding && holdAfter?.(name)) {
        holding = false;
        reached();
        await gate;
      }
      return out;
    },
    { step: 'initialize', name: 'countingClient' },
  );
  return { client: c.ddb, held, release };
}
