import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { Applier, toDeadLetter } from '../apply/applier.ts';
import { mapLimit } from '../apply/map-limit.ts';
import {
  pruneAfterSeconds,
  type RedeliveryOptions,
  WATERMARK_ITEM_KEEP_SECONDS,
} from '../apply/redelivery-horizon.ts';
import { withRetry } from '../apply/retry.ts';
import type { Image } from '../decode/index.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import type { PoisonRecord } from '../fold/index.ts';
import { segmentConcurrencyOf } from '../scan/segment-concurrency.ts';
import { requireTable } from '../tables/existing-table.ts';
import { claimTableSpec, describeTable } from '../tables/index.ts';
import { claimPrefix } from '../versions/claim-scope.ts';
import { bindClaimTable } from '../versions/claim-table-binding.ts';
import type { VersionEntry } from '../versions/control-item.ts';
import { promoteVersion, readControl, recordBackfill, registerVersions } from '../versions/control-store.ts';
import { bindSourceTable } from '../versions/source-binding.ts';
import { asVersion } from '../versions/version-prefix.ts';
import type {
  BackfillEstimate,
  BackfillOptions,
  BackfillProgress,
  BackfillReport,
} from './backfill-options.ts';
import {
  claimsItem,
  countable,
  foldRefusal,
  memberBits,
  refusedAt,
  refusedBits,
  scanClaimOf,
  scanVerdict,
} from './chunk-members.ts';
import { type Claim, type ImageSpill, projectImage, type ScanClaim } from './claim.ts';
import { emptyClaimBatchStats, putNewClaims } from './claim-batch.ts';
import { claimKey } from './claim-item.ts';
import { CLAIM_TTL_MS } from './claim-lifetime.ts';
import { putClaim, readClaimImage, readClaims } from './claim-store.ts';
import { scanRecord } from './decided-records.ts';
import { earlierProgress } from './earlier-progress.ts';
import { expiredHistoryRefusal } from './expired-history.ts';
import { journalCut } from './journal-cut.ts';
import { ownSegments } from './own-segments.ts';
import { parseProgress, progressKey, progressTtlSeconds, type SegmentProgress } from './progress-item.ts';
import { otherSegmentCount, type RunAsked, refusalOf, throwRefusalAt } from './run-refusals.ts';
import { recordSlot, StateSlots, slotOffset, stateShardId } from './state-slots.ts';
import { stillBuilding } from './still-building.ts';
import { targetVersion } from './target-version.ts';

const READ_PRICE = 0.125 / 1e6;
const WRITE_PRICE = 0.625 / 1e6;

/**
 * Builds a `building` version's past from the source table: a parallel (`segmentConcurrency` segments at a time),
 * rate-limited, resumable Scan whose items are claimed per item (the stream claims the items it reaches first) and
 * folded into the version under row watermarks of the scan's own segments. Every chunk is journaled before it is claimed, so a backfill
 * stopped or killed anywhere resumes from its last completed chunk and counts each item once. When every
 * segment is done the version becomes `ready` (and is promoted with `promote`). Several processes may build one
 * version (`onlySegments`, or two repairs): the segment count is the first recorded start's, so a process that
 * read the version before another recorded its start builds with that count, or is refused when given another;
 * an end another process recorded first is left as it is.
 *
 * The stream side must already fold the version (deploy `createVersionedWriteSide` with the new definition
 * first: it registers the version); the scan waits `settleMs` after the registration.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for a bad `chunkItems`, `segments`, `segmentConcurrency`,
 *   `claimConcurrency` (a whole number ≥ 1), `readUnitsPerSecond` (above 0), `settleMs` (finite, ≥ 0) or
 *   `onlySegments` (a segment outside the count), or a `source` other than the table the version's started backfill scans (its ARN, recorded with the
 *   start); `BACKFILL_REFUSED` for a version that is not building, `segments` other than the count
 *   its backfill started with (recorded by an earlier run or by a concurrent process), a rollup without a time
 *   attribute, a version registered more than 28 days ago (its first claims may expire before the stream
 *   stops using them: `checkClaimLifetime`), or a rollup with `ttlDeletes: 'ignore'` while another version of it
 *   serves, without `acceptExpiredHistoryLoss` (`expiredHistoryRefusal`; a dry run reports it as `refused`);
 *   `VERSION_UNKNOWN` for a definition never deployed.
 * @example
 * ```ts
 * const report = await runBackfill({ client, source: 'orders', table: 'aggregates', claimTable: 'claims',
 *   rollup: storeMetricsV2, segments: 8, readUnitsPerSecond: 2_000,
 *   onProgress: (p) => console.error(p.scannedBefore + p.scanned, p.estimatedOwnItems, p.etaMs) });
 * ```
 */
export async function runBackfill(options: BackfillOptions): Promise<BackfillReport> {
  const started = Date.now();
  const now = () => options.now?.() ?? Date.now();
  const nowSeconds = () => Math.floor(now() / 1000);
  const compiled: CompiledRollup = 'compiled' in options.rollup ? options.rollup.compiled : options.rollup;
  const { client } = options;
  const resumeWindow = resumeWindowSeconds(options.redelivery);
  const chunkItems = options.chunkItems ?? 500;
  // a scanned item's position in its chunk is part of its sequence number (chunk × 10⁶ + position)
  if (!Number.isInteger(chunkItems) || chunkItems < 1 || chunkItems > 1_000_000)
    throw new DynotallyError('CONFIG_INVALID', 'chunkItems must be a whole number from 1 to 1,000,000', {
      details: { chunkItems },
    });
  if (
    options.segments !== undefined &&
    (!Number.isInteger(options.segments) || options.segments < 1 || options.segments > 1_000_000)
  )
    throw new DynotallyError('CONFIG_INVALID', 'segments must be a whole number from 1 to 1,000,000');
  const segmentConcurrency = segmentConcurrencyOf(options.segmentConcurrency);
  // a rate not above 0 (or NaN) waited for tokens that never came, for good and past any signal; a claim concurrency
  // below 1 sent no claim and failed on its missing outcome (review s40b)
  const rate = options.readUnitsPerSecond;
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0))
    throw new DynotallyError(
      'CONFIG_INVALID',
      'readUnitsPerSecond must be a number above 0 (or left out: unlimited)',
      {
        details: { readUnitsPerSecond: rate },
      },
    );
  const claimConcurrency = options.claimConcurrency;
  if (claimConcurrency !== undefined && !(Number.isInteger(claimConcurrency) && claimConcurrency >= 1))
    throw new DynotallyError(
      'CONFIG_INVALID',
      'claimConcurrency must be a whole number, 1 or more (default 8)',
      {
        details: { claimConcurrency },
      },
    );
  // the wait for every stream side to fold the version before the scan: NaN or a negative one ended at once, as
  // settleMs: 0 does, and Infinity never ended (review s40z)
  const settleMs = options.settleMs ?? 30_000;
  if (!(Number.isFinite(settleMs) && settleMs >= 0))
    throw new DynotallyError(
      'CONFIG_INVALID',
      'settleMs must be a number of milliseconds, 0 or more (default 30,000)',
      {
        details: { settleMs },
      },
    );
  if (compiled.time === undefined)
    throw new DynotallyError(
      'BACKFILL_REFUSED',
      `rollup '${compiled.name}' takes event time from the stream record (no time attribute), which a scan cannot know: give it time: { attribute }`,
      { details: { rollup: compiled.name } },
    );
  let control = await readControl(client, options.table, compiled.name);
  // the first refusal of a real run, before anything is registered or scanned; a dry run reports it
  // a refusal met before the version is known: the run throws it, a dry run keeps the first to report it with its
  // estimate (refused, not thrown: a user weighing a backfill before deploying wants the estimate too)
  let early: DynotallyError | undefined;
  const refuse = (e: DynotallyError): void => {
    if (!options.dryRun) throw e;
    early ??= e;
  };
  const expired = expiredHistoryRefusal(compiled, control, options.acceptExpiredHistoryLoss === true);
  if (expired !== undefined) refuse(expired);
  if (options.register === true && control === undefined)
    refuse(
      new DynotallyError(
        'BACKFILL_REFUSED',
        `rollup '${compiled.name}' has no control item, so register would make this definition version 1 over rows it may not own. If the stream side has been counting the rollup, deploy createVersionedWriteSide with the running definition first (its first batch registers it, serving), then register the new one. If the rollup is new over an existing table, deploy it with firstVersion: 'building' (its first batch registers version 1, building) and backfill after settleMs, without register`,
        { details: { rollup: compiled.name } },
      ),
    );
  const unregistered =
    options.register === true &&
    options.version === undefined &&
    !control?.versions.some((v) => v.fingerprint === compiled.fingerprint);
  // registered here, the version is folded by every batch the stream side starts from now on (it reads the
  // control items for every batch), so with every process running the new definition no wait is needed
  if (unregistered && !options.dryRun)
    control = await registerVersions(client, options.table, [compiled], {
      firstVersion: 'building',
      now: now(),
    });
  // what a dry run estimates for a definition that has no version (yet): the one registering it would make
  const toRegister = (): VersionEntry => ({
    version: control?.next ?? (control === undefined ? 1 : 2),
    fingerprint: compiled.fingerprint,
    state: 'building',
    registeredAt: now(),
    needsBackfill: true,
  });
  let entry: VersionEntry;
  if (unregistered && options.dryRun) entry = toRegister();
  else {
    try {
      entry = targetVersion(control, compiled, options.version);
    } catch (e) {
      if (!(options.dryRun && isDynotallyError(e) && e.code === 'VERSION_UNKNOWN')) throw e;
      refuse(e);
      entry = toRegister();
    }
  }
  const version = asVersion(compiled, entry.version);
  // its claims and progress in the claim table, keyed by the version's build id: another aggregate table's rollup
  // of the same name (the claim table is shared by default) has its own
  const claimsAt = claimPrefix(version.name, entry.claimScope);
  // what the run is asked, for its refusals (run-refusals.ts): each is thrown where the run checks it below, and a
  // dry run reports the first, so the two cannot differ
  const asked = (): RunAsked => ({
    rollup: compiled.name,
    entry,
    segments: options.segments,
    claimTable: options.claimTable,
    promote: options.promote,
    source: sourceArn,
    now: now(),
  });
  // progress is kept per segment count, and a claim names only its segment and chunk: a resume over another count
  // would take the first run's claims of its applied chunks as its own and apply them again, and leave the items
  // it claimed and did not apply to nobody. A started backfill goes on with the count it recorded
  const recorded = entry.backfill?.segments;
  // the source table's ARN, once DescribeTable answered: a started build scans the table it started on
  let sourceArn: string | undefined;
  if (!options.dryRun) throwRefusalAt('segments', asked());
  let segments = options.segments ?? recorded ?? 4;
  // retried like the run's other requests: DescribeTable shares a small per-account rate (review s41b)
  const desc = await withRetry(() => describeTable(client, options.source));
  if (desc === undefined)
    throw new DynotallyError('TABLE_NOT_FOUND', `source table '${options.source}' does not exist`);
  sourceArn = desc.TableArn ?? options.source;
  const keyNames = (desc.KeySchema ?? []).map((k) => k.AttributeName as string);
  const estimatedItems = desc.ItemCount ?? 0;
  const ownCount = options.onlySegments === undefined ? segments : new Set(options.onlySegments).size;
  const progress: BackfillProgress = {
    scanned: 0,
    scannedBefore: 0,
    folded: 0,
    claimedLive: 0,
    nonMembers: 0,
    uncountable: 0,
    uncountableCodes: {},
    extremaRefused: 0,
    chunks: 0,
    segmentsDone: 0,
    segmentsDoneBefore: 0,
    segments,
    ownSegments: ownCount,
    readUnits: 0,
    writeUnits: 0,
    claimWrites: 0,
    estimatedItems,
    estimatedOwnItems: Math.round((estimatedItems * Math.min(ownCount, segments)) / segments),
    itemsPerSecond: 0,
    etaMs: 0,
  };
  if (options.dryRun) {
    const estimate = estimateBackfill(
      desc.TableSizeBytes ?? 0,
      estimatedItems,
      version,
      options.readUnitsPerSecond,
    );
    // what the real run would do with it: refuse the history of expired items, a register with no control item or a
    // definition with no version (above), a version that is not
    // building (below), a count of segments other than its started backfill's (above), a claim table other than the
    // one the version is bound to (before bindClaimTable, below), or a version whose claims may have expired (before
    // every chunk)
    const refused = early ?? refusalOf(asked());
    // a ready version asked to be promoted: the real run scans nothing (below), it only promotes it, or holds it
    if (refused === undefined && entry.state === 'ready' && options.promote === true)
      return {
        version: entry.version,
        complete: false,
        progress,
        durationMs: Date.now() - started,
        estimate: { items: 0, bytes: 0, readUnits: 0, writeUnits: 0, dollars: 0, seconds: 0 },
        promoteOnly: true,
        held: entry.hold !== undefined,
      };
    return {
      version: entry.version,
      complete: false,
      progress,
      durationMs: Date.now() - started,
      estimate,
      ...(refused === undefined ? {} : { refused: { code: refused.code, message: refused.message } }),
    };
  }
  throwRefusalAt('state', asked());
  // a ready version asked to be promoted: its backfill ended and the promotion did not follow (a stop between the
  // two, review s40b). Nothing is scanned: it is promoted as the end would have, unless held
  if (entry.state === 'ready') {
    // one built from another table than this run's is refused, not promoted (review s40z)
    throwRefusalAt('source', asked());
    const held = entry.hold !== undefined;
    const promoteRefused = held
      ? undefined
      : await promoteUnlessSuperseded(client, options.table, compiled.name, entry.version);
    return {
      version: entry.version,
      complete: true,
      progress,
      durationMs: Date.now() - started,
      storeRefused: Math.max(entry.hold?.storeRefused ?? 0, entry.backfill?.storeRefused ?? 0),
      held,
      ...(promoteRefused === undefined ? {} : { promoteRefused }),
    };
  }
  // the version's first claims expire 30 days after its registration: its backfill must end well before (checked
  // before every chunk, and before the end is recorded)
  const claimsLive = () => throwRefusalAt('claimLifetime', asked());
  // the stream side claims in one table: a backfill given another would not see its claims (and it not ours). A
  // version the control item read above says is bound to another is refused here; bindClaimTable binds it, and
  // refuses another table bound since
  throwRefusalAt('claimTable', asked());
  // a build spread over processes, resumed or finished by a repair scans one table: another one's items would be
  // counted into the version beside the first one's (review s40b). Bound below, once the start is recorded
  throwRefusalAt('source', asked());
  const sourceTable = sourceArn as string;
  // the claim table must exist, keyed as a claim table, before the version is bound to it for every process after
  // this one: a typo bound the version to a missing table, and every stream side with the real one was refused from
  // then on (review s40b)
  const claimDesc = await requireTable(
    client,
    claimTableSpec(options.claimTable),
    'claim',
    `create it with createClaimTable (dynotally backfill creates it), or give the stream side's claim table`,
  );
  // a source keyed `pk` alone fits a claim table's schema: given as both (a flag mixed up), the backfill wrote its
  // claims and progress into the table the stream side reads, each one a stream record (review s40z)
  if ((claimDesc.TableArn ?? options.claimTable) === sourceTable)
    throw new DynotallyError(
      'CONFIG_INVALID',
      `the claim table '${options.claimTable}' is the source table: the backfill's claims and progress would be written into the table the stream side reads; give the claim table the stream side uses (dynotally backfill creates one, default dynotally-claims)`,
      { details: { claimTable: options.claimTable, source: sourceTable } },
    );
  await bindClaimTable(
    client,
    options.table,
    compiled.name,
    entry.version,
    options.claimTable,
    entry.claimScope,
  );
  const settleUntil = entry.registeredAt + settleMs;
  while (now() < settleUntil) {
    checkAbort(options.signal);
    await sleep(Math.min(1_000, settleUntil - now()));
  }
  // recorded by the first run before any chunk was applied: the earliest a chunk can have been applied
  let recordedStart = entry.backfill?.startedAt;
  let startedAt = recordedStart ?? now();
  if (recordedStart === undefined) {
    // another process (a second repair, or a backfill beside a repair) may have started this version's backfill
    // since it was read above: only the first start is recorded, and its count is the one every process builds
    // with. Over two counts, each scan would take the other's claims of its segment and chunk numbers as its own
    // and count those items twice
    const start = await recordBackfill(client, options.table, compiled.name, entry.version, {
      startedAt,
      segments,
      source: sourceTable,
    });
    if (start.segments !== segments) {
      if (options.segments !== undefined)
        throw otherSegmentCount(compiled.name, entry.version, start.segments, options.segments);
      segments = start.segments;
      progress.segments = segments;
    }
    if (start.startedAt !== startedAt) recordedStart = startedAt = start.startedAt;
  }
  // the table this process scans, bound to the build (recorded with the start above, or by the first process of
  // this release for a start an earlier one recorded); refused when another process's start bound another one
  await bindSourceTable(client, options.table, compiled.name, entry.version, sourceTable);
  // checked against the count it builds with, which another process may have recorded first
  const mine = ownSegments(options.onlySegments, segments);
  progress.ownSegments = mine.length;
  progress.estimatedOwnItems = Math.round((estimatedItems * mine.length) / segments);
  // a resumed run's share and ETA start from what earlier runs scanned in these segments
  const before = await earlierProgress(client, options.claimTable, claimsAt, mine, segments);
  progress.scannedBefore = before.scanned;
  progress.segmentsDoneBefore = before.done;

  // the store's refusals (a sum past 38 digits, a row past 400 KB) go to the sink from the applier, as the stream's
  const applier = new Applier({
    ...options.apply,
    client,
    table: options.table,
    rollups: [version],
    deadLetter: options.deadLetter,
    // the scan's records are stamped by the backfill's clock (`options.now`), not the applier's, and never come
    // from a stream: a chunk applied again late is refused by checkLateResume instead
    lateRecords: 'apply',
  });
  const uncountable = (poison: readonly PoisonRecord[]) => {
    progress.uncountable += poison.length;
    for (const p of poison)
      progress.uncountableCodes[p.error.code] = (progress.uncountableCodes[p.error.code] ?? 0) + 1;
  };
  const limiter = new RateLimiter(options.readUnitsPerSecond);
  const source = `backfill:${version.name}`;
  const report = () => {
    const secs = (Date.now() - started) / 1000;
    progress.itemsPerSecond = secs > 0 ? progress.scanned / secs : 0;
    progress.etaMs =
      progress.itemsPerSecond > 0
        ? (Math.max(0, progress.estimatedOwnItems - progress.scannedBefore - progress.scanned) /
            progress.itemsPerSecond) *
          1000
        : 0;
    options.onProgress?.({ ...progress });
  };

  // retired meanwhile (a roll-back, a repair building another version): nothing more is scanned for it
  const building = stillBuilding(() => readControl(client, options.table, compiled.name), {
    rollup: compiled.name,
    version: entry.version,
  });
  const slots = new StateSlots(client, options.claimTable, claimsAt, now);
  const runSegment = async (segment: number) => {
    const key = progressKey(claimsAt, segment, segments);
    let slotAsked = false;
    for (;;) {
      checkAbort(options.signal);
      claimsLive();
      await building();
      const got = await withRetry(() =>
        client.send(new GetItemCommand({ TableName: options.claimTable, Key: key, ConsistentRead: true })),
      );
      const p = parseProgress(got.Item);
      // (its slot freed again: a process stopped between the end and the release left it held; and a slot this process
      // took but could not record, the segment being run under its own state by another one, review s36s)
      if (p.done) return p.slot === undefined && !slotAsked ? undefined : slots.release(segment);
      // a segment starting afresh takes a state slot, recorded before anything of it is applied, so a row keeps at
      // most STATE_SLOTS states of this build whatever the segment count (state-slots.ts); one that started without
      // (an earlier build's, or every slot was held) goes on under its own state
      if (!slotAsked && p.slot === undefined && slotMayBeRecorded(p)) {
        slotAsked = true;
        const slot = await slots.take(segment);
        if (slot !== undefined) {
          await recordSlot(client, options.claimTable, key, slot, now());
          continue; // read again: this slot recorded, or another process's
        }
      }
      const stateShard = stateShardId(p.slot, segment, segments);
      const offset = slotOffset(p.slot);
      const fresh = new Map<string, Image>();
      let journal = p.journal;
      if (journal === undefined) {
        await limiter.take(Math.max(1, chunkItems / 8), options.signal);
        const out = await withRetry(() =>
          client.send(
            new ScanCommand({
              TableName: options.source,
              Segment: segment,
              TotalSegments: segments,
              ConsistentRead: true,
              Limit: chunkItems,
              ReturnConsumedCapacity: 'TOTAL',
              ...(p.cursor ? { ExclusiveStartKey: p.cursor } : {}),
            }),
          ),
        );
        const units = out.ConsumedCapacity?.CapacityUnits ?? 0;
        progress.readUnits += units;
        limiter.account(units, Math.max(1, chunkItems / 8));
        const page = out.Items ?? [];
        const pageKeys = page.map((it) =>
          Object.fromEntries(keyNames.map((k) => [k, it[k] as AttributeValue])),
        );
        // the journal is one item (400 KB at most): a page whose keys would not fit is cut, and the chunk ends
        // at its last journaled key (the next chunk scans on from there, reading the rest of the page again)
        const cut = journalCut(pageKeys);
        const items = page.slice(0, cut);
        const keys = pageKeys.slice(0, cut);
        progress.scanned += items.length;
        items.forEach((it, i) => {
          fresh.set(claimKey(claimsAt, keys[i] as Record<string, AttributeValue>), it as Image);
        });
        const end = cut < page.length ? keys[cut - 1] : out.LastEvaluatedKey;
        // which items the chunk counts is decided here, once, from this consistent read: a later process running
        // the chunk claims only these (chunk-members.ts)
        const projected = items.map((it) => projectImage(it as Image, version.reads));
        const verdicts = projected.map((image) => scanVerdict(version, image));
        const members = memberBits(verdicts.map((v) => v === 'member'));
        // and which of the others the fold refuses: their letters are sent after this write, so a process running
        // the chunk after a crash reads these items again and sends them (the sink keeps a letter once)
        const refused = refusedBits(verdicts.map((v) => v === 'refused'));
        journal = { keys, end, stamped: true, members, refused, refusals: true };
        // a journal is never overwritten: a second process on this segment re-reads and finishes that one
        const wrote = await writeProgress(
          client,
          options.claimTable,
          key,
          p.chunk,
          now(),
          {
            journal: {
              M: {
                keys: { L: keys.map((k) => ({ M: k })) },
                ...(journal.end ? { end: { M: journal.end } } : {}),
                stamped: { BOOL: true },
                members: { B: members },
                ...(refused === undefined ? {} : { refused: { B: refused } }),
                refusals: { BOOL: true },
              },
            },
            scanned: { N: String(p.scanned + items.length) },
          },
          [],
          { noJournal: true },
        );
        if (!wrote) continue;
      }
      checkAbort(options.signal);
      // claim: an item already claimed by this chunk (a restart) keeps the image it was claimed with
      const pks = journal.keys.map((k) => claimKey(claimsAt, k));
      const existing = await readClaims(client, options.claimTable, pks);
      const folded: DynamoDBRecord[] = [];
      const ttl = Math.floor((now() + CLAIM_TTL_MS) / 1000);
      const images: Array<Image | undefined> = new Array(journal.keys.length).fill(undefined);
      // own claims that hold their image in parts (too large for the claim item): read back below
      const spilled: Array<{ index: number; spill: ImageSpill }> = [];
      const own = (index: number, claim: ScanClaim) => {
        if ('image' in claim) images[index] = claim.image;
        else if ('spill' in claim) spilled.push({ index, spill: claim.spill });
        else progress.nonMembers++; // claimed as counting nothing: folds nothing, whatever the item is now
      };
      const keysOfChunk = journal.keys;
      const chunk = p.chunk;
      const { applying } = p;
      // items to claim: those the journal counts and without a claim, read (fresh from the page, or again after a
      // restart): the image when still countable, else a claim of nothing (chunk-members.ts)
      const toClaim: Array<{ index: number; claim: ScanClaim }> = [];
      const journaled = journal;
      // items of this process's page that the journal does not count because the fold refuses their values: never
      // claimed (the stream counts the item from its next change, as an item never counted), dead-lettered as the
      // stream side dead-letters such a record
      const refused: PoisonRecord[] = [];
      // a journal of the build before stamps (no bits, no `stamped`) whose chunk holds a claim of its own may have
      // had its rows written: an unclaimed key is then left to the stream, unless its item counts now (a member
      // whose claim a crash cut off, or an item that became countable since the rows): that chunk is refused
      const legacy =
        journal.members === undefined &&
        journal.stamped !== true &&
        pks.some((pk) => {
          const c = existing.get(pk);
          return c !== undefined && ownClaim(c, segment, chunk);
        });
      const countsNow: number[] = [];
      await mapLimit([...keysOfChunk.keys()], options.apply?.concurrency ?? 16, async (index) => {
        const pk = pks[index] as string;
        const claim = existing.get(pk);
        if (claim !== undefined) {
          if (ownClaim(claim, segment, chunk)) own(index, claim);
          else progress.claimedLive++;
          return;
        }
        if (legacy) {
          const item = await readItem(client, options.source, keysOfChunk[index] ?? {});
          if (item !== undefined && countable(version, projectImage(item, version.reads)))
            countsNow.push(index);
          else progress.nonMembers++;
          return;
        }
        if (!claimsItem(journaled, index, applying)) {
          // not countable when journaled: the stream's, which adds its new image. Its letter, when the fold refused
          // it, is sent by every process running the chunk: the one that journaled it has it from its page, a later
          // one (a resume after a crash between the journal and the letters) reads it again
          const keys = keysOfChunk[index] as Image;
          // (a journal of the build before refused bits did not record them: every item that is no member is read)
          const item =
            fresh.get(pk) ??
            (refusedAt(journaled, index) || !journaled.refusals
              ? await readItem(client, options.source, keysOfChunk[index] ?? {})
              : undefined);
          const poison =
            item === undefined
              ? undefined
              : foldRefusal(version, projectImage(item, version.reads), {
                  source,
                  chunk,
                  index,
                  timeSeconds: nowSeconds(),
                  keys,
                });
          if (poison !== undefined) refused.push(poison);
          else progress.nonMembers++;
          return;
        }
        const item = fresh.get(pk) ?? (await readItem(client, options.source, keysOfChunk[index] ?? {}));
        const projected = item === undefined ? undefined : projectImage(item, version.reads);
        toClaim.push({ index, claim: scanClaimOf(version, projected, segment, chunk) });
      });
      if (countsNow.length > 0) throw legacyChunkRefused(compiled.name, segment, chunk, countsNow.length);
      if (refused.length > 0) {
        refused.sort((a, b) => a.index - b.index);
        await options.deadLetter?.send(
          refused.map((p) => toDeadLetter(p, source, `bf-${segment}/${segments}`, now())),
        );
        uncountable(refused);
      }
      // claim if absent, 25 to a request; a claim found instead follows the same rules as one read above
      toClaim.sort((a, b) => a.index - b.index);
      const claimStats = emptyClaimBatchStats();
      const outcomes = await putNewClaims(
        client,
        options.claimTable,
        toClaim.map(({ index, claim }) => ({ pk: pks[index] as string, claim })),
        ttl,
        { concurrency: options.claimConcurrency ?? 8, stats: claimStats },
      );
      // by size: a claim keeping a large image whole, and the parts of one spilled, cost 1 unit per KB
      progress.writeUnits += claimStats.writeUnits;
      progress.claimWrites += toClaim.length;
      outcomes.forEach((o, k) => {
        const { index, claim } = toClaim[k] as { index: number; claim: ScanClaim };
        if (o.written) own(index, claim);
        else if (o.current !== undefined && ownClaim(o.current, segment, chunk))
          own(index, o.current); // another process running this chunk claimed it: fold its image
        else progress.claimedLive++;
      });
      // the image a spilled claim counted, whatever the item holds now (the stream may have counted on from it)
      await mapLimit(spilled, options.apply?.concurrency ?? 16, async ({ index, spill }) => {
        images[index] = await readClaimImage(client, options.claimTable, pks[index] as string, spill);
      });
      for (const [index, image] of images.entries())
        if (image !== undefined)
          folded.push(
            scanRecord(image, {
              source,
              chunk,
              index,
              timeSeconds: nowSeconds(),
              keys: keysOfChunk[index] as Image,
              offset,
            }),
          );
      checkAbort(options.signal);
      // items the store refused in every row they reached (their letters name no row that keeps them)
      let refusedWhole: PoisonRecord[] = [];
      // how many of them the store refused (in some row or all): recorded with the chunk's progress, once
      let storeRefused = 0;
      if (folded.length > 0) {
        // a chunk applied before (a crash between its rows and its progress write) is applied again only while
        // its rows' states for this segment surely survive; the time of its first application is kept for that. A
        // journal an earlier build wrote has no stamp: it may have been applied at any time since the backfill
        // started, so it is taken as applied then
        if (p.applying !== undefined) checkLateResume(p.applying, nowSeconds(), resumeWindow, segment, chunk);
        else {
          const firstApplied = journal.stamped
            ? nowSeconds()
            : unstampedFirstApplied(recordedStart, compiled.name, segment, chunk);
          if (!journal.stamped) checkLateResume(firstApplied, nowSeconds(), resumeWindow, segment, chunk);
          // under the segment's own state only while no slot is recorded (a process that read the progress before
          // another recorded one): a segment is never applied under both
          if (
            !(await writeProgress(
              client,
              options.claimTable,
              key,
              chunk,
              now(),
              { applying: { N: String(firstApplied) } },
              [],
              { noSlot: p.slot === undefined },
            ))
          )
            continue;
        }
        const { report: r, poison } = await applier.apply({
          records: folded,
          shardId: stateShard,
          deadLetterShardId: `bf-${segment}/${segments}`,
        });
        progress.writeUnits += r.writeUnits;
        progress.extremaRefused += r.extremaRefused;
        // the store refused these (sent to the dead-letter sink by the applier): in no row of the version
        progress.folded += folded.length - poison.length;
        uncountable(poison);
        storeRefused = poison.length;
        refusedWhole = poison.filter((p) => p.pendingRows === undefined);
      }
      // no stop between the rows and the progress write: a stopped run leaves no chunk half applied
      const done = journal.end === undefined;
      await writeProgress(
        client,
        options.claimTable,
        key,
        p.chunk,
        now(),
        {
          chunk: { N: String(p.chunk + 1) },
          ...(journal.end ? { cursor: { M: journal.end } } : {}),
          done: { BOOL: done },
          // conditioned on the chunk, as p was read: a chunk's refusals are added once
          ...(storeRefused > 0 ? { storeRefused: { N: String(p.storeRefused + storeRefused) } } : {}),
        },
        ['journal', 'applying'],
      );
      // their claims still hold the images the scan read, which no row holds: made claims of nothing, the stream
      // counts such an item from its next change as one never counted (a claim the stream converted meanwhile is
      // left as it is). After the progress write: a chunk applied again must still fold them, to finish their
      // take-backs
      await mapLimit(refusedWhole, options.apply?.concurrency ?? 16, async (p) => {
        const index = scannedIndex(p, chunk, offset);
        if (index === undefined) return;
        const claim: ScanClaim = { by: 'scan', segment, chunk, live: undefined, nothing: true };
        await putClaim(client, options.claimTable, pks[index] as string, claim, claim, ttl);
      });
      progress.chunks++;
      if (done) progress.segmentsDone++;
      report();
      if (done) return slots.release(segment);
    }
  };

  // a few segments at a time (each holds a chunk in memory); after a failure or a stop no further segment starts,
  // and every segment in flight stops before this returns (a stopped backfill leaves nothing running behind its
  // caller)
  await mapLimit(mine, segmentConcurrency, runSegment);
  // complete only when every segment (also those other processes run) is done
  let complete = true;
  // the items the store refused over every segment and run (each progress item adds its chunks' refusals once)
  let storeRefused = 0;
  for (let s = 0; s < segments && complete; s++) {
    const got = await withRetry(() =>
      client.send(
        new GetItemCommand({
          TableName: options.claimTable,
          Key: progressKey(claimsAt, s, segments),
          ConsistentRead: true,
        }),
      ),
    );
    const segmentProgress = parseProgress(got.Item);
    complete = segmentProgress.done;
    storeRefused += segmentProgress.storeRefused;
  }
  let held = false;
  let promoteRefused: BackfillReport['promoteRefused'];
  if (complete) {
    // the end decides how long the stream still uses claims: never later than the claims surely live
    claimsLive();
    // a build short of items the store refused (a sum past 38 digits in the scan's order, which the stream's order
    // may not reach) must not replace a serving version that may count them: it is held as a repair holds it, and
    // promoteVersion refuses it unless forced. A first build, with nothing serving, replaces nothing and is not held
    const serving = (await readControl(client, options.table, compiled.name))?.serving;
    const hold =
      storeRefused > 0 && serving !== undefined && serving !== entry.version
        ? { storeRefused, at: now() }
        : undefined;
    // with what the progress items summed: they expire after the end (PROGRESS_TTL_MS), the entry stays
    await recordBackfill(client, options.table, compiled.name, entry.version, {
      startedAt,
      segments,
      source: sourceTable,
      endedAt: now(),
      storeRefused,
      hold,
    });
    // another process may have recorded the end (and its hold) first: the entry decides
    const ended = (await readControl(client, options.table, compiled.name))?.versions.find(
      (v) => v.version === entry.version,
    );
    held = ended?.state === 'ready' && ended.hold !== undefined;
    if (options.promote && !held)
      promoteRefused = await promoteUnlessSuperseded(client, options.table, compiled.name, entry.version);
  }
  report();
  return {
    version: entry.version,
    complete,
    progress,
    durationMs: Date.now() - started,
    ...(complete ? { storeRefused, held } : {}),
    ...(promoteRefused === undefined ? {} : { promoteRefused }),
  };
}

/**
 * Promotes a built version, or says why not when a newer version of another definition serves (a backfill run with
 * an earlier definition): replacing it would retire it for good and halt the stream sides that deploy only it. The
 * version is then left ready. Any other refusal is thrown.
 */
async function promoteUnlessSuperseded(
  client: DynamoDBClient,
  table: string,
  rollup: string,
  version: number,
): Promise<BackfillReport['promoteRefused']> {
  try {
    await promoteVersion(client, table, rollup, version);
    return undefined;
  } catch (e) {
    if (!isDynotallyError(e, 'PROMOTE_REFUSED') || e.details.superseded !== true) throw e;
    return { reason: e.message, serving: Number(e.details.serving) };
  }
}

/**
 * The position in its chunk's journal of a scanned record ({@link scanRecord}'s sequence number, with the slot's
 * `offset`), if it is one.
 */
function scannedIndex(p: PoisonRecord, chunk: number, offset: bigint): number | undefined {
  const seq = p.sequenceNumber ?? p.record?.dynamodb?.SequenceNumber;
  if (seq === undefined || !/^\d+$/.test(seq)) return undefined;
  const index = BigInt(seq) - offset - BigInt(chunk) * 1_000_000n;
  return index >= 0n && index < 1_000_000n ? Number(index) : undefined;
}

/**
 * True while nothing of a segment can have been applied, as {@link recordSlot} checks it: first chunk, no
 * `applying` stamp, no journal of an earlier build.
 */
function slotMayBeRecorded(p: SegmentProgress): boolean {
  return p.chunk === 0 && p.applying === undefined && (p.journal === undefined || p.journal.stamped);
}

/** A scan claim this segment's chunk wrote (before a restart, or in another process running the same chunk). */
function ownClaim(claim: Claim, segment: number, chunk: number): claim is ScanClaim {
  return claim.by === 'scan' && claim.segment === segment && claim.chunk === chunk;
}

async function readItem(
  client: DynamoDBClient,
  table: string,
  key: Record<string, AttributeValue>,
): Promise<Image | undefined> {
  const out = await withRetry(() =>
    client.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true })),
  );
  return out.Item as Image | undefined;
}

/**
 * Writes a segment's progress, conditioned on its chunk (and on no journal, given `noJournal`; on no state slot
 * recorded, given `noSlot`). Every write sets the item's `ttl` from `nowMs` ({@link progressTtlSeconds}): progress
 * lives as long as a claim after its last write.
 */
async function writeProgress(
  client: DynamoDBClient,
  table: string,
  key: Record<string, AttributeValue>,
  chunk: number,
  nowMs: number,
  set: Record<string, AttributeValue>,
  remove: readonly string[] = [],
  only: { readonly noJournal?: boolean; readonly noSlot?: boolean } = {},
): Promise<boolean> {
  const names: Record<string, string> = { '#chunk': 'chunk' };
  const values: Record<string, AttributeValue> = { ':chunk': { N: String(chunk) } };
  const withTtl: Record<string, AttributeValue> = {
    ...set,
    ttl: { N: String(progressTtlSeconds(nowMs)) },
  };
  const sets = Object.entries(withTtl).map(([k, v], i) => {
    names[`#s${i}`] = k;
    values[`:s${i}`] = v;
    return `#s${i} = :s${i}`;
  });
  const removes = remove.map((k, i) => {
    names[`#r${i}`] = k;
    return `#r${i}`;
  });
  if (only.noJournal) names['#j'] = 'journal';
  if (only.noSlot) names['#slot'] = 'slot';
  try {
    await withRetry(() =>
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: key,
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: `(attribute_not_exists(#chunk) OR #chunk = :chunk)${only.noJournal ? ' AND attribute_not_exists(#j)' : ''}${only.noSlot ? ' AND attribute_not_exists(#slot)' : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/**
 * A dry run's estimate: consistent scan reads (1 unit per 4 KB), the claim writes and about one row write per
 * row kind per item in the worst case (no coalescing), at on-demand prices. A claim holds the item's projected
 * image, under 1 KB (1 unit) for a rollup reading named attributes; a rollup with a callback keeps the whole item
 * in its claims, so they cost what the items weigh: 1 unit per KB of the table, and at most 1 more per item for
 * the rounding.
 *
 * @example
 * ```ts
 * estimateBackfill(10e9, 100e6, storeMetrics.compiled, 5_000).dollars;
 * ```
 */
export function estimateBackfill(
  bytes: number,
  items: number,
  version: CompiledRollup,
  readUnitsPerSecond: number | undefined,
): BackfillEstimate {
  const readUnits = Math.ceil(bytes / 4096);
  const claimUnits = version.reads === undefined ? Math.ceil(bytes / 1024) + items : items;
  const writeUnits = claimUnits + items * version.rows.length;
  return {
    items,
    bytes,
    readUnits,
    writeUnits,
    dollars: readUnits * READ_PRICE + writeUnits * WRITE_PRICE,
    seconds: readUnitsPerSecond === undefined ? undefined : readUnits / readUnitsPerSecond,
  };
}

/**
 * The earliest a chunk journaled by an earlier build (no `stamped`, no `applying`) can have been applied: the
 * backfill's recorded start (epoch seconds), which every build writes before it applies a chunk. Without one,
 * nothing bounds it.
 */
function unstampedFirstApplied(
  recordedStart: number | undefined,
  rollup: string,
  segment: number,
  chunk: number,
): number {
  if (recordedStart !== undefined) return Math.floor(recordedStart / 1000);
  throw new DynotallyError(
    'BACKFILL_REFUSED',
    `segment ${segment}'s chunk ${chunk} was journaled by an earlier dynotally build, which did not record when a chunk was first applied, and the version's backfill has no recorded start: applying it again could count it twice. Rebuild the rollup as a new version instead: dynotally verify ${rollup} --repair, or register the definition again and backfill that version`,
    { details: { segment, chunk } },
  );
}

/**
 * Refuses to apply a chunk again once its first application is older than `window` seconds: stream writes prune
 * a segment's per-row states past the redelivery horizon (and a transactional row's `~wt#` item goes a week after
 * its last write), so a row could take the chunk a second time.
 */
function checkLateResume(
  firstApplied: number,
  nowSeconds: number,
  window: number,
  segment: number,
  chunk: number,
) {
  const age = nowSeconds - firstApplied;
  if (age <= window) return;
  throw new DynotallyError(
    'BACKFILL_REFUSED',
    `segment ${segment}'s chunk ${chunk} was first applied ${formatAge(age)} ago and stopped before its progress was saved; applying it again now could count it twice (its rows' exactly-once states may be pruned after ${formatAge(window)}). Rebuild the rollup as a new version instead: dynotally verify <rollup> --repair, or register the definition again and backfill that version. If the stream side's mapping keeps records longer, give redelivery: { maxRecordAgeSeconds } (the CLI's --max-record-age) to widen this window`,
    { details: { segment, chunk, firstApplied, ageSeconds: age, windowSeconds: window } },
  );
}

const formatAge = (s: number): string =>
  s >= 7200 ? `${Math.round(s / 360) / 10} h` : s >= 120 ? `${Math.round(s / 60)} min` : `${s} s`;

/**
 * How late a stopped chunk may be applied again: the stream side's redelivery horizon (what its state pruning
 * keeps) when given, else the shortest any stream side can have (a MaximumRecordAge of 60 s plus the hour's
 * margin: an hour), capped by the week the `~wt#` items keep.
 */
function resumeWindowSeconds(redelivery: RedeliveryOptions | undefined): number {
  const horizon = redelivery === undefined ? MIN_HORIZON_SECONDS : pruneAfterSeconds(redelivery);
  return Math.min(horizon, WATERMARK_ITEM_KEEP_SECONDS) - RESUME_MARGIN_SECONDS;
}

/** The horizon of a mapping with the smallest MaximumRecordAge Lambda allows (60 s), as pruneAfterSeconds makes it. */
const MIN_HORIZON_SECONDS = 60 + 3600;
/** Clocks of the backfill's host and the stream side's may differ: a minute off the window. */
const RESUME_MARGIN_SECONDS = 60;

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new DynotallyError('BACKFILL_REFUSED', 'the backfill was stopped; run it again to resume');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sleeps `ms`, or until `signal` aborts, whichever comes first. */
function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return sleep(ms).then(() => undefined);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * A token bucket over read units: a scan request waits until its expected units are available and takes them
 * before it is sent (so Scans in flight together never share the same tokens), and the units it consumed correct
 * the reservation when it returns. A wait ends on `signal`'s abort (at a slow rate it may last minutes; review s41b).
 */
class RateLimiter {
  private tokens: number;
  private last = Date.now();
  constructor(private readonly rate: number | undefined) {
    this.tokens = rate ?? 0;
  }
  async take(expected: number, signal?: AbortSignal): Promise<void> {
    if (this.rate === undefined) return;
    for (;;) {
      checkAbort(signal);
      const t = Date.now();
      this.tokens = Math.min(this.rate, this.tokens + ((t - this.last) / 1000) * this.rate);
      this.last = t;
      // checked and reserved with no wait in between: no other segment's take runs here
      if (this.tokens >= Math.min(expected, this.rate)) {
        this.tokens -= expected;
        return;
      }
      await abortableSleep(((Math.min(expected, this.rate) - this.tokens) / this.rate) * 1000, signal);
    }
  }
  /** The Scan reserved `expected` and consumed `units` (0: not reported, taken as expected). */
  account(units: number, expected: number): void {
    if (this.rate !== undefined) this.tokens -= (units || expected) - expected;
  }
}

/**
 * A chunk journaled by the build before stamps, claimed at least in part (so its rows may have been written), with
 * unclaimed items that count now: claiming them could fold them below the rows' watermark (counted by nobody), and
 * leaving them could lose a member whose claim a crash cut off. Nothing tells the two apart.
 */
function legacyChunkRefused(rollup: string, segment: number, chunk: number, items: number): DynotallyError {
  return new DynotallyError(
    'BACKFILL_REFUSED',
    `segment ${segment}'s chunk ${chunk} was journaled by an earlier dynotally build that did not record which items it counts, its rows may have been written, and ${items} unclaimed ${items === 1 ? 'item counts' : 'items count'} now: resuming could count them by nobody. Rebuild the rollup as a new version instead: dynotally verify ${rollup} --repair, or register the definition again and backfill that version`,
    { details: { segment, chunk, items } },
  );
}
