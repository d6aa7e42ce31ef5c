import { flatString } from '../strings/flat-string.ts';
import { insertFields, partiqlId } from './partiql-names.ts';

/** Most `INSERT` texts remembered (a tree of at most this many nodes): the tree is dropped when it is reached. */
export const MAX_INSERT_TEXTS = 8192;

/**
 * Fields after the row's fixed ones that the tree remembers: the shard's state and three cells (nine statements in
 * ten on the fold bench). Deeper texts are made anew each time: their combinations of cells (a month row's days, a
 * batch's late modifies) are nearly all distinct, and remembering them filled the tree within a few batches, so it
 * was dropped and rebuilt over and over (about 90,000 nodes, 20 MB of text, for the bench's 500,000 records).
 */
export const MAX_REMEMBERED_FIELDS = 4;

/** One field of an `INSERT` text, after the fields above it. */
export interface InsertTextNode {
  /** The statement up to and including this field, without the closing brace. */
  readonly open: string;
  /** Fields after the fixed ones up to this one. */
  readonly depth: number;
  /** The whole statement ending at this field (made on first use). */
  statement: string | undefined;
  /** The texts continuing with one more field, by its name (never for a node at the remembered depth). */
  next: Map<string, InsertTextNode> | undefined;
}

/**
 * The texts of the row `INSERT`s, remembered as a tree: one root per table and row shape (with or without `ttl`,
 * with or without the leaderboard entry), then one level per field name in statement order, at most
 * {@link MAX_REMEMBERED_FIELDS} deep. A statement met before costs one map lookup per named field and allocates no
 * text; its parameters are built anew each time.
 *
 * @example
 * ```ts
 * const texts = new InsertTexts();
 * let node = texts.root('aggregates', true, false);
 * node = texts.field(node, 'orders');
 * texts.statement(node); // `INSERT INTO "aggregates" VALUE {'pk': ?, 'sk': ?, 'updatedAt': ?, 'ttl': ?, 'orders': ?}`
 * ```
 */
export class InsertTexts {
  private table: string | undefined;
  private roots: InsertTextNode[] = [];
  private size = 0;

  /** The text up to the row's fixed fields: keys, `updatedAt`, then `ttl` and the leaderboard entry if present. */
  root(table: string, ttl: boolean, leaderboard: boolean): InsertTextNode {
    if (table !== this.table || this.size >= MAX_INSERT_TEXTS) {
      const head = `INSERT INTO ${partiqlId(table)} VALUE {'pk': ?, 'sk': ?, 'updatedAt': ?`;
      const node = (open: string): InsertTextNode => ({
        open,
        depth: 0,
        statement: undefined,
        next: undefined,
      });
      this.roots = [
        node(head),
        node(`${head}, 'ttl': ?`),
        node(`${head}, 'lbk': ?, 'lbv': ?`),
        node(`${head}, 'ttl': ?, 'lbk': ?, 'lbv': ?`),
      ];
      this.table = table;
      this.size = 4;
    }
    return this.roots[(ttl ? 1 : 0) + (leaderboard ? 2 : 0)] as InsertTextNode;
  }

  /** The text continuing `node` with the field `name`. */
  field(node: InsertTextNode, name: string): InsertTextNode {
    const depth = node.depth + 1;
    // past the remembered depth: a node of its own, not kept (made flat by `statement`)
    if (depth > MAX_REMEMBERED_FIELDS)
      return { open: node.open + insertFields.get(name), depth, statement: undefined, next: undefined };
    let next = node.next;
    if (next === undefined) {
      next = new Map();
      node.next = next;
    }
    let child = next.get(name);
    if (child === undefined) {
      child = { open: node.open + insertFields.get(name), depth, statement: undefined, next: undefined };
      next.set(name, child);
      this.size++;
    }
    return child;
  }

  /** The whole statement ending at `node`. */
  statement(node: InsertTextNode): string {
    let s = node.statement;
    if (s === undefined) {
      s = flatString(`${node.open}}`); // the serializer would copy it flat when sending
      node.statement = s;
    }
    return s;
  }
}
