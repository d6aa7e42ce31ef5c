/**
 * Runs `task` over `inputs` with at most `concurrency` in flight; rejects with the first error
 * after the tasks already started have settled.
 *
 * @example
 * ```ts
 * await runPool(inputs, 16, (input) => client.send(new UpdateItemCommand(input)));
 * ```
 */
export async function runPool<T>(
  inputs: readonly T[],
  concurrency: number,
  task: (input: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < inputs.length) {
      const input = inputs[next++]!;
      try {
        await task(input);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const width = Math.max(1, Math.min(concurrency, inputs.length));
  await Promise.all(Array.from({ length: width }, worker));
  if (failure !== undefined) throw failure.error;
}
