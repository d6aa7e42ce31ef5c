// Review s41q (query client): options of createQueryClient and createServingQueryClient that got no coded error.
// Pure: the client points nowhere (a closed port) and every case is refused at creation, before any request.
// - `rollups: jobsPerCustomer` (the rollup, not a list of them): "TypeError: (rollups ?? []) is not iterable", and in
//   the serving client "options.rollups.map is not a function"; `rollups: null` made a client that knows no rollup
//   (every call UNKNOWN_ROLLUP "known: none"), and the serving client threw "Cannot read properties of null".
// - `now: 123` (a time, not a clock): every call threw "TypeError: ctx.now is not a function" (serving: "clock is not
//   a function"), explain too.
// - A `liveSource` / `live` that is not one (`{}`, an ioredis client passed as is): every call a TypeError once the
//   table was reached ("ctx.live.read is not a function").
// - A `client` that is not a DynamoDB client (`{}`, the client's config): every call "this.client.send is not a
//   function".
// Fixed: `checkQueryClientOptions` (query/client-options.ts), called by both, refuses each with CONFIG_INVALID naming
// the option and what it takes. Break-check: skipping the call in createQueryClient fails the plain-client cases;
// in createServingQueryClient, the serving ones.
import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createQueryClient, noLiveSource } from '../../packages/dynotally/src/query/index.ts';
import { createServingQueryClient } from '../../packages/dynotally/src/versions/index.ts';
import { jobsPerCustomer } from '../../packages/dynotally-cli/src/scenarios/rollups.ts';

const clientConfig = {
  region: 'local',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
};
const base = { clientConfig, table: 'aggregates', rollups: [jobsPerCustomer] };

function outcome(fn: () => { close(): void }): string {
  try {
    fn().close();
    return 'ok';
  } catch (e) {
    return isDynotallyError(e)
      ? `${e.code}: ${e.message}`
      : `raw ${(e as Error).name}: ${(e as Error).message}`;
  }
}

const bad: Record<string, Record<string, unknown>> = {
  rollupsNotList: { ...base, rollups: jobsPerCustomer },
  rollupsNull: { ...base, rollups: null },
  nowNumber: { ...base, now: 123 },
  liveSourceEmpty: { ...base, liveSource: {} },
  liveNotSource: { ...base, live: { read: async () => undefined } },
  clientNotClient: { ...base, clientConfig: undefined, client: {} },
};
const said: Record<string, RegExp> = {
  rollupsNotList: /^CONFIG_INVALID: rollups must be a list of rollups made with defineRollup/,
  rollupsNull: /^CONFIG_INVALID: rollups must be a list/,
  nowNumber: /^CONFIG_INVALID: now must be a function returning epoch milliseconds/,
  liveSourceEmpty: /^CONFIG_INVALID: liveSource must be a live source/,
  liveNotSource: /^CONFIG_INVALID: live must be a live source/,
  clientNotClient: /^CONFIG_INVALID: client must be a DynamoDBClient/,
};

describe('query client options', () => {
  for (const [name, make] of [
    ['createQueryClient', createQueryClient],
    ['createServingQueryClient', createServingQueryClient],
  ] as const) {
    it(`${name} refuses a bad option with CONFIG_INVALID naming it`, () => {
      const got = Object.fromEntries(
        Object.entries(bad).map(([k, o]) => [k, outcome(() => make(o as never))]),
      );
      for (const [k, re] of Object.entries(said)) expect(got[k], k).toMatch(re);
    });

    it(`${name} still takes good ones`, () => {
      expect(outcome(() => make(base as never))).toBe('ok');
      expect(
        outcome(() => make({ ...base, now: () => 0, liveSource: noLiveSource, rollups: [] } as never)),
      ).toBe('ok');
    });
  }
});
