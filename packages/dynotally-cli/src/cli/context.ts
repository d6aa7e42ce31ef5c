import type { Command } from 'commander';
import type { z } from 'zod';
import { loadChosenConfig } from './config/chosen-config.ts';
import { checkDistinctTables, type TableUse } from './config/distinct-tables.ts';
import { type GlobalFlags, resolveSettings, type Settings } from './config/settings.ts';
import { zodToError } from './errors/zod-issue.ts';
import type { CliIo } from './io.ts';

/**
 * What every command gets: the I/O, and helpers to read its flags, settings and write output.
 *
 * @example
 * ```ts
 * program.command('scenario list').action(async (_opts, cmd) => {
 *   const flags = ctx.globals(cmd);
 *   ctx.emit(flags, SCENARIOS, () => 'five scenarios\n');
 * });
 * ```
 */
export interface CliContext {
  readonly io: CliIo;
  /** The command's own flags merged with the global ones. */
  globals(cmd: Command): GlobalFlags;
  /**
   * Loads the config file (none with `--reference`: {@link loadChosenConfig}) and merges flags and environment
   * variables (see docs/cli.md, "Configuration"). With
   * `uses`, the tables the command uses, one name given for two of them is `CONFIG_INVALID` ({@link checkDistinctTables}).
   */
  settings(flags: GlobalFlags, uses?: TableUse): Promise<Settings>;
  /** Validates a command's flags with zod; a bad one is a one-line `CONFIG_INVALID` (exit code 2). */
  flags<S extends z.ZodType>(cmd: Command, schema: S, names?: Readonly<Record<string, string>>): z.output<S>;
  /** Validates one positional argument (or any value) with zod, as {@link CliContext.flags} does. */
  value<S extends z.ZodType>(cmd: Command, name: string, schema: S, value: unknown): z.output<S>;
  /** Writes `data` as JSON when `--json` is set, otherwise the human form. */
  emit(flags: GlobalFlags, data: unknown, human: () => string): void;
  /** The endpoint the last `settings()` resolved (for error messages). */
  endpoint: string | undefined;
  /**
   * The exit code of a command that ends without an error but not with success (`worker --until-idle` interrupted by
   * SIGINT: 130, SIGTERM: 143); `undefined`: 0.
   */
  exitCode: number | undefined;
}

/**
 * A {@link CliContext} over `io`.
 *
 * @example
 * ```ts
 * const ctx = createContext(processIo());
 * ```
 */
export function createContext(io: CliIo): CliContext {
  const ctx: CliContext = {
    io,
    endpoint: undefined,
    exitCode: undefined,
    globals: (cmd) => cmd.optsWithGlobals() as GlobalFlags,
    async settings(flags, uses) {
      const { config, path } = await loadChosenConfig(flags, io.env, io.cwd);
      const settings = resolveSettings(flags, io.env, config, path);
      if (uses !== undefined) checkDistinctTables(settings.tables, uses);
      ctx.endpoint = settings.endpoint;
      return settings;
    },
    flags(cmd, schema, names) {
      const parsed = schema.safeParse(cmd.opts());
      if (!parsed.success) {
        throw zodToError(parsed.error, {
          where: commandPath(cmd),
          fix: `see 'dynotally ${commandPath(cmd)} --help'`,
          // the command's own flags, the names given overriding them
          names: { ...optionNames(cmd), ...names },
        });
      }
      return parsed.data;
    },
    value(cmd, name, schema, value) {
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        throw zodToError(parsed.error, {
          where: `${commandPath(cmd)} ${name}`,
          fix: `see 'dynotally ${commandPath(cmd)} --help'`,
        });
      }
      return parsed.data;
    },
    emit(flags, data, human) {
      if (flags.json) io.stdout(`${JSON.stringify(data, jsonReplacer, 2)}\n`);
      else io.stdout(human());
    },
  };
  return ctx;
}

/**
 * `tables create`, `query total`: the command's path below the program.
 *
 * @example
 * ```ts
 * commandPath(cmd); // 'query total'
 * ```
 */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Maps commander's camel-cased option keys back to their flags (`sourceTable` → `--source-table`). */
function optionNames(cmd: Command): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of cmd.options) out[o.attributeName()] = o.long ?? o.flags;
  return out;
}

/**
 * How `--json` output writes values JSON has no form for (bigints, maps, sets, non-finite numbers).
 *
 * @example
 * ```ts
 * JSON.stringify({ n: 10n }, jsonReplacer); // '{"n":"10"}'
 * ```
 */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}
