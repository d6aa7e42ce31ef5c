/**
 * Where the CLI writes and what it knows about its environment; tests pass their own.
 *
 * @example
 * ```ts
 * const io: CliIo = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), isTTY: false, env: {}, cwd: '/tmp' };
 * ```
 */
export interface CliIo {
  /** Writes text to standard output (no newline added). */
  stdout(text: string): void;
  /** Writes text to standard error (no newline added). */
  stderr(text: string): void;
  /** True when standard output is a terminal (live progress lines, colours). */
  isTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/**
 * The real process's streams, environment and working directory.
 *
 * @example
 * ```ts
 * const code = await runCli(process.argv.slice(2), processIo());
 * ```
 */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}
