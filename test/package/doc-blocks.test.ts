// The ```ts blocks of the Markdown docs are what users copy. This test type-checks every one of them (README.md,
// docs/*.md, docs/npm/*.md, packages/*/README.md) under strict TypeScript with NodeNext resolution, as a user's
// project would, with `dynotally`, its subpaths and `dynotally-cli` resolved to the packages' sources (no build):
// one in-memory program for every block, so it costs one type check of the library.
// How a block is read (CONTRIBUTING.md, "Code blocks in the docs"):
//   - the blocks of a page are one module, in order: a later block may use what an earlier one defined or imported
//     (an import repeated in a later block is dropped);
//   - a block whose first line is `// <path>.ts` (`// src/rollups.ts`, `// handler.ts`) is that file of the user's
//     project, a module of its own; the page's other blocks import it by that path (`./rollups.ts`); a later
//     block naming the same file is another version of it, checked on its own;
//   - `./rollups.ts` (or `.js`), when the page shows no such file, is the reference rollups the docs use
//     (storeMetrics, jobsPerCustomer …: packages/dynotally-cli/src/scenarios);
//   - names a page leaves to the reader (`client`, `this` in a stack …) are declared in PRELUDES below;
//   - `<!-- ts-check: skip (reason) -->` on the line(s) before a block leaves it out (fragments of an options
//     object, lines showing a refused value); it renders as nothing.
// The TSDoc @example blocks of the packages' sources that import from a package entry are checked in the same
// program, each a module of its own, with the names they leave to the reader declared (EXAMPLE_NAMES).
// Break-check: with `deadLetter:` misspelt `deadLeter:` in README.md's handler block, the test names README.md:147
// (the createStreamHandler call) and "'deadLeter' does not exist in type 'StreamHandlerOptions'. Did you mean to
// write 'deadLetter'?"; with `deadLeter` in createStreamWorker's example and live-source.ts's example without its
// createQueryClient import, create-stream-worker.ts:43 TS2561 and live-source.ts:48 TS2304.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
/** Where the blocks' virtual files live: inside the repository, so node_modules resolve as in the tests. */
const VIRTUAL = join(ROOT, 'test', 'package', 'doc-blocks');

const SCENARIOS = JSON.stringify(join(ROOT, 'packages/dynotally-cli/src/scenarios/index.ts'));

/**
 * What a page leaves to the reader. `page`: declared before the page's module; `page:file`: put before that file
 * block, or that file's text when the page does not show it. Keep these short: names the docs never define.
 */
const PRELUDES: Record<string, string> = {
  'docs/backfill.md': `import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { storeMetrics, storeMetricsWithRevenue } from './rollups.ts';
declare const client: DynamoDBClient;`,
  'docs/cli.md:rollups.ts': `export { storeMetrics as orders, storeMetrics as ordersBefore } from ${SCENARIOS};`,
  'docs/dead-letters.md': `import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { jobsPerCustomer as jobs, scansPerProject as scans } from './rollups.ts';
declare const client: DynamoDBClient;`,
  'docs/deploy.md': `import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createStreamHandler } from 'dynotally';
import { jobs } from './src/rollups.ts';
declare const stack: Stack;`,
  // the rollups of docs/backfill.md's example, which the second src/aggregates-handler.ts writes
  'docs/deploy.md:src/rollups.ts': `export { storeMetrics, storeMetricsWithRevenue } from ${SCENARIOS};`,
  // step 8: "move `ordersPerStore` to a `rollups.ts`"
  'docs/guide-your-own-table.md:rollups.ts': `export { ordersPerStore } from './dynotally.config.ts';`,
  'docs/redis-buffer.md': `import type { DeadLetterSink } from 'dynotally';
import type { BufferedApplier } from 'dynotally/redis';
declare const applier: BufferedApplier;
declare const records: Parameters<BufferedApplier['apply']>[0]['records'];
declare const shardId: string;
declare const mySink: DeadLetterSink;
declare function sendToMyQueue(records: readonly unknown[]): Promise<void>;`,
  'docs/rollups.md': `import { defineRollup } from 'dynotally';
declare const options: Omit<Parameters<typeof defineRollup>[0], 'name'>;`,
  'docs/worker.md': `import type { StreamWorkerOptions } from 'dynotally';
import { localClientConfig, localStreamsClientConfig } from 'dynotally/local';
declare const endpoint: string;
declare const options: StreamWorkerOptions;`,
};

/** The reference rollups, for `./rollups.ts` on a page that neither shows that file nor has a prelude for it. */
const REFERENCE_ROLLUPS = `export * from ${SCENARIOS};`;

/** The pages whose blocks are checked. */
function pages(): string[] {
  const md = (dir: string) =>
    existsSync(join(ROOT, dir))
      ? readdirSync(join(ROOT, dir))
          .filter((f) => f.endsWith('.md'))
          .map((f) => posix.join(dir, f))
      : [];
  const packageReadmes = readdirSync(join(ROOT, 'packages'))
    .map((p) => `packages/${p}/README.md`)
    .filter((f) => existsSync(join(ROOT, f)));
  return ['README.md', ...md('docs'), ...md('docs/npm'), ...packageReadmes];
}

interface Block {
  page: string;
  /** page line (1-based) of the block's first line */
  line: number;
  code: string;
  /** `// <path>.ts` on the first line: the user's file this block is */
  file?: string;
}

const SKIP = /^<!--\s*ts-check:\s*skip\s*\((.+)\)\s*-->$/;

/** The ```ts / ```typescript blocks of a page, without those marked skip (with their reasons). */
function blocksOf(page: string, markdown: string): { blocks: Block[]; skipped: string[] } {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  const skipped: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)(`{3,})(\w*)\s*$/.exec(lines[i] ?? '');
    if (fence === null) continue;
    const [, indent = '', ticks = '', lang = ''] = fence;
    const start = i + 1;
    const body: string[] = [];
    for (i += 1; i < lines.length && !new RegExp(`^\\s*${ticks}\\s*$`).test(lines[i] ?? ''); i++)
      body.push((lines[i] ?? '').slice(indent.length));
    if (lang !== 'ts' && lang !== 'typescript') continue;
    let before = start - 2;
    while (before >= 0 && (lines[before] ?? '').trim() === '') before -= 1;
    const skip = SKIP.exec((lines[before] ?? '').trim());
    if (skip !== null) {
      skipped.push(`${page}:${start + 1} (${skip[1]})`);
      continue;
    }
    const code = body.join('\n');
    const file = /^\/\/ ((?:[\w.-]+\/)*[\w.-]+\.ts)\b/.exec(code)?.[1];
    blocks.push({ page, line: start + 1, code, ...(file === undefined ? {} : { file }) });
  }
  return { blocks, skipped };
}

/** A virtual file: its text and how its lines map back to page lines (line in file → page line). */
interface Virtual {
  text: string;
  page: string;
  pageLine: (line: number) => number;
}

/** The import declarations' local names of a block, and the block with already-imported names dropped. */
function dropRepeatedImports(code: string, imported: Set<string>): string {
  const source = ts.createSourceFile('block.ts', code, ts.ScriptTarget.ES2022, true);
  let out = '';
  let at = 0;
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || statement.importClause === undefined) continue;
    const clause = statement.importClause;
    const keep: string[] = [];
    let dropped = false;
    const take = (local: string, text: string) => {
      if (imported.has(local)) dropped = true;
      else {
        imported.add(local);
        keep.push(text);
      }
    };
    const from = statement.moduleSpecifier.getText(source);
    const typeOnly = clause.isTypeOnly ? 'type ' : '';
    if (clause.name) take(clause.name.text, `import ${typeOnly}${clause.name.text} from ${from};`);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings))
      take(bindings.name.text, `import ${typeOnly}* as ${bindings.name.text} from ${from};`);
    if (bindings && ts.isNamedImports(bindings)) {
      const named: string[] = [];
      for (const element of bindings.elements) {
        if (imported.has(element.name.text)) dropped = true;
        else {
          imported.add(element.name.text);
          named.push(element.getText(source));
        }
      }
      if (named.length > 0) keep.push(`import ${typeOnly}{ ${named.join(', ')} } from ${from};`);
    }
    if (!dropped) continue;
    const original = code.slice(statement.getStart(source), statement.end);
    out += code.slice(at, statement.getStart(source));
    out += keep.join(' ') + '\n'.repeat(original.split('\n').length - 1);
    at = statement.end;
  }
  return out + code.slice(at);
}

/** Every page's blocks as virtual files: the page's module, its file blocks, its `./rollups.ts` stand-in. */
function virtualFiles(allBlocks: Block[]): Map<string, Virtual> {
  const files = new Map<string, Virtual>();
  const byPage = new Map<string, Block[]>();
  for (const block of allBlocks) byPage.set(block.page, [...(byPage.get(block.page) ?? []), block]);
  for (const [page, blocks] of byPage) {
    const dir = join(VIRTUAL, page);
    for (const block of blocks.filter((b) => b.file !== undefined)) {
      // a later block naming the same file is another version of it (after a change): checked on its own
      let path = join(dir, block.file ?? '');
      for (let n = 2; files.has(path); n++) path = join(dir, (block.file ?? '').replace(/\.ts$/, `~${n}.ts`));
      const prelude = PRELUDES[`${page}:${block.file}`];
      const offset = prelude === undefined ? 0 : prelude.split('\n').length;
      files.set(path, {
        text: prelude === undefined ? block.code : `${prelude}\n${block.code}`,
        page,
        pageLine: (l) => (l <= offset ? 0 : block.line + l - offset - 1),
      });
    }
    for (const [key, text] of Object.entries(PRELUDES)) {
      const [prefix, file] = key.split(':');
      if (prefix === page && file !== undefined && !files.has(join(dir, file)))
        files.set(join(dir, file), { text, page, pageLine: () => 0 });
    }
    const rollups = join(dir, 'rollups.ts');
    if (!files.has(rollups)) files.set(rollups, { text: REFERENCE_ROLLUPS, page, pageLine: () => 0 });
    const module = blocks.filter((b) => b.file === undefined);
    if (module.length === 0) continue;
    const prelude = PRELUDES[page] ?? '';
    const imported = new Set<string>();
    dropRepeatedImports(prelude, imported);
    const starts: Array<{ at: number; block: Block }> = [];
    let text = prelude;
    let line = prelude === '' ? 1 : prelude.split('\n').length + 1;
    for (const block of module) {
      const code = dropRepeatedImports(block.code, imported);
      text += `${text === '' ? '' : '\n'}${code}`;
      starts.push({ at: line, block });
      line += code.split('\n').length;
    }
    files.set(join(dir, 'page.ts'), {
      text,
      page,
      pageLine: (l) => {
        const found = starts.findLast((s) => s.at <= l);
        return found === undefined ? 0 : found.block.line + l - found.at;
      },
    });
  }
  return files;
}

/**
 * Names the TSDoc examples leave to the reader: each is declared before an example that uses it without declaring
 * or importing it. (The examples' `./rollups.ts` is the reference rollups, with `jobs` and `scans` among them.)
 */
const EXAMPLE_NAMES: Record<string, string> = {
  client: "declare const client: import('@aws-sdk/client-dynamodb').DynamoDBClient;",
  redis: "declare const redis: import('ioredis').Redis;",
  event: "declare const event: import('dynotally').StreamBatchEvent;",
  error: 'declare const error: unknown;',
  bad: "declare const bad: Parameters<typeof import('dynotally').defineRollup>[0];",
  dashboardFunction: "declare const dashboardFunction: import('aws-cdk-lib/aws-iam').IGrantable;",
  ...Object.fromEntries(
    ['storeMetrics', 'jobsPerCustomer', 'scansPerProject', 'jobs', 'scans'].map((name) => [
      name,
      `import { ${name} } from './rollups.ts';`,
    ]),
  ),
};

/** Each source file (not a test) under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.includes('.test.') && !f.includes('fixtures'))
    .map((f) => posix.join(dir, f));
}

/** The names a block declares or imports at its top level. */
function declaredNames(code: string): Set<string> {
  const source = ts.createSourceFile('block.ts', code, ts.ScriptTarget.ES2022, true);
  const names = new Set<string>();
  const bind = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.name) names.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) names.add(e.name.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) bind(d.name);
    } else if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) &&
      statement.name !== undefined
    ) {
      names.add(statement.name.text);
    }
  }
  return names;
}

/**
 * The TSDoc @example blocks of the packages' sources that import from a package entry, each a module of its own,
 * with the names it leaves to the reader declared before it.
 */
function exampleFiles(): Map<string, Virtual> {
  const files = new Map<string, Virtual>();
  for (const file of [...sources('packages/dynotally/src'), ...sources('packages/dynotally-cli/src')]) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const dir = join(VIRTUAL, 'tsdoc', file);
    let n = 0;
    for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      const firstLine = text.slice(0, comment.index).split('\n').length;
      const lines = comment[0].split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
      for (const block of lines.join('\n').matchAll(/```ts\n([\s\S]*?)```/g)) {
        const code = block[1] ?? '';
        if (!/from '(?:dynotally(?:\/\w+)?|dynotally-cli)'/.test(code)) continue;
        const line = firstLine + lines.join('\n').slice(0, block.index).split('\n').length;
        const declared = declaredNames(code);
        const used = new Set(code.match(/\b\w+\b/g));
        const prelude = Object.entries(EXAMPLE_NAMES)
          .filter(([name]) => used.has(name) && !declared.has(name))
          .map(([, declaration]) => declaration);
        n += 1;
        files.set(join(dir, `example-${n}.ts`), {
          text: [...prelude, code].join('\n'),
          page: file,
          pageLine: (l) => (l <= prelude.length ? 0 : line + l - prelude.length - 1),
        });
      }
    }
    if (n > 0)
      files.set(join(dir, 'rollups.ts'), {
        text: `${REFERENCE_ROLLUPS}\nexport { jobsPerCustomer as jobs, scansPerProject as scans } from ${SCENARIOS};`,
        page: file,
        pageLine: () => 0,
      });
  }
  return files;
}

/** The options of a user's project: strict, NodeNext; the packages resolved to their sources. */
const OPTIONS: ts.CompilerOptions = {
  strict: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  types: ['node'],
  skipLibCheck: true,
  noEmit: true,
  // the packages' sources import each other with .ts extensions (their own tsconfig allows it)
  allowImportingTsExtensions: true,
  paths: {
    dynotally: [join(ROOT, 'packages/dynotally/src/index.ts')],
    'dynotally/*': [join(ROOT, 'packages/dynotally/src/*/index.ts')],
    'dynotally-cli': [join(ROOT, 'packages/dynotally-cli/src/cli/index.ts')],
  },
};

/** Type errors of the virtual files, as `page:line: TSnnnn message`. */
function typeErrors(files: Map<string, Virtual>): string[] {
  const host = ts.createCompilerHost(OPTIONS);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  const dirs = new Set<string>();
  for (const f of files.keys()) for (let d = dirname(f); d.startsWith(VIRTUAL); d = dirname(d)) dirs.add(d);
  host.fileExists = (f) => files.has(f) || fileExists(f);
  host.directoryExists = (d) => dirs.has(d) || (directoryExists?.(d) ?? ts.sys.directoryExists(d));
  host.readFile = (f) => files.get(f)?.text ?? readFile(f);
  host.getSourceFile = (f, language, ...rest) => {
    const text = files.get(f)?.text;
    return text === undefined ? getSourceFile(f, language, ...rest) : ts.createSourceFile(f, text, language);
  };
  const program = ts.createProgram({ rootNames: [...files.keys()], options: OPTIONS, host });
  return [...files].flatMap(([name, virtual]) => {
    const source = program.getSourceFile(name);
    if (source === undefined) return [`${virtual.page}: ${name} was not read`];
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map(
      (d) => {
        const line = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line + 1;
        return `${virtual.page}:${virtual.pageLine(line)}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
      },
    );
  });
}

describe('the TypeScript blocks of the docs and of the TSDoc examples', () => {
  const found = pages().map((page) => blocksOf(page, readFileSync(join(ROOT, page), 'utf8')));
  const blocks = found.flatMap((f) => f.blocks);
  const examples = exampleFiles();
  // one program for the pages and the examples: the library is type-checked once
  let errors: string[] | undefined;
  const errorsOf = (prefix: (page: string) => boolean): string[] => {
    errors ??= typeErrors(new Map([...virtualFiles(blocks), ...examples]));
    return errors.filter((e) => prefix(e.slice(0, e.indexOf(':'))));
  };

  it('are found on the pages, and skipped only with a reason, rarely', () => {
    expect(blocks.length).toBeGreaterThan(30);
    const skipped = found.flatMap((f) => f.skipped);
    expect(skipped.length).toBeLessThanOrEqual(12);
    // a marker the test does not understand (no reason, a misspelling) would leave its block checked, or not
    const markers = pages().flatMap((page) =>
      readFileSync(join(ROOT, page), 'utf8')
        .split('\n')
        .flatMap((l, i) =>
          /<!--\s*ts-check/.test(l) && !SKIP.test(l.trim()) ? [`${page}:${i + 1}: ${l}`] : [],
        ),
    );
    expect(markers).toEqual([]);
    expect([...examples.keys()].filter((f) => !f.endsWith('rollups.ts')).length).toBeGreaterThan(10);
  });

  it('of the Markdown pages type-check under strict TypeScript, NodeNext, against the packages in the tree', () => {
    expect(errorsOf((page) => page.endsWith('.md'))).toEqual([]);
  });

  it('of the TSDoc examples that import from a package entry type-check the same way', () => {
    expect(errorsOf((page) => page.endsWith('.ts'))).toEqual([]);
  });
});
