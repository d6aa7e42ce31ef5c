// Fault injection through the AWS SDK middleware stack: the requests that do reach DynamoDB Local are real
// (no DynamoDB semantics are mocked); the faults are what a crashed process or a lost response looks like.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll } from 'vitest';
import { type TestClients, testClients } from './ddb.ts';

/** Write commands the apply path sends. */
export const WRITE_COMMANDS: ReadonlySet<string> = new Set([
  'UpdateItemCommand',
  'TransactWriteItemsCommand',
  'BatchExecuteStatementCommand',
]);

/** How a crash looks to the caller. */
export type CrashKind = 'fatal' | 'retryable';

/** An error the apply path must not retry (a bug, a killed process). */
export function fatalError(): Error {
  return Object.assign(new Error('injected crash: the process died here'), { name: 'InjectedCrash' });
}

/** An error that looks like a 5xx (retryable), with the SDK's metadata. */
export function retryableError(): Error {
  return Object.assign(new Error('injected: service unavailable'), {
    name: 'ServiceUnavailable',
    $fault: 'server',
    $metadata: { httpStatusCode: 503 },
  });
}

/** What the SDK throws when a response never arrived in time. */
export function timeoutError(): Error {
  return Object.assign(new Error('injected: the request timed out after it was sent'), {
    name: 'TimeoutError',
  });
}

/**
 * A switchable fault injector on a client's middleware stack. Counting is per matching command (as the
 * caller sends it) at the `initialize` step, and per HTTP attempt at the `deserialize` step (inside the
 * SDK's own retries).
 */
export class Faults {
  /** Matching commands sent since the last arm (counted whether or not they failed). */
  calls = 0;
  /** Matching commands that DynamoDB accepted since the last arm (their response may still be lost). */
  succeeded = 0;
  /** Matching HTTP attempts since the last arm. */
  attempts = 0;
  /** Matching HTTP attempts that DynamoDB accepted since the last arm. */
  attemptsSucceeded = 0;
  /** Faults actually injected since the last arm. */
  injected = 0;
  /** The matching commands since the last arm, in the order they were sent. */
  log: string[] = [];
  /** The matching commands DynamoDB accepted since the last arm, in the order they were answered. */
  accepted: string[] = [];
  private mode:
    | { kind: 'none' }
    | { kind: 'crash'; from: number; error: CrashKind }
    | { kind: 'lost-response'; at: number; where: 'caller' | 'sdk' } = { kind: 'none' };

  constructor(
    client: DynamoDBClient,
    private readonly commands: ReadonlySet<string> = WRITE_COMMANDS,
  ) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!this.commands.has(context.commandName ?? '')) return next(args);
        const n = ++this.calls;
        this.log.push(context.commandName ?? '');
        const m = this.mode;
        if (m.kind === 'crash' && n >= m.from) {
          this.injected++;
          throw m.error === 'fatal' ? fatalError() : retryableError();
        }
        const out = await next(args);
        const ok = ++this.succeeded;
        this.accepted.push(context.commandName ?? '');
        if (m.kind === 'lost-response' && m.where === 'caller' && ok === m.at) {
          this.injected++;
          throw timeoutError();
        }
        return out;
      },
      { step: 'initialize', name: 'dynotallyTestFaultsOuter', priority: 'high' },
    );
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!this.commands.has(context.commandName ?? '')) return next(args);
        ++this.attempts;
        const out = await next(args);
        const ok = ++this.attemptsSucceeded;
        const m = this.mode;
        if (m.kind === 'lost-response' && m.where === 'sdk' && ok === m.at) {
          this.injected++;
          throw timeoutError();
        }
        return out;
      },
      { step: 'deserialize', name: 'dynotallyTestFaultsInner', priority: 'high' },
    );
  }

  /** From the `from`-th matching command on (1-based), every one fails before it is sent: the process crashed. */
  crashFrom(from: number, error: CrashKind = 'fatal'): void {
    this.reset();
    this.mode = { kind: 'crash', from, error };
  }

  /**
   * The `at`-th matching command (or HTTP attempt, with `where: 'sdk'`) that DynamoDB accepts commits, then
   * its response is lost as a `TimeoutError`: seen by dynotally's retry (`caller`) or by the SDK's (`sdk`).
   */
  loseResponse(at: number, where: 'caller' | 'sdk' = 'caller'): void {
    this.reset();
    this.mode = { kind: 'lost-response', at, where };
  }

  /** No more faults; counters restart. */
  heal(): void {
    this.reset();
    this.mode = { kind: 'none' };
  }

  private reset(): void {
    this.calls = 0;
    this.succeeded = 0;
    this.attempts = 0;
    this.attemptsSucceeded = 0;
    this.injected = 0;
    this.log = [];
    this.accepted = [];
  }
}

/**
 * Two sets of clients for the run's DynamoDB Local, destroyed after the file's tests: `clients` for set-up and
 * reading back, `faulty` for the code under test, with `faults` on its middleware stack.
 *
 * @example
 * ```ts
 * const { clients, faulty, faults } = faultyTestClients();
 * faults.crashOn('TransactWriteItemsCommand', 2);
 * ```
 */
export function faultyTestClients(): { clients: TestClients; faulty: TestClients; faults: Faults } {
  const clients = testClients();
  const faulty = testClients();
  const faults = new Faults(faulty.ddb);
  afterAll(() => {
    clients.destroy();
    faulty.destroy();
  });
  return { clients, faulty, faults };
}
