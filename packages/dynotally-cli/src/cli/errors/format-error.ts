import type { DynotallyError } from 'dynotally';

/**
 * The CLI's error output: one line `dynotally: [CODE] message` (the first line of the message), and with
 * `verbose` the rest of the message, the details and the cause chain, one cause per line.
 *
 * @example
 * ```ts
 * formatError(new DynotallyError('CONFIG_INVALID', "--rate: expected a number (e.g. --rate 20)"), false);
 * // "dynotally: [CONFIG_INVALID] --rate: expected a number (e.g. --rate 20)\n"
 * ```
 */
export function formatError(error: DynotallyError, verbose: boolean): string {
  const [first, ...rest] = error.message.split('\n');
  const lines = [`dynotally: [${error.code}] ${first ?? ''}`];
  if (verbose) {
    lines.push(...rest.map((l) => `  ${l}`));
    if (Object.keys(error.details).length > 0) lines.push(`  details: ${safeJson(error.details)}`);
    let cause: unknown = error.cause;
    for (let depth = 0; cause !== undefined && cause !== null && depth < 10; depth++) {
      const c = cause as { name?: string; message?: string; code?: string; stack?: string; cause?: unknown };
      const code = typeof c.code === 'string' ? ` [${c.code}]` : '';
      lines.push(`  caused by: ${c.name ?? 'Error'}${code}: ${c.message ?? String(cause)}`);
      cause = c.cause;
    }
    if (error.stack !== undefined)
      lines.push(
        ...error.stack
          .split('\n')
          .slice(1, 6)
          .map((l) => `  ${l.trim()}`),
      );
  }
  return `${lines.join('\n')}\n`;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  } catch {
    return String(v);
  }
}
