/**
 * A pending interruption by SIGINT / SIGTERM.
 *
 * @example
 * ```ts
 * const { signalled, dispose } = onInterrupt();
 * await signalled;
 * dispose();
 * ```
 */
export interface Interruption {
  /** Resolves with the signal's name on the first SIGINT or SIGTERM. */
  readonly signalled: Promise<NodeJS.Signals>;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Listens for Ctrl-C (SIGINT) and SIGTERM while a long command runs, so it can stop cleanly instead of
 * being killed. A second signal while stopping exits at once with code 130 (the shell's convention).
 *
 * @example
 * ```ts
 * const stop = onInterrupt();
 * await Promise.race([work, stop.signalled]);
 * stop.dispose();
 * ```
 */
export function onInterrupt(onForce?: () => void): Interruption {
  let resolve: (s: NodeJS.Signals) => void = () => {};
  const signalled = new Promise<NodeJS.Signals>((r) => {
    resolve = r;
  });
  let count = 0;
  const handler = (signal: NodeJS.Signals): void => {
    count += 1;
    if (count === 1) resolve(signal);
    else {
      onForce?.();
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signalled,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
