import { count, defineRollup, sum } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../../../test/support/error-of.ts';
import { checkAlsoWrite } from './also-write.ts';
import { configSchema } from './config-schema.ts';

const orders = (withAmount: boolean, name = 'orders') =>
  defineRollup({
    name,
    groupBy: 'storeId',
    granularities: ['day', 'all'],
    measures: withAmount ? { n: count(), amount: sum('amount') } : { n: count() },
  });

describe('a configuration with alsoWrite', () => {
  it('takes the other definition of a configured rollup', () => {
    const config = { rollups: [orders(true)], alsoWrite: [orders(false)] };
    expect(configSchema.safeParse(config).success).toBe(true);
    expect(() => checkAlsoWrite(config, 'c.ts')).not.toThrow();
    expect(() => checkAlsoWrite({ rollups: [orders(true)] }, 'c.ts')).not.toThrow();
  });

  it('refuses a rollup that is not configured, naming the configured ones', () => {
    const e = errorOf(() =>
      checkAlsoWrite({ rollups: [orders(true)], alsoWrite: [orders(false, 'sales')] }, 'c.ts'),
    );
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(
      "config file c.ts: alsoWrite: rollup 'sales' is not in rollups (known: orders)",
    );
  });

  it('refuses the configured definition itself', () => {
    const e = errorOf(() => checkAlsoWrite({ rollups: [orders(true)], alsoWrite: [orders(true)] }, 'c.ts'));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain("the definition of rollup 'orders' is the one in rollups");
  });

  it('refuses two other definitions of one rollup', () => {
    const third = defineRollup({
      name: 'orders',
      groupBy: 'storeId',
      granularities: ['all'],
      measures: { n: count() },
    });
    const e = errorOf(() =>
      checkAlsoWrite({ rollups: [orders(true)], alsoWrite: [orders(false), third] }, 'c.ts'),
    );
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain("rollup 'orders' has two definitions here");
  });

  it('refuses an entry that is not a rollup', () => {
    const parsed = configSchema.safeParse({ rollups: [orders(true)], alsoWrite: [{ name: 'orders' }] });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain(
      'each entry of alsoWrite must be made by defineRollup',
    );
  });
});
