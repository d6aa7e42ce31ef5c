// The trees bench/fold-ab.ts compares: a directory as it is, or a git ref exported (`git archive`) into a
// temporary directory outside the repository, with node_modules linked to the harness's own.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** A tree to load a side from. */
export interface Tree {
  /** What was asked for (`--base` / `--head`). */
  spec: string;
  dir: string;
  /** The commit, when the spec was a ref (or the directory is a git checkout). */
  commit: string | undefined;
  /** Whether the directory has changes not committed (a working tree). */
  dirty: boolean | undefined;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

/**
 * Resolves `spec` to a directory holding the tree: an existing directory is used in place; anything else is a
 * git ref of `repo`, exported into `tmp`.
 *
 * @example
 * ```ts
 * const base = prepareTree('main', repoRoot(), mkdtempSync(join(tmpdir(), 'fold-ab-')));
 * ```
 */
export function prepareTree(spec: string, repo: string, tmp: string): Tree {
  if (existsSync(spec) && statSync(spec).isDirectory()) {
    const dir = realpathSync(spec);
    let commit: string | undefined;
    let dirty: boolean | undefined;
    try {
      commit = git(dir, 'rev-parse', 'HEAD');
      dirty = git(dir, 'status', '--porcelain', '--untracked-files=no').length > 0;
    } catch {}
    return { spec, dir, commit, dirty };
  }
  const commit = git(repo, 'rev-parse', '--verify', `${spec}^{commit}`);
  const dir = join(tmp, commit.slice(0, 12));
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${dir}"`], { cwd: repo });
    linkModules(repo, dir);
  }
  return { spec, dir, commit, dirty: false };
}

// Each package of the harness's node_modules, linked by its real path; the workspace's own packages point into
// the exported tree, so a bare `dynotally` import there loads that tree's library.
function linkModules(repo: string, dir: string): void {
  const from = join(repo, 'node_modules');
  const to = join(dir, 'node_modules');
  mkdirSync(to);
  for (const name of readdirSync(from)) {
    if (name === 'dynotally' || name === 'dynotally-cli' || name === '.bin') continue;
    symlinkSync(realpathSync(join(from, name)), join(to, name));
  }
  symlinkSync(join(dir, 'packages', 'dynotally'), join(to, 'dynotally'));
  symlinkSync(join(dir, 'packages', 'dynotally-cli'), join(to, 'dynotally-cli'));
}
