// Realistic source items and operations for the five reference systems (S0–S4), and the same rollups
// described by hand in the oracle's terms. Deterministic (seeded), so a failure reproduces.
import type { AttributeValue } from 'aws-lambda';
import type { Img, OracleSpec, Pipeline } from '../support/pipeline.ts';

export type Op =
  | { kind: 'put'; item: Img }
  | { kind: 'update'; id: string; set: Img; remove?: string[] }
  | { kind: 'delete'; id: string; ttl?: boolean };

/** mulberry32: a small seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number | string): AttributeValue => ({ N: String(n) });
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A helper to generate operations while keeping track of the items they leave. */
class OpLog {
  readonly ops: Op[] = [];
  readonly live = new Map<string, Img>();
  constructor(readonly random: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)] as T;
  }
  /** Zipf-ish pick: the first entries are much more frequent. */
  skewed<T>(xs: readonly T[]): T {
    return xs[Math.min(xs.length - 1, Math.floor(xs.length * this.random() ** 2))] as T;
  }
  put(item: Img): void {
    this.ops.push({ kind: 'put', item });
    this.live.set(item.id?.S as string, item);
  }
  update(id: string, set: Img, remove: string[] = []): void {
    this.ops.push({ kind: 'update', id, set, ...(remove.length > 0 ? { remove } : {}) });
    const next = { ...(this.live.get(id) as Img), ...set };
    for (const r of remove) delete next[r];
    this.live.set(id, next);
  }
  remove(id: string, ttl = false): void {
    this.ops.push({ kind: 'delete', id, ...(ttl ? { ttl } : {}) });
    this.live.delete(id);
  }
  liveIds(prefix: string): string[] {
    return [...this.live.keys()].filter((k) => k.startsWith(prefix));
  }
}

/** A recent hour start, so minute and hour rows are well inside their retention. */
export function recentBase(now = Date.now()): number {
  return Math.floor(now / HOUR) * HOUR - 2 * DAY;
}

/** S0 — jobs per customer: inserts, customer/time/type moves, unrelated edits, deletes (some by TTL). */
export function jobsOps(seed: number, base = recentBase(), count = 40): Op[] {
  const log = new OpLog(rng(seed));
  const customers = ['c-1', 'c-2', 'c-3', 'c#4', 'ü-5'];
  const t = () => base + log.int(0, 40 * HOUR);
  for (let i = 0; i < count; i++) {
    log.put({
      id: S(`job-${seed}-${i}`),
      type: S('job'),
      customerId: S(log.skewed(customers)),
      createdAt: N(t()),
      status: S('queued'),
      payload: S('x'.repeat(log.int(10, 400))),
    });
    if (i % 9 === 4)
      log.put({ id: S(`other-${seed}-${i}`), type: S('invoice'), customerId: S('c-1'), createdAt: N(t()) });
    if (i % 4 === 3) {
      const id = log.pick(log.liveIds(`job-${seed}-`));
      const r = log.random();
      if (r < 0.25) log.update(id, { customerId: S(log.pick(customers)) });
      else if (r < 0.5) log.update(id, { createdAt: N(t()) });
      else if (r < 0.65)
        log.update(id, { type: S('batch') }); // leaves the rollup's match
      else log.update(id, { status: S('done') }); // an edit the rollup does not read: nets to zero
    }
    if (i % 7 === 6) log.remove(log.pick(log.liveIds(`job-${seed}-`)), log.random() < 0.4);
  }
  // a filtered-out job comes back; a job inserted and deleted shortly after
  const batchJob = [...log.live.entries()].find(([, v]) => v.type?.S === 'batch');
  if (batchJob) log.update(batchJob[0], { type: S('job') });
  log.put({ id: S(`job-${seed}-flash`), type: S('job'), customerId: S('c-2'), createdAt: N(t()) });
  log.update(`job-${seed}-flash`, { status: S('running') });
  log.remove(`job-${seed}-flash`);
  return log.ops;
}

const iso = (ms: number, offsetMinutes: number): string => {
  if (offsetMinutes === 0) return new Date(ms).toISOString();
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};

/** S1 — file scans per project (New York calendar): ISO times with offsets, across a month end and DST end. */
export function scansOps(seed: number, count = 40): Op[] {
  const log = new OpLog(rng(seed));
  const projects = ['p-alpha', 'p-beta', 'p-gamma', ''];
  const start = Date.UTC(2026, 9, 31, 0, 0); // Oct 31 (New York: Oct 30 20:00), over Nov 1 (DST ends)
  const t = () => start + log.int(0, 60 * HOUR) + log.int(0, 999);
  const at = () => iso(t(), log.pick([0, -240, -300, 330]));
  for (let i = 0; i < count; i++) {
    const item: Img = {
      id: S(`scan-${seed}-${i}`),
      type: S('scan'),
      projectId: S(log.skewed(projects)),
      scannedAt: S(at()),
      fileName: S(`f${i}.pdf`),
    };
    if (i % 6 !== 5)
      item.bytes = N(log.pick(['1024', '73400320', '5497558138880', '12.5', '99999999999999999999999999']));
    log.put(item);
    if (i % 4 === 2) {
      const id = log.pick(log.liveIds(`scan-${seed}-`));
      const r = log.random();
      if (r < 0.3) log.update(id, { projectId: S(log.pick(projects)) });
      else if (r < 0.6) log.update(id, { scannedAt: S(at()) });
      else if (r < 0.8) log.update(id, { bytes: N(log.int(1, 10_000)) });
      else log.update(id, {}, ['bytes']);
    }
    if (i % 8 === 7) log.remove(log.pick(log.liveIds(`scan-${seed}-`)), log.random() < 0.3);
  }
  return log.ops;
}

/** S2 — restaurant favourites (Kolkata calendar): favourite +1, unfavourite −1, re-favourite, across a month end. */
export function favouritesOps(seed: number, count = 50): Op[] {
  const log = new OpLog(rng(seed));
  const restaurants = ['r-pizza', 'r-sushi', 'r-taco', 'r-dosa', 'r-pho', 'r-mezze'];
  const start = Date.UTC(2026, 0, 30, 12, 0); // Jan 30 → Feb 2 in Kolkata (+5:30)
  const t = () => Math.floor((start + log.int(0, 72 * HOUR)) / 1000);
  for (let i = 0; i < count; i++) {
    const user = `u-${log.int(1, 25)}`;
    const restaurant = log.skewed(restaurants);
    const id = `fav-${seed}-${user}-${restaurant}`;
    if (log.live.has(id))
      log.remove(id, log.random() < 0.3); // unfavourite
    else
      log.put({
        id: S(id),
        type: S('favourite'),
        userId: S(user),
        restaurantId: S(restaurant),
        createdAt: N(t()),
      });
    if (i % 10 === 9) {
      const ids = log.liveIds(`fav-${seed}-`);
      const moved = log.pick(ids);
      if (log.random() < 0.5) log.update(moved, { createdAt: N(t()) });
      else log.update(moved, { restaurantId: S(log.pick(restaurants)) });
    }
  }
  // favourited, unfavourited and favourited again
  const id = `fav-${seed}-u-99-r-pho`;
  log.put({
    id: S(id),
    type: S('favourite'),
    userId: S('u-99'),
    restaurantId: S('r-pho'),
    createdAt: N(t()),
  });
  log.remove(id);
  log.put({
    id: S(id),
    type: S('favourite'),
    userId: S('u-99'),
    restaurantId: S('r-pho'),
    createdAt: N(t()),
  });
  return log.ops;
}

/**
 * S3 — smart-meter energy (London calendar): readings, identical re-sends (no stream record at all),
 * re-sends that only touch ingest metadata (a MODIFY whose read attributes are unchanged), corrections,
 * deletes. Returns how many metadata-only re-sends it made.
 */
export function energyOps(
  seed: number,
  base = recentBase(),
  count = 45,
): { ops: Op[]; metadataResends: number } {
  const log = new OpLog(rng(seed));
  const devices = ['m-1', 'm-2', 'm-3'];
  let metadataResends = 0;
  for (let i = 0; i < count; i++) {
    const deviceId = log.pick(devices);
    const ts = Math.floor((base + log.int(0, 36 * HOUR)) / 1000 / 10) * 10; // a reading every 10 s
    const id = `rd-${deviceId}-${ts}`;
    if (log.live.has(id)) continue;
    const reading: Img = {
      id: S(id),
      type: S('reading'),
      deviceId: S(deviceId),
      ts: N(ts),
      wh: N(`${log.int(0, 40)}.${String(log.int(0, 9999)).padStart(4, '0')}`),
      watts: N(log.pick(['0', '230', '1500.5', '2999.75', String(log.int(1, 4000))])),
      receivedAt: N(ts + 1),
    };
    log.put(reading);
    if (i % 5 === 1) log.put(reading); // identical re-send
    if (i % 5 === 3) {
      log.put({ ...reading, receivedAt: N(ts + 30) }); // re-sent later: same reading, new ingest time
      metadataResends++;
    }
    if (i % 9 === 8) log.update(log.pick(log.liveIds('rd-')), { wh: N(`${log.int(0, 9)}.5`) }); // a correction
    if (i % 11 === 10) log.remove(log.pick(log.liveIds('rd-')), log.random() < 0.5);
  }
  return { ops: log.ops, metadataResends };
}

/** S4 — store metrics (London calendar): orders and views across a year end and both DST changes. */
export function storeOps(seed: number, count = 50): Op[] {
  const log = new OpLog(rng(seed));
  const stores = ['s-1', 's-2', 's-3', 's-4'];
  const anchors = [Date.UTC(2025, 11, 31, 22, 0), Date.UTC(2026, 2, 29, 0, 0), Date.UTC(2026, 9, 24, 23, 0)];
  const t = () => log.pick(anchors) + log.int(0, 4 * HOUR) + log.int(0, 999);
  for (let i = 0; i < count; i++) {
    const type = log.random() < 0.35 ? 'order' : log.random() < 0.9 ? 'view' : 'cart';
    log.put({
      id: S(`ev-${seed}-${i}`),
      type: S(type),
      storeId: S(log.skewed(stores)),
      ts: N(t()),
      ...(type === 'order' ? { total: N('49.99') } : {}),
    });
    if (i % 5 === 2) {
      const id = log.pick(log.liveIds(`ev-${seed}-`));
      const r = log.random();
      if (r < 0.35)
        log.update(id, { type: S('order') }); // a view becomes an order: filter outcome moves
      else if (r < 0.6) log.update(id, { storeId: S(log.pick(stores)) });
      else log.update(id, { ts: N(t()) });
    }
    if (i % 9 === 8) log.remove(log.pick(log.liveIds(`ev-${seed}-`)), log.random() < 0.3);
  }
  log.put({ id: S(`ev-${seed}-nostore`), type: S('order'), ts: N(t()) }); // no storeId: not a member, not poison (no match)
  return log.ops;
}

/** Interleaves operation lists, keeping each list's order (so every item's history stays consistent). */
export function interleave(lists: readonly Op[][], seed: number): Op[] {
  const random = rng(seed);
  const queues = lists.map((l) => [...l]);
  const out: Op[] = [];
  for (;;) {
    const open = queues.filter((q) => q.length > 0);
    if (open.length === 0) return out;
    out.push((open[Math.floor(random() * open.length)] as Op[]).shift() as Op);
  }
}

/**
 * Runs operations against the pipeline's source table: each item's operations in order, different items'
 * operations up to `concurrency` at a time (as concurrent writers would).
 */
export async function run(pipeline: Pipeline, ops: readonly Op[], concurrency = 8): Promise<void> {
  const exec = (op: Op): Promise<void> => {
    if (op.kind === 'put') return pipeline.put(op.item);
    if (op.kind === 'update') return pipeline.update(op.id, op.set, op.remove);
    return pipeline.remove(op.id, { ttl: op.ttl === true });
  };
  const tails = new Map<string, Promise<void>>();
  const inflight = new Set<Promise<void>>();
  for (const op of ops) {
    const id = op.kind === 'put' ? (op.item.id?.S as string) : op.id;
    const p = (tails.get(id) ?? Promise.resolve()).then(() => exec(op));
    tails.set(id, p);
    inflight.add(p);
    const done = () => inflight.delete(p);
    p.then(done, done);
    if (inflight.size >= concurrency) await Promise.race(inflight);
  }
  await Promise.all(inflight);
}

const num = (v: AttributeValue | undefined): number | undefined =>
  v?.N === undefined ? undefined : Number(v.N);

/** The five reference rollups in the oracle's terms, written from their definitions by hand. */
export const ORACLE: Record<'jobs' | 'scans' | 'favourites' | 'energy' | 'store', OracleSpec> = {
  jobs: {
    rollup: {
      name: 'jobs',
      match: { type: 'job' },
      groupBy: ['customerId'],
      zone: 'UTC',
      granularities: ['minute', 'hour', 'day'],
      measures: [{ name: 'jobs', kind: 'count' }],
      ttlDeletes: 'subtract',
    },
    timeMs: (img) => num(img.createdAt),
  },
  scans: {
    rollup: {
      name: 'scans',
      match: { type: 'scan' },
      groupBy: ['projectId'],
      zone: 'America/New_York',
      granularities: ['day', 'month'],
      measures: [
        { name: 'scans', kind: 'count' },
        { name: 'bytes', kind: 'sum', attribute: 'bytes' },
      ],
      ttlDeletes: 'subtract',
    },
    timeMs: (img) => (img.scannedAt?.S === undefined ? undefined : Date.parse(img.scannedAt.S)),
  },
  favourites: {
    rollup: {
      name: 'favourites',
      match: { type: 'favourite' },
      groupBy: ['restaurantId'],
      zone: 'Asia/Kolkata',
      granularities: ['month', 'all'],
      measures: [{ name: 'favourites', kind: 'count' }],
      ttlDeletes: 'subtract',
    },
    timeMs: (img) => (img.createdAt?.N === undefined ? undefined : Number(img.createdAt.N) * 1000),
  },
  energy: {
    rollup: {
      name: 'energy',
      match: { type: 'reading' },
      groupBy: ['deviceId'],
      zone: 'Europe/London',
      granularities: ['hour', 'day', 'month', 'year', 'all'],
      measures: [
        { name: 'wh', kind: 'sum', attribute: 'wh', granularities: ['hour', 'day', 'month', 'year'] },
        { name: 'power', kind: 'last', attribute: 'watts', granularities: ['all'] },
        { name: 'peak', kind: 'max', attribute: 'watts', granularities: ['day'] },
      ],
      ttlDeletes: 'subtract',
    },
    timeMs: (img) => (img.ts?.N === undefined ? undefined : Number(img.ts.N) * 1000),
  },
  store: {
    rollup: {
      name: 'store',
      groupBy: ['storeId'],
      zone: 'Europe/London',
      granularities: ['day', 'month', 'year', 'all'],
      measures: [
        { name: 'orders', kind: 'count', where: { type: 'order' } },
        { name: 'views', kind: 'count', where: { type: 'view' } },
      ],
      ttlDeletes: 'subtract',
    },
    timeMs: (img) => num(img.ts),
  },
};

/** A mixed workload of all five systems on one source table (single-table design). */
export function mixedOps(seed: number, scale = 1): Op[] {
  const base = recentBase();
  return interleave(
    [
      jobsOps(seed, base, Math.round(30 * scale)),
      scansOps(seed + 1, Math.round(25 * scale)),
      favouritesOps(seed + 2, Math.round(35 * scale)),
      energyOps(seed + 3, base, Math.round(30 * scale)).ops,
      storeOps(seed + 4, Math.round(35 * scale)),
    ],
    seed,
  );
}
