import type { IdLookupOptions, IdScanProgress } from 'dynotally';
import type { CliIo } from '../io.ts';
import { plural } from '../output/plural.ts';
import { createProgress } from '../output/progress.ts';

/**
 * How `dead-letters show`, `replay <id>…` and `drop` look for ids without an id entry (letters stored before 0.2.0,
 * or no letter at all): with `scan` (the default; `--no-scan` turns it off) by a scan of the table's keys, said on
 * stderr as it goes — a line when it starts (which ids, and that `--no-scan` skips it), the items read so far once it has
 * run 2 s (on a terminal live, else a line every 5 s), and how far it got when it ends — so a large table's scan is never a
 * silent wait.
 *
 * @example
 * ```ts
 * await getDeadLetters(store, ids, idLookup(ctx.io, flags.scan));
 * ```
 */
export function idLookup(io: CliIo, scan: boolean): IdLookupOptions {
  if (!scan) return { scan: false };
  const progress = createProgress(io);
  let started = 0;
  return {
    scan: true,
    onScan(p: IdScanProgress) {
      const what = `${plural(p.ids.length, 'id')} without an id entry (${p.ids.join(', ')})`;
      if (p.done) {
        progress.done(
          `dead-letters: scanned ${plural(p.itemsRead, 'item')} of the table for ${what}: found ${p.found.toLocaleString('en-US')}`,
        );
      } else if (p.itemsRead === 0) {
        // said at once, whatever the rate: the scan may take long on a large table
        started = Date.now();
        io.stderr(
          `dead-letters: ${what}: a letter stored before 0.2.0 is found only by a scan of the table's keys; scanning (--no-scan skips it)\n`,
        );
      } else if (Date.now() - started >= 2_000)
        // a scan of a few pages ends before its first progress line
        progress.update(`dead-letters: scanning for ${what}: ${plural(p.itemsRead, 'item')} read`);
    },
  };
}
