import { jobsPerCustomer } from '../rollups.ts';
import { diurnalPast, eventLagMs, idFactory } from './event-lag.ts';
import { LiveItems } from './live-items.ts';
import { CUSTOMERS } from './names.ts';
import { seededRandom } from './prng.ts';
import type { GeneratorOptions, ScenarioGenerator, ScenarioInfo, SourceChange, SourceItem } from './types.ts';
import { zipfPicker } from './zipf.ts';

const NEXT_STATUS: Readonly<Record<string, string>> = { queued: 'running', running: 'done' };
const HOUR_MS = 3_600_000;

/**
 * S0 — jobs per customer. Customers (Zipf 1.2) place jobs `{ type: 'job', customerId, createdAt (ms),
 * status }`; 10 % of changes move a job's status on (a MODIFY that leaves the count alone), 3 % cancel a
 * queued job (a REMOVE that takes it back out). History: jobs over the last 23 hours, day/night shaped.
 *
 * @example
 * ```ts
 * const gen = createJobsGenerator({ seed: 1 });
 * gen.next(Date.now()); // { kind: 'insert', item: { type: 'job', customerId: 'acme', … }, group: 'acme' }
 * ```
 */
export function createJobsGenerator(options: GeneratorOptions = {}): ScenarioGenerator {
  const random = seededRandom(options.seed ?? 0x5e0);
  const customer = zipfPicker(CUSTOMERS, 1.2);
  const newId = idFactory('job');
  const open = new LiveItems(2_000);

  const insert = (now: number, createdAt: number): SourceChange => {
    const customerId = customer(random);
    const item: SourceItem = {
      pk: `job#${customerId}`,
      sk: newId(now),
      type: 'job',
      customerId,
      createdAt,
      status: 'queued',
    };
    open.add(item);
    return { kind: 'insert', item, group: customerId };
  };

  return {
    id: 's0',
    next(now) {
      const u = random.next();
      if (u < 0.1 && open.size > 0) {
        const job = open.take(random) as SourceItem;
        const status = NEXT_STATUS[String(job.status)] ?? 'done';
        const item: SourceItem = { ...job, status };
        if (status !== 'done') open.add(item);
        return { kind: 'modify', item, group: String(job.customerId), previous: job };
      }
      if (u < 0.13 && open.size > 0) {
        const job = open.take(random) as SourceItem;
        return {
          kind: 'delete',
          key: { pk: job.pk, sk: job.sk },
          group: String(job.customerId),
          previous: job,
        };
      }
      return insert(now, now - eventLagMs(random));
    },
    history(now, count) {
      return Array.from({ length: count }, () => insert(now, diurnalPast(random, now, 23 * HOUR_MS)));
    },
  };
}

/**
 * S0's catalogue entry.
 *
 * @example
 * ```ts
 * s0Jobs.create({ seed: 7 }).next(Date.now());
 * ```
 */
export const s0Jobs: ScenarioInfo = {
  id: 's0',
  title: 'Jobs per customer',
  description:
    'customers place jobs (Zipf-skewed); status updates (MODIFY) and cancellations (REMOVE); counted per minute for a rolling 24 h',
  rollup: jobsPerCustomer,
  attributes: ['type', 'customerId', 'createdAt', 'status'],
  exampleGroup: { customerId: CUSTOMERS[0] as string },
  create: createJobsGenerator,
};
