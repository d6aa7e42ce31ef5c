/**
 * True for an error Redis returned because one of the buffer's Lua scripts failed while it ran or compiled — a
 * Lua runtime error (`ERR user_script:12: attempt to perform arithmetic on … (a nil value)`), a command the
 * script called with bad arguments (`ERR value is not an integer … script: …, on @user_script:3.`), a script
 * that does not compile. Such a failure is a bug (or a Redis the script does not support), not an outage:
 * retrying cannot help, and a fallback meant for an unreachable Redis must not take it for one. A refusal for
 * the server's state (`OOM …`, `BUSY …`, `LOADING …`, `READONLY …`) is not a script error, and neither is a script
 * killed with `SCRIPT KILL` ({@link isKilledScript}): it was stopped from outside, having written nothing.
 *
 * @example
 * ```ts
 * isScriptError(new Error("ERR user_script:1: attempt to perform arithmetic on local 'x' (a nil value) script: 104a…, on @user_script:1.")); // true
 * isScriptError(new Error('Connection is closed.')); // false
 * ```
 */
export function isScriptError(e: unknown): boolean {
  const message = (e as { message?: unknown } | null)?.message;
  return (
    typeof message === 'string' &&
    /^ERR\b[\s\S]*(@?user_script:\d|Error (running|compiling) script)/.test(message) &&
    !isKilledScript(e)
  );
}

/**
 * True for the error Redis returns to the caller of a script killed with `SCRIPT KILL` (by an operator, or by
 * Redis Sentinel before it fails over a primary that answers `BUSY`): `ERR Script killed by user with SCRIPT
 * KILL... script: …, on @user_script:12.` (Redis 6: inside `Error running script`). Redis kills only a script that
 * has written nothing (else it answers `UNKILLABLE`), so the call simply did not happen: an outage to retry, not a
 * bug.
 *
 * @example
 * ```ts
 * isKilledScript(new Error('ERR Script killed by user with SCRIPT KILL... script: 3a1d…, on @user_script:1.')); // true
 * ```
 */
export function isKilledScript(e: unknown): boolean {
  const message = (e as { message?: unknown } | null)?.message;
  return typeof message === 'string' && /^ERR\b[\s\S]*Script killed by user with SCRIPT KILL/.test(message);
}
