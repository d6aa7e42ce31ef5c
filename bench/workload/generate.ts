import { mulberry32 } from './prng.ts';
import {
  DEFAULT_SEED,
  DEFAULT_SPAN_MS,
  DEFAULT_START_MS,
  type Operation,
  type SourceItem,
  type SourceKey,
  type WorkloadOptions,
} from './types.ts';
import { zipfSampler } from './zipf.ts';

/** One generated change with both images, the form stream records are built from. */
export interface WorkloadStep {
  kind: 'INSERT' | 'MODIFY' | 'REMOVE';
  key: SourceKey;
  oldItem?: SourceItem;
  newItem?: SourceItem;
  /** Simulated wall-clock time of the write, epoch ms (non-decreasing). */
  at: number;
}

const VIEW = 0;
const ORDER = 1;

/**
 * The workload as a lazy sequence of steps. Live items are kept in typed arrays (about 23 bytes
 * per event), so a million steps need no per-item objects beyond the ones yielded.
 *
 * Distribution: each step modifies an earlier live item with probability `modifyShare`, removes one
 * with `removeShare`, and otherwise inserts a new event. Stores follow Zipf(`zipfS`) with
 * `store-0001` the most popular. Time moves evenly through `[startMs, startMs + spanMs)`; event
 * times trail the write time by 0–3 s (95 %), up to 10 min (4 %) or up to 3 h (1 %), so some events
 * arrive late. A modify changes, with equal chance, the type (order ⇄ view), the store, or the event
 * time (by 1–90 min either way).
 *
 * @example
 * ```ts
 * for (const step of workloadSteps({ seed: 7, events: 1_000 })) console.log(step.kind, step.newItem?.storeId);
 * ```
 */
export function* workloadSteps(options: WorkloadOptions): Generator<WorkloadStep> {
  const events = options.events;
  const random = mulberry32(options.seed ?? DEFAULT_SEED);
  const startMs = options.startMs ?? DEFAULT_START_MS;
  const spanMs = options.spanMs ?? DEFAULT_SPAN_MS;
  const storeCount = options.stores ?? 1_000;
  const modifyShare = options.modifyShare ?? 0.05;
  const removeShare = options.removeShare ?? 0.05;
  const orderShare = options.orderShare ?? 0.1;
  const drawStore = zipfSampler(storeCount, options.zipfS ?? 1.1);
  const width = Math.max(4, String(storeCount).length);
  const storeNames = Array.from(
    { length: storeCount },
    (_, i) => `store-${String(i + 1).padStart(width, '0')}`,
  );

  const storeOf = new Uint16Array(events);
  const typeOf = new Uint8Array(events);
  const tsOf = new Float64Array(events);
  const centsOf = new Uint32Array(events);
  const live = new Int32Array(events);
  const posOf = new Int32Array(events);
  let liveCount = 0;
  let nextId = 0;

  const item = (id: number): SourceItem => {
    const it: SourceItem = {
      pk: `evt#${id + 1}`,
      storeId: storeNames[storeOf[id]!]!,
      type: typeOf[id] === ORDER ? 'order' : 'view',
      ts: tsOf[id]!,
    };
    if (typeOf[id] === ORDER) it.amount = centsToDecimal(centsOf[id]!);
    return it;
  };
  const newCents = (): number => 100 + Math.floor(random() * 49_900);

  for (let i = 0; i < events; i++) {
    const at = startMs + Math.floor((i * spanMs) / events);
    const r = random();
    if (liveCount > 0 && r < modifyShare + removeShare) {
      const id = live[Math.floor(random() * liveCount)]!;
      const key = { pk: `evt#${id + 1}` };
      const oldItem = item(id);
      if (r < modifyShare) {
        const what = Math.floor(random() * 3);
        if (what === 0) {
          typeOf[id] = typeOf[id] === ORDER ? VIEW : ORDER;
          if (typeOf[id] === ORDER) centsOf[id] = newCents();
        } else if (what === 1) {
          const before = storeOf[id];
          let next = before;
          while (next === before) next = drawStore(random()) - 1;
          storeOf[id] = next!;
        } else {
          const minutes = 1 + Math.floor(random() * 90);
          tsOf[id] = tsOf[id]! + (random() < 0.5 ? -1 : 1) * minutes * 60_000;
        }
        yield { kind: 'MODIFY', key, oldItem, newItem: item(id), at };
      } else {
        const pos = posOf[id]!;
        const last = live[--liveCount]!;
        live[pos] = last;
        posOf[last] = pos;
        yield { kind: 'REMOVE', key, oldItem, at };
      }
      continue;
    }
    const id = nextId++;
    storeOf[id] = drawStore(random()) - 1;
    const isOrder = random() < orderShare;
    typeOf[id] = isOrder ? ORDER : VIEW;
    if (isOrder) centsOf[id] = newCents();
    const u = random();
    const lateMs = u < 0.95 ? random() * 3_000 : u < 0.99 ? random() * 600_000 : random() * 3 * 3_600_000;
    tsOf[id] = at - Math.round(lateMs);
    live[liveCount] = id;
    posOf[id] = liveCount++;
    const newItem = item(id);
    yield { kind: 'INSERT', key: { pk: newItem.pk }, newItem, at };
  }
}

/**
 * The workload as a lazy sequence of source-table operations.
 *
 * @example
 * ```ts
 * let puts = 0;
 * for (const op of workloadOperations({ seed: 1, events: 10_000 })) if (op.op === 'put') puts++;
 * ```
 */
export function* workloadOperations(options: WorkloadOptions): Generator<Operation> {
  for (const step of workloadSteps(options)) {
    yield step.kind === 'REMOVE'
      ? { op: 'delete', key: step.key, at: step.at }
      : { op: 'put', item: step.newItem!, at: step.at };
  }
}

/**
 * The workload as an array of operations in write order. Same seed, same operations.
 *
 * @example
 * ```ts
 * const ops = generateWorkload({ seed: 20261025, events: 300 });
 * ops[0]; // { op: 'put', item: { pk: 'evt#1', storeId: 'store-0003', type: 'view', ts: … }, at: … }
 * ```
 */
export function generateWorkload(options: WorkloadOptions): Operation[] {
  return Array.from(workloadOperations(options));
}

function centsToDecimal(cents: number): string {
  const whole = Math.floor(cents / 100);
  const frac = cents % 100;
  return `${whole}.${frac < 10 ? '0' : ''}${frac}`;
}
