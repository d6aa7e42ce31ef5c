// A scheduler of DynamoDB requests for property tests that interleave processes against DynamoDB Local: each
// process (a backfill run, a stream handler's container) sends through a client of its own whose every request
// waits at one gate; the test releases the waiting requests one at a time in an order it chooses, and kills
// processes — a killed process's waiting requests fail unsent, and the answer to one it had in flight is lost
// (the request landed, the process never learnt it). The requests themselves are the real ones: DynamoDB Local
// decides every condition.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** What a killed process's requests fail with (not retryable: no retry, no fallback gets past it). */
export class Crash extends Error {
  override readonly name = 'Crash';
}

/** A request waiting at the gate: its process, its command's name, and how to let it go. */
export interface WaitingRequest {
  readonly process: GatedProcess;
  readonly command: string;
  /** The command's input (what a schedule may choose by). */
  readonly input: Record<string, unknown>;
  readonly go: () => void;
  readonly fail: (e: Error) => void;
}

/** One process behind the gate: its client, and whether it was killed. */
export interface GatedProcess {
  readonly name: string;
  readonly client: DynamoDBClient;
  /** Killed: waiting requests failed, later ones fail at once, answers in flight are lost. */
  readonly killed: boolean;
  /** Requests it sent (released). */
  readonly sent: number;
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/**
 * The gate. `settle()` waits until no released request is in flight and every process has run on to its next
 * request (or to a timer, or its end); `waiting` then lists the requests to choose from.
 *
 * @example
 * ```ts
 * const gate = new RequestGate(clients.ddb);
 * const p = gate.process('backfill-1');
 * const run = runBackfill({ ...options, client: p.client });
 * await gate.settle();
 * gate.release(0); // the first waiting request goes out
 * ```
 */
export class RequestGate {
  readonly waiting: WaitingRequest[] = [];
  private inflight = 0;
  private idle: Array<() => void> = [];

  /**
   * @param base the client every process's requests go out through
   * @param onAnswer told of every answer a live process gets (a schedule may aim at what a process just read)
   */
  constructor(
    private readonly base: DynamoDBClient,
    private readonly onAnswer?: (proc: GatedProcess, command: unknown, output: unknown) => void,
  ) {}

  /** A new process whose client's requests wait at this gate. */
  process(name: string): GatedProcess {
    const state = { name, killed: false, sent: 0 } as { name: string; killed: boolean; sent: number };
    const send = (this.base.send as (command: unknown, ...rest: unknown[]) => Promise<unknown>).bind(
      this.base,
    );
    const gate = this;
    const client = new Proxy(this.base, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: unknown, ...rest: unknown[]) => {
          await gate.enter(proc, command);
          state.sent++;
          gate.inflight++;
          try {
            const out = await send(command, ...rest);
            if (state.killed) throw new Crash(`${name} died before the answer came`);
            gate.onAnswer?.(proc, command, out);
            return out;
          } catch (e) {
            if (state.killed && !(e instanceof Crash)) throw new Crash(`${name} died before the answer came`);
            throw e;
          } finally {
            gate.inflight--;
            if (gate.inflight === 0) for (const f of gate.idle.splice(0)) f();
          }
        };
      },
    });
    const proc: GatedProcess & { kill(): void } = {
      name,
      client,
      get killed() {
        return state.killed;
      },
      get sent() {
        return state.sent;
      },
      kill() {
        state.killed = true;
      },
    };
    return proc;
  }

  private enter(proc: GatedProcess, command: unknown): Promise<void> {
    if (proc.killed) return Promise.reject(new Crash(`${proc.name} is dead`));
    const name = (command as { constructor?: { name?: string } }).constructor?.name ?? 'command';
    const input = (command as { input?: Record<string, unknown> }).input ?? {};
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ process: proc, command: name, input, go: resolve, fail: reject });
    });
  }

  /**
   * Waits until nothing released is in flight and the processes have run on (their next request waits here, or
   * they sleep on a timer, or they ended).
   */
  async settle(): Promise<void> {
    for (;;) {
      while (this.inflight > 0) await new Promise<void>((r) => this.idle.push(r));
      await tick();
      await tick();
      if (this.inflight === 0) return;
    }
  }

  /** Lets the `index`-th waiting request go out; with `kill`, its process dies as it goes (its answer is lost). */
  release(index: number, options: { kill?: boolean } = {}): WaitingRequest {
    const [w] = this.waiting.splice(index, 1);
    if (w === undefined) throw new Error(`no waiting request ${index}`);
    w.go();
    if (options.kill === true) this.kill(w.process);
    return w;
  }

  /** Lets every waiting request go out at once (they race inside DynamoDB Local). */
  releaseAll(): void {
    for (const w of this.waiting.splice(0)) w.go();
  }

  /**
   * Kills a process: its waiting requests fail unsent (or, `onWire`, stay waiting: sent before it died, they land
   * whenever they are released, and their answers are lost), later ones fail at once, answers in flight are lost.
   */
  kill(proc: GatedProcess, options: { onWire?: boolean } = {}): void {
    (proc as GatedProcess & { kill(): void }).kill();
    if (options.onWire === true) return;
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const w = this.waiting[i] as WaitingRequest;
      if (w.process !== proc) continue;
      this.waiting.splice(i, 1);
      w.fail(new Crash(`${proc.name} was killed`));
    }
  }
}
