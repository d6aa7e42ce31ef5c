// The README each package shows on npmjs.com: docs/npm/<package name>.md, copied into the package by its prepack
// script (scripts/copy-package-docs.mjs). Written for someone installing from npm: no repository set-up, no link
// that only works inside the repository, and TypeScript examples that compile against the library as it is and
// whose definitions load (a rollup or configuration mistake fails when its module is evaluated).
// consumer.int.test.ts checks that the packed tarballs carry exactly these files.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const PACKAGES = readdirSync(join(ROOT, 'packages')).map(
  (dir) =>
    (JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8')) as { name: string }).name,
);
const readme = (name: string): string => readFileSync(join(ROOT, 'docs', 'npm', `${name}.md`), 'utf8');

/** The ```ts blocks of a README that start with a `// <file>.ts` line: the file each example is. */
function examples(markdown: string): Array<{ file: string; code: string }> {
  const found: Array<{ file: string; code: string }> = [];
  for (const [, code = ''] of markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const file = /^\/\/ ([\w.-]+\.ts)\b/.exec(code)?.[1];
    if (file !== undefined) found.push({ file, code });
  }
  return found;
}

/** Where an example file lives: inside the repository, so `dynotally` and the AWS SDK resolve as in the tests. */
const examplePath = (dir: string, name: string, file: string) => join(dir, name, file);

/** Type errors of the examples, checked as files of the repository (its tsconfig.json, strict) without writing them. */
function typeErrors(files: Map<string, string>): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    { noEmit: true },
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (parsed === undefined) throw new Error('cannot read tsconfig.json');
  const host = ts.createCompilerHost(parsed.options);
  const { fileExists, readFile, getSourceFile } = host;
  const dirs = new Set([...files.keys()].map((f) => dirname(f)));
  host.fileExists = (f) => files.has(f) || fileExists(f);
  host.directoryExists = (d) => dirs.has(d) || ts.sys.directoryExists(d);
  host.readFile = (f) => files.get(f) ?? readFile(f);
  host.getSourceFile = (f, language, ...rest) => {
    const text = files.get(f);
    return text === undefined ? getSourceFile(f, language, ...rest) : ts.createSourceFile(f, text, language);
  };
  const program = ts.createProgram({ rootNames: [...files.keys()], options: parsed.options, host });
  const diagnostics = [...files.keys()].flatMap((f) => {
    const source = program.getSourceFile(f);
    return source === undefined
      ? []
      : [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
  });
  return diagnostics.map((d) => {
    const where =
      d.file && d.start !== undefined
        ? `${d.file.fileName.slice(ROOT.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: `
        : '';
    return `${where}TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('the npm README of each package (docs/npm/<name>.md)', () => {
  it('exists for every package, and speaks to a user, not a contributor', () => {
    expect(PACKAGES.sort()).toEqual(['dynotally', 'dynotally-cli']);
    for (const name of PACKAGES) {
      const text = readme(name);
      expect(text.startsWith(`# ${name}\n`), name).toBe(true);
      expect(text, name).toContain(`npm install ${name === 'dynotally' ? 'dynotally' : '-D dynotally-cli'}`);
      expect(text, name).toMatch(/Node\.js 20\.19 or later/);
      for (const contributorOnly of ['npm ci', 'npm start', 'Set-up of this repository', 'npm test']) {
        expect(text, `${name}: ${contributorOnly}`).not.toContain(contributorOnly);
      }
    }
  });

  it('has no link that breaks off the repository: every link and image is an absolute https URL', () => {
    for (const name of PACKAGES) {
      const targets = [...readme(name).matchAll(/\]\(([^)\s]*)[^)]*\)|<(\w+:[^>]*)>|\]:\s*(\S+)/g)].map(
        (m) => m[1] ?? m[2] ?? m[3] ?? '',
      );
      expect(
        targets.filter((t) => !t.startsWith('https://')),
        name,
      ).toEqual([]);
      expect(readme(name), name).not.toMatch(/\(docs\/|\.\.\/|\]\(#/);
    }
  });

  it('has examples that type-check against the library and CLI in the tree (strict, NodeNext)', () => {
    const dir = join(ROOT, 'test', 'package', 'npm-readme-examples');
    const files = new Map<string, string>();
    for (const name of PACKAGES) {
      for (const { file, code } of examples(readme(name))) files.set(examplePath(dir, name, file), code);
    }
    expect([...files.keys()].map((f) => f.slice(dir.length + 1)).sort()).toEqual([
      'dynotally-cli/dynotally.config.ts',
      'dynotally/handler.ts',
      'dynotally/query.ts',
      'dynotally/rollups.ts',
    ]);
    expect(typeErrors(files)).toEqual([]);
  });

  it('has a rollup, a handler and a configuration that load (definition-time checks pass)', async () => {
    // test-artifacts/ is gitignored and inside the repository, so `dynotally` resolves as in the tests
    const dir = join(ROOT, 'test-artifacts', `npm-readme-${process.pid}`);
    scratch.push(dir);
    for (const name of PACKAGES) {
      for (const { file, code } of examples(readme(name))) {
        mkdirSync(join(dir, name), { recursive: true });
        writeFileSync(examplePath(dir, name, file), code);
      }
    }
    const env = {
      AGGREGATE_TABLE: process.env.AGGREGATE_TABLE,
      DEAD_LETTER_TABLE: process.env.DEAD_LETTER_TABLE,
    };
    process.env.AGGREGATE_TABLE = 'aggregates';
    process.env.DEAD_LETTER_TABLE = 'dead-letters';
    try {
      const rollups = await import(/* @vite-ignore */ examplePath(dir, 'dynotally', 'rollups.ts'));
      expect(rollups.jobs.name).toBe('jobs');
      const handler = await import(/* @vite-ignore */ examplePath(dir, 'dynotally', 'handler.ts'));
      expect(typeof handler.handler).toBe('function');
      const config = await import(
        /* @vite-ignore */ examplePath(dir, 'dynotally-cli', 'dynotally.config.ts')
      );
      expect(config.default.rollups.map((r: { name: string }) => r.name)).toEqual(['orders']);
    } finally {
      for (const [key, value] of Object.entries(env)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('is what prepack copies into the package as README.md', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dynotally-readme-'));
    scratch.push(root);
    const pkg = join(root, 'packages', 'dynotally-cli');
    mkdirSync(pkg, { recursive: true });
    mkdirSync(join(root, 'docs', 'npm'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'dynotally-cli' }));
    writeFileSync(join(root, 'docs', 'npm', 'dynotally-cli.md'), '# dynotally-cli for npm\n');
    writeFileSync(join(root, 'README.md'), '# the repository\n');
    writeFileSync(join(root, 'LICENSE'), 'Apache-2.0\n');
    writeFileSync(join(root, 'docs', 'cli.md'), '# The dynotally command line\n');
    await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'copy-package-docs.mjs')], {
      cwd: pkg,
    });
    expect(readFileSync(join(pkg, 'README.md'), 'utf8')).toBe('# dynotally-cli for npm\n');
    expect(readFileSync(join(pkg, 'LICENSE'), 'utf8')).toBe('Apache-2.0\n');
    // the CLI's messages say "see docs/cli.md in the dynotally-cli package"
    expect(readFileSync(join(pkg, 'docs', 'cli.md'), 'utf8')).toBe('# The dynotally command line\n');
  });
});
