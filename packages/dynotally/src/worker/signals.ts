import type { StreamWorker } from './create-stream-worker.ts';

/**
 * Options of {@link installSignalHandlers}.
 *
 * @example
 * ```ts
 * const options: SignalHandlerOptions = { exit: false, onSignal: (s) => console.error(`${s}: stopping…`) };
 * ```
 */
export interface SignalHandlerOptions {
  /** Signals to handle (default SIGINT and SIGTERM). */
  signals?: readonly NodeJS.Signals[];
  /** Exit the process once the worker has stopped (default true): code 0, or 1 when stopping failed. */
  exit?: boolean;
  /** Told when a signal arrives (e.g. print "stopping…"). */
  onSignal?: (signal: NodeJS.Signals) => void;
}

/**
 * Stops the worker cleanly on SIGINT / SIGTERM — the batch in flight is finished, checkpoints written, leases
 * released so another worker takes over at once — then exits. A second signal exits immediately (the leases
 * then expire on their own). Returns a function that removes the handlers.
 *
 * @example
 * ```ts
 * const worker = createStreamWorker(options);
 * const uninstall = installSignalHandlers(worker, { onSignal: (s) => console.error(`${s}: stopping…`) });
 * await worker.start();
 * ```
 */
export function installSignalHandlers(
  worker: Pick<StreamWorker, 'stop'>,
  options: SignalHandlerOptions = {},
): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const exit = options.exit ?? true;
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    stopping = true;
    options.onSignal?.(signal);
    worker.stop().then(
      () => {
        if (exit) process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`stream worker did not stop cleanly: ${String(error)}\n`);
        if (exit) process.exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
