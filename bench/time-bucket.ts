// Micro benchmark of ZoneCalendar.bucket() — the fold's hot path. Not a test.
//   npx tsx bench/time-bucket.ts [zone]
// Times advance by ~1 s per call, as when a batch of stream records is folded in order.
import { calendarFor, type GranularitySpec, parseGranularity } from '../packages/dynotally/src/time/index.ts';

const zone = process.argv[2] ?? 'Europe/London';
const cal = calendarFor(zone);
const N = 20_000_000;
const T0 = Date.UTC(2026, 0, 1);

function rate(specs: GranularitySpec[]): number {
  let sink = 0;
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    const t = T0 + i * 1000 + (i & 7);
    for (let j = 0; j < specs.length; j++) sink += cal.bucket(specs[j]!, t).end - t;
  }
  const ms = performance.now() - started;
  if (sink === 42) console.log('');
  return (N * specs.length) / ms / 1000; // million calls per second
}

function baseline(): number {
  const box = { start: 0, end: Number.POSITIVE_INFINITY };
  const inside = (t: number) => (t >= box.start && t < box.end ? box : box);
  let sink = 0;
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    const t = T0 + i * 1000 + (i & 7);
    sink += inside(t).start - t;
  }
  if (sink === 42) console.log('');
  return N / (performance.now() - started) / 1000;
}

const cases: [string, string[]][] = [
  ['day', ['day']],
  ['month', ['month']],
  ['hour', ['hour']],
  ['15m', ['15m']],
  ['week', ['week']],
  ['minute', ['minute']],
  ['day+month+hour', ['day', 'month', 'hour']],
];
const best = new Map<string, number>();
for (let round = 0; round < 5; round++) {
  best.set('(loop baseline)', Math.max(best.get('(loop baseline)') ?? 0, baseline()));
  for (const [name, ids] of cases)
    best.set(name, Math.max(best.get(name) ?? 0, rate(ids.map(parseGranularity))));
}
console.log(`bucket() in ${zone}, best of 5 rounds of ${N / 1e6} M steps (1 s apart):`);
for (const [name, mps] of best) console.log(`  ${name.padEnd(16)} ${mps.toFixed(1)} M calls/s`);
