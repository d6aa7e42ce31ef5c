import { jsonReplacer } from '../context.ts';

/**
 * `{ "<key>": [ … ] }` written an element at a time, exactly as `--json` prints the whole object
 * (`JSON.stringify(data, jsonReplacer, 2)`), so a command that pages through a table never holds the array.
 *
 * @example
 * ```ts
 * const out = jsonArrayStream('deadLetters', io.stdout);
 * for (const l of page) out.push(toJson(l));
 * out.end();
 * ```
 */
export function jsonArrayStream(
  key: string,
  write: (text: string) => void,
): { push(value: unknown): void; end(): void } {
  let n = 0;
  const head = `{\n  ${JSON.stringify(key)}: [`;
  return {
    push(value) {
      const text = JSON.stringify(value, jsonReplacer, 2)
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n');
      write(`${n === 0 ? `${head}\n` : ',\n'}${text}`);
      n += 1;
    },
    end() {
      write(n === 0 ? `${head}]\n}\n` : '\n  ]\n}\n');
    },
  };
}
