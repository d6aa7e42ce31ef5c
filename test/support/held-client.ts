// A DynamoDB client whose requests pass a hook first, so a test can hold one process's chosen request until
// another process got somewhere: a race run for real against DynamoDB Local, in the same order every time.
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';

/**
 * `client` (a DynamoDB or a DynamoDB Streams client), with every `send` awaiting `hook(command)` before the request
 * goes out (the requests themselves are the client's own: DynamoDB decides every condition).
 *
 * @example
 * ```ts
 * const held = heldClient(clients.ddb, async (c) => { if (isBackfillStart(c)) await otherArrived; });
 * ```
 */
export function heldClient<C extends DynamoDBClient | DynamoDBStreamsClient>(
  client: C,
  hook: (command: unknown) => Promise<void>,
): C {
  const send = (client.send as (command: unknown, ...rest: unknown[]) => Promise<unknown>).bind(client);
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: unknown, ...rest: unknown[]) => {
        await hook(command);
        return send(command, ...rest);
      };
    },
  });
}

/**
 * Which record of a version's backfill a request writes to the control item: its start (`'start'`), its end
 * (`'end'`, which makes the version ready), or neither (undefined).
 *
 * @example
 * ```ts
 * backfillRecordOf(command); // 'start'
 * ```
 */
export function backfillRecordOf(command: unknown): 'start' | 'end' | undefined {
  if (!(command instanceof UpdateItemCommand)) return undefined;
  const { UpdateExpression, ExpressionAttributeValues } = command.input;
  if (!UpdateExpression?.startsWith('SET #v.backfill = :bf')) return undefined;
  return ExpressionAttributeValues?.[':bf']?.M?.endedAt === undefined ? 'start' : 'end';
}

/**
 * True for the write that promotes a version (`promoteParams`: it sets the serving version).
 *
 * @example
 * ```ts
 * isPromotion(command); // true
 * ```
 */
export function isPromotion(command: unknown): boolean {
  return (
    command instanceof UpdateItemCommand &&
    command.input.UpdateExpression?.startsWith('SET #serving = :n') === true
  );
}

/**
 * True for the write that registers a version (`registerVersionParams`: it moves the control item's `next`).
 *
 * @example
 * ```ts
 * isRegistration(command); // true
 * ```
 */
export function isRegistration(command: unknown): boolean {
  return (
    command instanceof UpdateItemCommand &&
    command.input.ConditionExpression?.startsWith('attribute_not_exists(#fp)') === true
  );
}

/** A promise and the function that resolves it. */
export interface Signal {
  promise: Promise<void>;
  resolve(): void;
}

/**
 * A one-shot signal between the processes of a test.
 *
 * @example
 * ```ts
 * const arrived = signal();
 * arrived.resolve();
 * await arrived.promise;
 * ```
 */
export function signal(): Signal {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A meeting point of processes 0 and 1: each waits there until the other one got there too, or ended without
 * getting there (`ended`), so that both send the request that follows at once.
 *
 * @example
 * ```ts
 * const end = meeting();
 * const a = heldClient(client, async (c) => { if (backfillRecordOf(c) === 'end') await end.at(0); });
 * ```
 */
export function meeting(): { at(process: 0 | 1): Promise<void>; ended(process: 0 | 1): void } {
  const arrived = [signal(), signal()] as const;
  const ended = [signal(), signal()] as const;
  return {
    at: async (process) => {
      arrived[process].resolve();
      const other = process === 0 ? 1 : 0;
      await Promise.race([arrived[other].promise, ended[other].promise]);
    },
    ended: (process) => ended[process].resolve(),
  };
}
