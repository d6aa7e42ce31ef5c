// Proves the integration tier starts on an overloaded machine: busy-loop child processes push the 1-minute load
// average to a target (default 15), then `vitest run` of the given int files (default one small file) runs under
// that load; prints how long DynamoDB Local took to answer and exits with vitest's code.
//
//   npx tsx test/load/start-under-load.ts [--load 15] [--busy 16] [files…]
import { type ChildProcess, spawn } from 'node:child_process';
import { loadavg } from 'node:os';

const load1 = (): number => loadavg()[0] ?? 0;
const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  args.splice(i, 2);
  return v;
};
const target = flag('--load', 15);
const busyCount = flag('--busy', 16);
const files = args.length > 0 ? args : ['src/tables/tables.int.test.ts'];

const busy: ChildProcess[] = [];
const stopBusy = () => {
  for (const c of busy) c.kill('SIGKILL');
};
process.on('exit', stopBusy);
for (let i = 0; i < busyCount; i++)
  busy.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));

const t0 = Date.now();
while (load1() < target) {
  if (Date.now() - t0 > 300_000) break;
  await new Promise((r) => setTimeout(r, 2_000));
}
console.log(
  `[load] 1-minute load average ${load1().toFixed(1)} (target ${target}, ${busyCount} busy loops) after ${Math.round((Date.now() - t0) / 1000)} s`,
);

const started = Date.now();
const vitest = spawn('npx', ['vitest', 'run', ...files, '--maxWorkers=1'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
vitest.stdout?.on('data', (d: Buffer) => {
  out += d.toString();
  process.stdout.write(d);
});
const code = await new Promise<number>((resolve) => vitest.once('exit', (c) => resolve(c ?? 1)));
const peak = load1();
stopBusy();
const ddb = /DynamoDB Local ready at \S+ in ([\d.]+) s/.exec(out)?.[1];
console.log(
  `[load] vitest exited ${code} after ${Math.round((Date.now() - started) / 1000)} s; DynamoDB Local answered after ${ddb ?? '?'} s; load average at the end ${peak.toFixed(1)}`,
);
process.exit(code);
