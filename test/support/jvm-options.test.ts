import { afterEach, describe, expect, it } from 'vitest';
import { DDB_LOCAL_JVM_OPTIONS, withJvmOptions } from './jvm-options.ts';

const saved = process.env.JDK_JAVA_OPTIONS;
afterEach(() => {
  if (saved === undefined) delete process.env.JDK_JAVA_OPTIONS;
  else process.env.JDK_JAVA_OPTIONS = saved;
});

describe('withJvmOptions', () => {
  it('sets the options while start runs (a child spawned then copies them) and unsets them afterwards', async () => {
    delete process.env.JDK_JAVA_OPTIONS;
    const seen = await withJvmOptions('-Xfoo', async () => process.env.JDK_JAVA_OPTIONS);
    expect(seen).toBe('-Xfoo');
    expect('JDK_JAVA_OPTIONS' in process.env).toBe(false);
  });

  it('appends to options already set, and restores them when start throws', async () => {
    process.env.JDK_JAVA_OPTIONS = '-Xmx1g';
    let during = '';
    await expect(
      withJvmOptions(DDB_LOCAL_JVM_OPTIONS, async () => {
        during = process.env.JDK_JAVA_OPTIONS ?? '';
        throw new Error('no start');
      }),
    ).rejects.toThrow('no start');
    expect(during).toBe(`-Xmx1g ${DDB_LOCAL_JVM_OPTIONS}`);
    expect(process.env.JDK_JAVA_OPTIONS).toBe('-Xmx1g');
  });
});
