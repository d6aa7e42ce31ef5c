import { describe, expect, it } from 'vitest';
import { servicesNeeded, tierOf } from './tiers.ts';

describe('test tiers', () => {
  it('tells tiers apart by suffix; property and edge files are pure', () => {
    expect(tierOf('src/worker/worker.int.test.ts')).toBe('int');
    expect(tierOf('test/faults/handler.fault.test.ts')).toBe('fault');
    expect(tierOf('test/dashboard/dashboard.browser.test.ts')).toBe('browser');
    expect(tierOf('src/cdk/bundle.cdk.test.ts')).toBe('cdk');
    expect(tierOf('src/time/zone-calendar.property.test.ts')).toBe('pure');
    expect(tierOf('src/time/zone-calendar.edge.test.ts')).toBe('pure');
    expect(tierOf('src/time/labels.test.ts')).toBe('pure');
  });

  it('a run of pure and CDK files needs no service; int files need DynamoDB Local, and redis-server only when they start one', () => {
    const files: Record<string, string> = {
      'a.test.ts': '',
      'b.cdk.test.ts': '',
      'c.int.test.ts': "import { testClients } from './ddb.ts';",
      'd.int.test.ts': 'const env = await startBufferEnv();',
      'e.browser.test.ts': '',
    };
    const read = (f: string) => files[f] ?? '';
    expect(servicesNeeded(['a.test.ts', 'b.cdk.test.ts'], read)).toEqual({
      dynamodb: false,
      redis: false,
      chromium: false,
    });
    expect(servicesNeeded(['a.test.ts', 'c.int.test.ts'], read)).toEqual({
      dynamodb: true,
      redis: false,
      chromium: false,
    });
    expect(servicesNeeded(['d.int.test.ts', 'e.browser.test.ts'], read)).toEqual({
      dynamodb: true,
      redis: true,
      chromium: true,
    });
  });
});
