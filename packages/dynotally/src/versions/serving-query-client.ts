import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { withTimeouts } from '../local/client-timeouts.ts';
import { checkQueryClientOptions } from '../query/client-options.ts';
import {
  type AnyRollup,
  createQueryClient,
  type QueryClient,
  type QueryClientOptions,
} from '../query/index.ts';
import { VERSION_RESOLVED } from '../query/query-client.ts';
import { shownDetail, shownValue } from '../strings/shown-value.ts';
import type { ControlItem } from './control-item.ts';
import { readControl } from './control-store.ts';
import { definitionFingerprint, versionsOfDefinition } from './rebuild.ts';
import { unregisteredVersionOne } from './unregistered-read.ts';
import { asVersion } from './version-prefix.ts';

/**
 * Options of {@link createServingQueryClient}: those of `createQueryClient`, where `rollups` may hold several
 * definitions (versions) of one rollup, and how long a control item read is trusted.
 *
 * @example
 * ```ts
 * const options: ServingQueryClientOptions = { client, table: 'aggregates', rollups: [storeV1, storeV2] };
 * ```
 */
export interface ServingQueryClientOptions extends QueryClientOptions {
  /** How long a control item read is trusted (default 5 s). */
  readonly refreshMs?: number;
  /**
   * Control items the caller has just read (`readControl`), by rollup name: when they cover every rollup, the
   * client trusts them for `refreshMs` from its creation instead of reading them again before its first query.
   */
  readonly controls?: ReadonlyMap<string, ControlItem | undefined>;
}

/**
 * A query client that reads each rollup's serving version. A query names a rollup by name (the serving version
 * answers) or by definition (that version must be the serving one: a version still being built rejects with
 * `VERSION_BUILDING`). One strongly consistent control-item read per rollup per `refreshMs`; `refresh()`
 * forces one (the `explain` methods use the last read; before any, version 1 when the client was given one
 * definition of the rollup, else `VERSION_UNKNOWN`: run a query or `refresh()` first). A rollup with no control item
 * (no versioned stream side registered it) is read as version 1 only when the client was given one definition of
 * it and the query names that one; otherwise `VERSION_UNKNOWN`, as it cannot tell which definition wrote the rows.
 * A `liveSource` (the Redis buffer's, which writes version 1 only) is merged into reads of version 1 alone: a later
 * version has no buffered deltas, and the buffer knows no leaderboard of it.
 *
 * @example
 * ```ts
 * const query = createServingQueryClient({ client, table: 'aggregates', rollups: [storeV1, storeV2] });
 * const { values } = await query.total('store', { storeId: 's-1' }, { last: '30d' }); // the serving version
 * await query.total(storeV2, { storeId: 's-1' }, { last: '30d' }); // VERSION_BUILDING until promoted
 * ```
 */
export function createServingQueryClient(
  options: ServingQueryClientOptions,
): QueryClient & { refresh(): Promise<void> } {
  checkQueryClientOptions(options, 'createServingQueryClient');
  const owned = options.client === undefined;
  const client =
    options.client ?? new DynamoDBClient(withTimeouts((options.clientConfig ?? {}) as DynamoDBClientConfig));
  const deployed = options.rollups.map((r) => r.compiled);
  const names = [...new Set(deployed.map((c) => c.name))];
  const controls = new Map<string, ControlItem | undefined>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  const clock = options.now ?? Date.now;
  const refresh = async () => {
    const read = await Promise.all(names.map((n) => readControl(client, options.table, n)));
    names.forEach((n, i) => {
      controls.set(n, read[i]);
    });
    loadedAt = clock();
  };
  const given = options.controls;
  if (given !== undefined && names.every((n) => given.has(n))) {
    for (const n of names) controls.set(n, given.get(n));
    loadedAt = clock();
  }
  const inner = new Map<string, QueryClient>();
  // the live source (the Redis buffer's) holds version-1 deltas alone: a later version's reads merge none, and its
  // leaderboard is not one the buffer knows (readRanked would refuse it as a rollup without a leaderboard)
  const { liveSource: _liveSource, live: _live, ...withoutLive } = options;
  const innerFor = (c: CompiledRollup, version: number): QueryClient => {
    let q = inner.get(c.name);
    if (q === undefined) {
      // the version is resolved here: the inner client reads no control item of its own
      const rollup = {
        name: c.name,
        measureNames: c.measures.map((m) => m.name),
        compiled: c,
        [VERSION_RESOLVED]: true,
      };
      q = createQueryClient({
        ...(version === 1 ? options : withoutLive),
        client,
        rollups: [rollup as AnyRollup],
      });
      inner.set(c.name, q);
    }
    return q;
  };
  const resolve = (ref: AnyRollup | string): { version: CompiledRollup; q: QueryClient } => {
    const name = typeof ref === 'string' ? ref : ref?.name;
    if (name === undefined || !names.includes(name)) {
      throw new DynotallyError(
        'UNKNOWN_ROLLUP',
        `the query client has no rollup named ${shownValue(name ?? ref)}: pass it in rollups (known: ${names.join(', ')})`,
        { details: { rollup: shownDetail(name), known: names } },
      );
    }
    const control = controls.get(name);
    const mine = deployed.filter((c) => c.name === name);
    let chosen: { compiled: CompiledRollup; n: number } | undefined;
    if (control === undefined) {
      // no version registered: version 1, when the client can tell which definition wrote it
      const compiled = unregisteredVersionOne(
        name,
        mine,
        typeof ref === 'string' ? undefined : ref.compiled.fingerprint,
        controls.has(name),
      );
      chosen = { compiled, n: 1 };
    } else if (typeof ref !== 'string') {
      const fp = ref.compiled.fingerprint;
      // the definition's serving version (its own or a rebuild), else its latest
      const mineV = versionsOfDefinition(control, fp);
      const v = mineV.find((x) => x.version === control.serving) ?? mineV[mineV.length - 1];
      if (v === undefined)
        throw new DynotallyError(
          'VERSION_UNKNOWN',
          `this definition of rollup '${name}' is not registered: deploy it to the stream side first`,
          { details: { rollup: name, fingerprint: fp } },
        );
      if (v.state !== 'serving') {
        throw new DynotallyError(
          v.state === 'retired' ? 'VERSION_UNKNOWN' : 'VERSION_BUILDING',
          v.state === 'retired'
            ? `version ${v.version} of rollup '${name}' is retired: query '${name}' by name for the serving version`
            : `version ${v.version} of rollup '${name}' is ${v.state === 'ready' ? 'built but not promoted' : 'still being built'}: query '${name}' by name for the serving version${control.serving === undefined ? '' : ` (${control.serving})`}, or promote it (dynotally rollups promote ${name} ${v.version})`,
          { details: { rollup: name, version: v.version, state: v.state, serving: control.serving } },
        );
      }
      chosen = { compiled: ref.compiled, n: v.version };
    } else {
      const serving = control.versions.find((v) => v.version === control.serving);
      const compiled = mine.find(
        (c) => serving !== undefined && c.fingerprint === definitionFingerprint(serving.fingerprint),
      );
      if (serving === undefined || compiled === undefined)
        throw new DynotallyError(
          serving === undefined ? 'VERSION_BUILDING' : 'VERSION_UNKNOWN',
          serving === undefined
            ? `rollup '${name}' has no serving version yet: finish its backfill and promote it`
            : `rollup '${name}' serves version ${serving.version}, whose definition this client was not given`,
          { details: { rollup: name, serving: control.serving } },
        );
      chosen = { compiled, n: serving.version };
    }
    const version = asVersion(chosen.compiled, chosen.n);
    return { version, q: innerFor(version, chosen.n) };
  };
  const ready = async () => {
    if (clock() - loadedAt >= (options.refreshMs ?? 5_000)) await refresh();
  };
  type Fn = (...a: unknown[]) => unknown;
  const call =
    (method: keyof QueryClient) =>
    async (ref: AnyRollup | string, ...rest: unknown[]) => {
      await ready();
      const { version, q } = resolve(ref);
      return (q[method] as Fn)(version.name, ...rest);
    };
  const explainCall =
    (method: keyof QueryClient['explain']) =>
    (ref: AnyRollup | string, ...rest: unknown[]) => {
      const { version, q } = resolve(ref);
      return (q.explain[method] as Fn)(version.name, ...rest);
    };
  return {
    total: call('total'),
    totalMany: call('totalMany'),
    series: call('series'),
    top: call('top'),
    latest: call('latest'),
    explain: {
      total: explainCall('total'),
      totalMany: explainCall('totalMany'),
      series: explainCall('series'),
      top: explainCall('top'),
      latest: explainCall('latest'),
    },
    refresh,
    close: () => {
      if (owned) client.destroy();
    },
  } as unknown as QueryClient & { refresh(): Promise<void> };
}
