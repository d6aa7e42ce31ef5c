import { CommanderError } from 'commander';
import { DynotallyError } from 'dynotally';
import { shownText } from 'dynotally/local';
import { createContext } from './context.ts';
import { exitCodeFor } from './errors/exit-code.ts';
import { formatError } from './errors/format-error.ts';
import { toDynotallyError } from './errors/to-dynotally-error.ts';
import { type CliIo, processIo } from './io.ts';
import { createProgram, type TaggedCommanderError } from './program.ts';

/**
 * Runs the `dynotally` CLI on `argv` (the arguments after the program name) and resolves with the exit
 * code: 0 ok, 1 runtime error, 2 usage or configuration error, or the code the command set (`CliContext.exitCode`: 130 or
 * 143 for a `worker --until-idle` interrupted by SIGINT or SIGTERM). Errors are printed as one line
 * `dynotally: [CODE] message` on stderr (`--verbose` adds the cause chain). Never calls `process.exit`.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(['query', 'total', 'jobs', '--group', 'customerId=acme', '--last', '24h']);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const ctx = createContext(io);
  const program = createProgram(ctx);
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  if (argv.length === 0) {
    program.outputHelp();
    return 2;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode ?? 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0; // --help, --version
      const err = usageError(e as TaggedCommanderError);
      io.stderr(formatError(err, verbose));
      return 2;
    }
    const err = toDynotallyError(e, { endpoint: ctx.endpoint });
    io.stderr(formatError(err, verbose));
    return exitCodeFor(err.code);
  }
}

function usageError(e: TaggedCommanderError): DynotallyError {
  const path = e.commandPath ? `dynotally ${e.commandPath}` : 'dynotally';
  if (e.code === 'commander.help') {
    // A command group run without its command (`dynotally tables`): commander has printed the group's help to
    // stderr and says only "(outputHelp)".
    return new DynotallyError(
      'CONFIG_INVALID',
      `missing command: ${path} <command> (the commands are listed above)`,
      {
        details: { commanderCode: e.code },
        cause: e,
      },
    );
  }
  const [first = e.message, ...rest] = e.message.replace(/^error:\s*/, '').split('\n');
  // commander's suggestion for a misspelt option or command is its second line, "(Did you mean --last?)"
  const suggestion = rest
    .map((l) => /^\(Did you mean (.+)\?\)$/.exec(l.trim())?.[1])
    .find((x) => x !== undefined);
  const said = typedCut(first);
  const what = suggestion === undefined ? said : `${said}; did you mean ${suggestion}?`;
  return new DynotallyError('CONFIG_INVALID', `${what} (run '${path} --help' for the usage)`, {
    details: { commanderCode: e.code },
    cause: e,
  });
}

/**
 * Commander's line with what was typed cut as dynotally's errors cut a caller's value: it quotes an unknown option
 * or command whole (`unknown option '--xxx…'`), so a megabyte typed made a megabyte line. A quoted text over 200
 * characters is cut; a line still long (a quote inside the typed text) is cut whole.
 */
function typedCut(line: string): string {
  const cut = line.replace(/'([^']{201,})'/g, (_m, typed: string) => `'${shownText(typed)}'`);
  return cut.length > 1_000 ? shownText(cut) : cut;
}
