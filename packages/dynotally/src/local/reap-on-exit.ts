import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const signalHandlers = new Map<NodeJS.Signals, () => void>();
let installed = false;

function killAll(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of SIGNALS) {
    const handler = (): void => {
      killAll();
      uninstall();
      // Keep the default behaviour (terminate) when nobody else listens for this signal.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    signalHandlers.set(signal, handler);
    process.on(signal, handler);
  }
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', killAll);
  for (const [signal, handler] of signalHandlers) process.off(signal, handler);
  signalHandlers.clear();
}

/**
 * Kills `child` (SIGKILL) when this process exits or receives SIGINT, SIGTERM or SIGHUP,
 * so no server outlives the process that started it. The signal handlers are installed only
 * while at least one child is registered; when no other listener handles the signal it is
 * re-raised, so the process still terminates as it would have. Returns an unregister function.
 * A SIGKILL of this process cannot be intercepted; nothing can clean up then.
 *
 * @example
 * ```ts
 * const child = spawn('redis-server', ['--port', '0']);
 * const forget = reapOnExit(child);
 * child.once('exit', forget);
 * ```
 */
export function reapOnExit(child: ChildProcess): () => void {
  live.add(child);
  install();
  return () => {
    live.delete(child);
    if (live.size === 0) uninstall();
  };
}
