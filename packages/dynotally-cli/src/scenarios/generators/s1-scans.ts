import { parseGranularity } from 'dynotally/time';
import { scansPerProject } from '../rollups.ts';
import { eventLagMs, idFactory } from './event-lag.ts';
import { isoWithOffset } from './iso-offset.ts';
import { LiveItems } from './live-items.ts';
import { PROJECTS } from './names.ts';
import { seededRandom } from './prng.ts';
import type { GeneratorOptions, ScenarioGenerator, ScenarioInfo, SourceChange, SourceItem } from './types.ts';
import { zipfPicker } from './zipf.ts';

const MONTH = parseGranularity('month');

/**
 * S1 — file scans per project. Scanners (Zipf 1.0 over projects) record `{ type: 'scan', projectId,
 * scannedAt (ISO-8601 with the scanner's UTC offset), bytes }`; 6 % of changes correct a scan's byte
 * count (MODIFY), 2 % purge a scan (REMOVE). History: scans since the start of this month in the rollup's
 * zone (America/New_York), so the quota panel starts part-way through the month.
 *
 * @example
 * ```ts
 * createScansGenerator().next(Date.now());
 * // { kind: 'insert', item: { type: 'scan', projectId: 'atlas', scannedAt: '2026-…-05:00', bytes: 48213, … }, … }
 * ```
 */
export function createScansGenerator(options: GeneratorOptions = {}): ScenarioGenerator {
  const random = seededRandom(options.seed ?? 0x5e1);
  const project = zipfPicker(PROJECTS, 1.0);
  const newId = idFactory('scan');
  const recent = new LiveItems(2_000);
  const calendar = scansPerProject.compiled.calendar;
  const fileBytes = (): number => Math.max(1, Math.round(Math.exp(random.normal(10.5, 1.6))));

  const insert = (now: number, at: number): SourceChange => {
    const p = project(random);
    const item: SourceItem = {
      pk: `scan#${p.id}`,
      sk: newId(now),
      type: 'scan',
      projectId: p.id,
      scannedAt: isoWithOffset(at, p.offset),
      bytes: fileBytes(),
    };
    recent.add(item);
    return { kind: 'insert', item, group: p.id };
  };

  return {
    id: 's1',
    next(now) {
      const u = random.next();
      if (u < 0.06 && recent.size > 0) {
        const scan = recent.pick(random) as SourceItem;
        const item: SourceItem = { ...scan, bytes: fileBytes() };
        recent.add(item);
        return { kind: 'modify', item, group: String(scan.projectId), previous: scan };
      }
      if (u < 0.08 && recent.size > 0) {
        const scan = recent.take(random) as SourceItem;
        return {
          kind: 'delete',
          key: { pk: scan.pk, sk: scan.sk },
          group: String(scan.projectId),
          previous: scan,
        };
      }
      return insert(now, now - eventLagMs(random));
    },
    history(now, count) {
      const start = calendar.bucket(MONTH, now).start;
      return Array.from({ length: count }, () =>
        insert(now, start + Math.floor(random.next() * (now - start))),
      );
    },
  };
}

/**
 * S1's catalogue entry.
 *
 * @example
 * ```ts
 * s1Scans.rollup.name; // 'scans'
 * ```
 */
export const s1Scans: ScenarioInfo = {
  id: 's1',
  title: 'File scans per project',
  description:
    'scanners record scans with ISO-8601 times in their own UTC offset and a byte count; byte corrections (MODIFY) and purges (REMOVE); monthly count against a quota',
  rollup: scansPerProject,
  attributes: ['type', 'projectId', 'scannedAt', 'bytes'],
  exampleGroup: { projectId: (PROJECTS[0] as { id: string }).id },
  create: createScansGenerator,
};
