// A fault schedule is data: a list of steps, each "after N more requests, inject this fault into the next M".
// Durations are counted in requests, not milliseconds, so a seed replays the same faults on a loaded machine.
import fc from 'fast-check';

/** The throttling errors DynamoDB answers with (HTTP 400, JSON 1.0 body). */
export type ThrottleError = 'ProvisionedThroughputExceededException' | 'ThrottlingException';

/**
 * What happens to one request:
 * - `drop`: forwarded; the server applies it, its reply is swallowed and the client's connection reset after
 *   `holdMs` (a response lost on the way back);
 * - `delay`: forwarded after `ms`;
 * - `reset`: the client's connection is reset before anything is forwarded (the request never arrives);
 * - `throttle`: answered at once with HTTP 400 and the given error, never forwarded (DynamoDB only).
 */
export type Fault =
  | { kind: 'drop'; holdMs: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset' }
  | { kind: 'throttle'; error: ThrottleError };

/** One step of a schedule: `after` clean requests, then `fault` on the next `requests` requests. */
export interface FaultStep {
  after: number;
  fault: Fault;
  requests: number;
}

/** A compiled schedule: which fault (if any) hits the n-th request (1-based). */
export class FaultSchedule {
  private readonly windows: Array<{ from: number; to: number; fault: Fault }> = [];
  /** The request number after which no step injects anything. */
  readonly end: number;

  constructor(readonly steps: readonly FaultStep[]) {
    let at = 0;
    for (const s of steps) {
      const from = at + s.after + 1;
      const to = from + s.requests; // exclusive
      this.windows.push({ from, to, fault: s.fault });
      at = to - 1;
    }
    this.end = at;
  }

  /** The fault for request number `n` (1-based), or undefined. */
  faultFor(n: number): Fault | undefined {
    for (const w of this.windows) if (n >= w.from && n < w.to) return w.fault;
    return undefined;
  }

  /** For test titles and failure messages. */
  describe(): string {
    return this.steps
      .map((s) => {
        const f = s.fault;
        const what =
          f.kind === 'drop'
            ? `drop(${f.holdMs}ms)`
            : f.kind === 'delay'
              ? `delay(${f.ms}ms)`
              : f.kind === 'throttle'
                ? `throttle(${f.error})`
                : 'reset';
        return `+${s.after} ${what}×${s.requests}`;
      })
      .join(' ');
  }
}

/** Options of {@link faultStepsArb}. */
export interface FaultArbOptions {
  /** Fault kinds to draw from (default all four). */
  kinds?: ReadonlyArray<Fault['kind']>;
  /** Most steps in a schedule (default 5). */
  maxSteps?: number;
  /** Most clean requests before a step (default 30). */
  maxAfter?: number;
  /** Most requests one step affects (default 8). */
  maxRequests?: number;
}

/**
 * Random fault schedules (fast-check), for property tests: a handful of steps, each a burst of one fault.
 *
 * @example
 * ```ts
 * fc.assert(fc.asyncProperty(faultStepsArb({ kinds: ['drop', 'reset'] }), async (steps) => { ... }));
 * ```
 */
export function faultStepsArb(options: FaultArbOptions = {}): fc.Arbitrary<FaultStep[]> {
  const kinds = options.kinds ?? ['drop', 'delay', 'reset', 'throttle'];
  const faults: Record<Fault['kind'], fc.Arbitrary<Fault>> = {
    drop: fc.integer({ min: 0, max: 150 }).map((holdMs) => ({ kind: 'drop', holdMs })),
    delay: fc.integer({ min: 1, max: 300 }).map((ms) => ({ kind: 'delay', ms })),
    reset: fc.constant({ kind: 'reset' }),
    throttle: fc
      .constantFrom<ThrottleError>('ProvisionedThroughputExceededException', 'ThrottlingException')
      .map((error) => ({ kind: 'throttle', error })),
  };
  const fault = fc.oneof(...kinds.map((k) => faults[k]));
  return fc.array(
    fc.record({
      after: fc.integer({ min: 0, max: options.maxAfter ?? 30 }),
      fault,
      requests: fc.integer({ min: 1, max: options.maxRequests ?? 8 }),
    }),
    { minLength: 1, maxLength: options.maxSteps ?? 5 },
  );
}
