import type { LateProbe } from '../apply/late-probe.ts';
import type { CompiledRollup } from '../definition/index.ts';
import type { PoisonRecord } from '../fold/index.ts';
import { mergeRefusals, type Refusal } from './merge-refusals.ts';

/**
 * What tells a record's letters apart over the versions' appliers: the record's own sequence number, as the
 * dead-letter sink keys its letter (`toDeadLetter`; a record without one is poison before any applier sees it, and
 * keyed by its place). Not the poison's `sequenceNumber`: a store refusal carries the change's padded one
 * (`0000…0102`), a late record's letter the record's (`102`), so a record one version settles while another
 * dead-letters it as late had two letters, not merged, of which the sink stored only the first (review s37r).
 *
 * @example
 * ```ts
 * letterKey(poison); // '4100000000012345'
 * ```
 */
export function letterKey(p: PoisonRecord): string {
  return p.record?.dynamodb?.SequenceNumber ?? p.sequenceNumber ?? `index-${p.index}`;
}

/**
 * The `RECORD_TOO_OLD` letters of a batch's late records, probed in every version before any is written
 * (`Applier.probeLate`), one a record with the rows of each version it is pending in ({@link mergeRefusals}): to be
 * stored before the rest of the batch moves any version's rows past the record (review s37v), and their keys
 * ({@link letterKey}), whose letters are then not sent again. `placed` gives each letter its place in the batch as
 * delivered. A record a version keeps to settle instead (an earlier delivery recorded its refusal there, less than
 * 24 h 40 min ago) is left out: its letter needs the rows that version's settle leaves it pending in, known only
 * once it is written, and is merged after the batch with the others.
 *
 * @example
 * ```ts
 * const first = lateLettersFirst([{ probe: servingProbe, rollups: [v1] }, { probe: buildingProbe, rollups: [v2] }], placed);
 * await sink.send(first.letters.map(toLetter));
 * ```
 */
export function lateLettersFirst(
  probes: readonly { readonly probe: LateProbe; readonly rollups: readonly CompiledRollup[] }[],
  placed: (p: PoisonRecord) => PoisonRecord,
): { letters: PoisonRecord[]; keys: Set<string> } {
  const settled = new Set<string>();
  for (const { probe } of probes)
    for (const r of probe.settle)
      if (r.dynamodb?.SequenceNumber !== undefined) settled.add(r.dynamodb.SequenceNumber);
  const byRecord = new Map<string, Refusal[]>();
  for (const { probe, rollups } of probes) {
    for (const p of probe.poison) {
      if (p.sequenceNumber !== undefined && settled.has(p.sequenceNumber)) continue;
      const key = letterKey(p);
      const list = byRecord.get(key) ?? [];
      list.push({ poison: placed(p), rollups });
      byRecord.set(key, list);
    }
  }
  const letters = [...byRecord.values()].map(mergeRefusals);
  return { letters, keys: new Set(letters.map(letterKey)) };
}
