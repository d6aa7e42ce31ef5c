/**
 * Texts made from attribute names for PartiQL statements, remembered per name: the same few names (a rollup's
 * counters, the shard's state attribute) recur in every statement of a batch, so each is quoted once instead of
 * once per statement. Bounded: a map is emptied when it reaches {@link MAX_NAMES} entries.
 */

/** Most names one map remembers (a rollup with packed minutes has about 60 names per measure). */
export const MAX_NAMES = 4096;

/**
 * One map of texts made from names by `make`, emptied when full.
 *
 * @example
 * ```ts
 * const quoted = new NameTexts((n) => `"${n}"`);
 * quoted.get('orders'); // '"orders"' (made once)
 * ```
 */
export class NameTexts {
  private readonly texts = new Map<string, string>();

  constructor(private readonly make: (name: string) => string) {}

  /** The text of a name, made on first use. */
  get(name: string): string {
    let text = this.texts.get(name);
    if (text === undefined) {
      text = this.make(name);
      if (this.texts.size >= MAX_NAMES) this.texts.clear();
      this.texts.set(name, text);
    }
    return text;
  }
}

/**
 * A PartiQL identifier: double-quoted, inner double quotes doubled.
 *
 * @example
 * ```ts
 * partiqlId('a"b'); // '"a""b"'
 * ```
 */
export function partiqlId(name: string): string {
  return `"${name.includes('"') ? name.replaceAll('"', '""') : name}"`;
}

/**
 * A PartiQL tuple key: single-quoted, inner single quotes doubled.
 *
 * @example
 * ```ts
 * partiqlKey("it's"); // "'it''s'"
 * ```
 */
export function partiqlKey(name: string): string {
  return `'${name.includes("'") ? name.replaceAll("'", "''") : name}'`;
}

/** `"a"` for each name. */
export const ids = new NameTexts(partiqlId);
/** `, 'a': ?`: a field of an `INSERT … VALUE {…}` after the first. */
export const insertFields = new NameTexts((n) => `, ${partiqlKey(n)}: ?`);
/**
 * ` SET "a" = "a" + ?`: an addition to an attribute the row holds, after the first `SET` clause. One path per
 * clause, as the service documents it (`[SET | REMOVE] path [= data] […]`, and its examples repeat `SET`); the
 * comma list `SET a = ?, b = ?` is not documented for PartiQL, though DynamoDB Local accepts it.
 */
export const plusClauses = new NameTexts((n) => {
  const a = partiqlId(n);
  return ` SET ${a} = ${a} + ?`;
});
/** ` SET "a" = if_not_exists("a", 0) + ?`: an addition to an attribute the row may lack. */
export const ifNotExistsClauses = new NameTexts((n) => {
  const a = partiqlId(n);
  return ` SET ${a} = if_not_exists(${a}, 0) + ?`;
});
