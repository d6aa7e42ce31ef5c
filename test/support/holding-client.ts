// A DynamoDB client of its own that holds its process at one chosen request until the test lets it go, so two
// processes can be raced in the same order every time against DynamoDB Local.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll } from 'vitest';
import { testClients } from './ddb.ts';

/** What {@link holdingClient} returns. */
export interface HoldingClient {
  /** The client: give it to the process to hold. */
  client: DynamoDBClient;
  /** Resolves once the process is held. */
  held: Promise<void>;
  /** Lets the held process go on. */
  release: () => void;
}

/**
 * A client of its own (destroyed after the file's tests) that holds its process at the first command `when` matches
 * (its name, its input, and its output when held after it) until `release`: after the command returned
 * (`hold: 'after'`, the default: its effect is in DynamoDB) or before it is sent (`'before'`: nothing of it is).
 *
 * @example
 * ```ts
 * const b = holdingClient((command) => command === 'BatchGetItemCommand');
 * const run = runBackfill({ ...options, client: b.client });
 * await b.held; // … another process runs meanwhile …
 * b.release();
 * await run;
 * ```
 */
export function holdingClient(
  when: (command: string, input: Record<string, unknown>, output: unknown) => boolean,
  options: { hold?: 'after' | 'before' } = {},
): HoldingClient {
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
  let done = false;
  // true the first time `when` matches: the process is then held until `release`
  const holds = (command: string, input: unknown, output: unknown): boolean => {
    if (done || !when(command, input as Record<string, unknown>, output)) return false;
    done = true;
    reached();
    return true;
  };
  c.ddb.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      if (options.hold === 'before') {
        if (holds(command, args.input, undefined)) await gate;
        return next(args);
      }
      const out = await next(args);
      if (holds(command, args.input, out.output)) await gate;
      return out;
    },
    { step: 'initialize', name: 'holdingClient' },
  );
  return { client: c.ddb, held, release };
}
