// The `dynotally` executable as an installed package runs it, built once per test run: both packages' sources
// emitted to JavaScript by TypeScript's own emitter (the same output as `npm run build`'s tsc, see the test),
// laid out as installed packages in a directory of their own. The CLI tests spawn this build instead of the
// sources through tsx: a built CLI process costs about 1.4 s of CPU, one through tsx about 3.7 s.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** The repository root. */
const ROOT = join(import.meta.dirname, '..', '..');

/** Where the test runs' builds go: one directory per run (`run-<pid>`), removed when the run ends. */
export const CLI_BUILDS_DIR = join(ROOT, 'node_modules', '.cache', 'dynotally-test-cli');

/** A built CLI and where to run it from. */
export interface CliBuild {
  /** The build's root: `node_modules/dynotally` and `node_modules/dynotally-cli` as npm installs them. */
  dir: string;
  /** The built package's `bin/dynotally.js`, which runs `dist/cli/main.js`. */
  bin: string;
  /** An empty working directory: no `dynotally.config.*` for the CLI to pick up. */
  cwd: string;
}

/**
 * The files of `pkgDir` that `npm run build` compiles (its tsconfig.build.json's `include` minus `exclude`),
 * emitted to `outDir`. Only syntax is checked (`tsc --noEmit` type-checks the tree in `npm test`), and no
 * import is resolved: each file's JavaScript depends on that file alone (`isolatedModules`), so the output
 * equals tsc's. Throws on a syntax error.
 */
function emitPackage(pkgDir: string, outDir: string): string[] {
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(pkgDir, 'tsconfig.build.json'),
    {
      outDir,
      declaration: false,
      declarationMap: false,
      sourceMap: false,
      noCheck: true,
      noEmitOnError: false,
      noResolve: true,
      noLib: true,
      types: [],
    },
    host,
  );
  if (parsed === undefined) throw new Error(`cannot read ${pkgDir}/tsconfig.build.json`);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const syntax = program.getSyntacticDiagnostics();
  if (syntax.length > 0) {
    throw new Error(
      ts.formatDiagnostics(syntax, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => ROOT,
        getNewLine: () => '\n',
      }),
    );
  }
  const emitted = program.emit();
  if (emitted.emitSkipped) throw new Error(`nothing emitted for ${pkgDir}`);
  return parsed.fileNames;
}

/**
 * Builds both packages into `dir` (emptied first, so no module deleted from the sources survives):
 * `node_modules/dynotally/{package.json,dist}` and `node_modules/dynotally-cli/{package.json,bin,dist}` with the
 * dashboard's files, as `npm pack` would ship them. Their other dependencies resolve from the repository's
 * node_modules above `dir`, which must therefore lie inside the repository. Returns the bin to spawn.
 *
 * @example
 * ```ts
 * const build = buildCli(join(CLI_BUILDS_DIR, `run-${process.pid}`));
 * spawn(process.execPath, [build.bin, '--version'], { cwd: build.cwd });
 * ```
 */
export function buildCli(dir: string): CliBuild {
  if (relative(ROOT, dir).startsWith('..')) throw new Error(`${dir} is outside the repository`);
  rmSync(dir, { recursive: true, force: true });
  const lib = join(dir, 'node_modules', 'dynotally');
  const cli = join(dir, 'node_modules', 'dynotally-cli');
  const libSrc = join(ROOT, 'packages', 'dynotally');
  const cliSrc = join(ROOT, 'packages', 'dynotally-cli');
  emitPackage(libSrc, join(lib, 'dist'));
  emitPackage(cliSrc, join(cli, 'dist'));
  cpSync(join(libSrc, 'package.json'), join(lib, 'package.json'));
  cpSync(join(cliSrc, 'package.json'), join(cli, 'package.json'));
  cpSync(join(cliSrc, 'bin'), join(cli, 'bin'), { recursive: true });
  // as scripts/copy-dashboard-assets.mjs does after tsc
  cpSync(join(cliSrc, 'src', 'dashboard', 'public'), join(cli, 'dist', 'dashboard', 'public'), {
    recursive: true,
  });
  const cwd = join(dir, 'cwd');
  mkdirSync(cwd, { recursive: true });
  return { dir, bin: join(cli, 'bin', 'dynotally.js'), cwd };
}

/**
 * Removes the builds of test runs that are no longer running (a run killed before its teardown leaves one).
 *
 * @example
 * ```ts
 * removeStaleCliBuilds();
 * ```
 */
export function removeStaleCliBuilds(): void {
  if (!existsSync(CLI_BUILDS_DIR)) return;
  for (const name of readdirSync(CLI_BUILDS_DIR)) {
    const pid = Number(/^run-(\d+)$/.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) continue;
    rmSync(join(CLI_BUILDS_DIR, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const SPAWNS_CLI = /(?:support\/|\.\/)cli(?:-project)?\.ts['"]/;

/**
 * Whether any of the test files spawns the `dynotally` executable (imports test/support/cli.ts or
 * test/support/cli-project.ts; a file beside them importing `./cli.ts` counts too).
 *
 * @example
 * ```ts
 * usesCli(['src/time/labels.test.ts']); // false
 * ```
 */
export function usesCli(
  files: readonly string[],
  read: (file: string) => string = (f) => readFileSync(f, 'utf8'),
): boolean {
  return files.some((file) => {
    try {
      return SPAWNS_CLI.test(read(file));
    } catch {
      return false;
    }
  });
}
