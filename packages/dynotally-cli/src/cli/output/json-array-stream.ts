import { jsonReplacer } from '../context.ts';

/**
 * `{ "<key>": [ … ] }` written an element at a time, exactly as `--json` prints the whole object
 * (`JSON.stringify(data, jsonReplacer, 2)`), so a command that pages through a table never holds the array.
 * `close()` (in a `finally`) ends an array an error left open: stdout stays one JSON document of the elements
 * written (the error goes to stderr, the exit code says it), and nothing is written when no element was.
 *
 * @example
 * ```ts
 * const out = jsonArrayStream('deadLetters', io.stdout);
 * try {
 *   for (const l of page) out.push(toJson(l));
 *   out.end();
 * } finally {
 *   out.close();
 * }
 * ```
 */
export function jsonArrayStream(
  key: string,
  write: (text: string) => void,
): { push(value: unknown): void; end(): void; close(): void } {
  let n = 0;
  let ended = false;
  const head = `{\n  ${JSON.stringify(key)}: [`;
  const end = (): void => {
    if (ended) return;
    ended = true;
    write(n === 0 ? `${head}]\n}\n` : '\n  ]\n}\n');
  };
  return {
    push(value) {
      const text = JSON.stringify(value, jsonReplacer, 2)
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n');
      write(`${n === 0 ? `${head}\n` : ',\n'}${text}`);
      n += 1;
    },
    end,
    close() {
      if (n > 0) end();
    },
  };
}
