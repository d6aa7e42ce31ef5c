// Review s29q (CLI, query commands): a group whose string value holds a comma could not be named by --group.
// Finding: the library keys any string exactly (`name: 'Bar, Grill'`), and `query top` lists such a group, but
// `dynotally query total bars --group 'name=Bar, Grill' --all` was CONFIG_INVALID ("--group ' Grill' is not
// key=value"), and `--group tags=a,b` the same: no spelling reached the group. `verify --group` likewise, and the
// GROUP column of verify's drift table (`name=Bar, Grill`) could not be given back.
// Mechanism: parseGroup (cli/commands/query-args.ts) and verify's groupsOf split every --group value at every comma
// before parsing its pairs.
// Fix: splitPairs splits only at a comma that starts another pair (`,key=` or `,key:n=`); a comma followed by
// anything else stays in the value. (A value holding `,<word>=` still reads as two pairs: docs/cli.md says so.)
// Break-check: with `flag.split(',')` back in splitPairs all three tests fail.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  groupPairs,
  parseGroup,
  splitPairs,
} from '../../packages/dynotally-cli/src/cli/commands/query-args.ts';
import { groupsOf } from '../../packages/dynotally-cli/src/cli/commands/verify.ts';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { closedPort } from '../support/closed-port.ts';
import { fakeIo } from '../support/fake-io.ts';

describe('a --group value with a comma', () => {
  it('stays one value; commas that start another pair still split', () => {
    expect(parseGroup(['name=Bar, Grill'])).toEqual({ name: 'Bar, Grill' });
    expect(parseGroup(['tags=a,b,c'])).toEqual({ tags: 'a,b,c' });
    expect(parseGroup(['storeId=s-1,year:n=2026'])).toEqual({ storeId: 's-1', year: 2026 });
    expect(parseGroup(['name=Bar, Grill,year:n=2026'])).toEqual({ name: 'Bar, Grill', year: 2026 });
    expect(splitPairs('a=1, b=2')).toEqual(['a=1', ' b=2']);
    expect(() => parseGroup(['customerId=acme,customerId=globex'])).toThrow(/given twice/);
  });

  it('round-trips what verify prints', () => {
    const group = { name: 'Bar, Grill', year: 2026 };
    expect(parseGroup([groupPairs(group)])).toEqual(group);
    expect(groupsOf(['name=Bar, Grill', 'name=x,y'])).toEqual([{ name: 'Bar, Grill' }, { name: 'x,y' }]);
    expect(groupsOf(['storeId=s-1,storeId=s-2'])).toEqual([{ storeId: 's-1' }, { storeId: 's-2' }]);
  });

  describe('on the command line', () => {
    let endpoint = '';
    beforeAll(async () => {
      endpoint = `http://127.0.0.1:${await closedPort()}`;
    });
    it('is not refused as a malformed pair (the query goes on to read)', async () => {
      const io = fakeIo();
      const code = await runCli(
        [
          'query',
          'total',
          'jobs',
          '--group',
          'customerId=Bar, Grill',
          '--last',
          '24h',
          '--endpoint',
          endpoint,
        ],
        io,
      );
      expect(io.err).not.toMatch(/CONFIG_INVALID/);
      expect(code).toBe(1); // the closed endpoint
    });
  });
});
