// `npm test`: the type check and the linter run beside the test suite instead of before it (the suite is
// CPU-bound on 2 workers but leaves gaps, and tsc alone took ~55 s of CPU). The suite's output streams as it
// comes; the checks' output is held and printed after it, each under its own heading, so nothing interleaves.
// Fails (exit 1) when any of the three fails. Arguments go to vitest: `npm test -- test/apply`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** Runs a command with its output held; resolves with its exit code, output and duration. */
function held(title, command, args) {
  const started = Date.now();
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  return new Promise((resolve) => {
    child.once('error', (err) => resolve({ title, code: 1, output: String(err), seconds: 0 }));
    child.once('close', (code, signal) =>
      resolve({ title, code: code ?? (signal ? 1 : 0), output, seconds: (Date.now() - started) / 1000 }),
    );
  });
}

const checks = [
  held('typecheck (tsc --noEmit)', process.execPath, [
    join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '--noEmit',
  ]),
  held('lint (biome check .)', bin('biome'), ['check', '.']),
];

const suiteStarted = Date.now();
const vitest = spawn(bin('vitest'), ['run', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => vitest.kill(signal));
const suiteCode = await new Promise((resolve) =>
  vitest.once('close', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
);
const suiteSeconds = (Date.now() - suiteStarted) / 1000;

const results = await Promise.all(checks);
for (const r of results) {
  const status = r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`;
  console.log(`\n── ${r.title}: ${status} in ${r.seconds.toFixed(0)} s ──`);
  // a passing check shows its summary line; a failing one all it printed
  const lines = r.output.trimEnd().split('\n');
  const shown = r.code === 0 ? lines.slice(-1) : lines;
  if (shown.join('').trim()) console.log(shown.join('\n'));
}
const failed = [...results.filter((r) => r.code !== 0).map((r) => r.title)];
if (suiteCode !== 0) failed.push('vitest run');
console.log(
  `\n── npm test: ${failed.length === 0 ? 'passed' : `FAILED: ${failed.join(', ')}`} (vitest ${suiteSeconds.toFixed(0)} s) ──`,
);
process.exit(failed.length === 0 ? 0 : 1);
