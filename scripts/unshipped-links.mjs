// A doc shipped inside a package keeps only the relative links that resolve inside the package: a link to a
// repository file the package does not carry (../packages/…/codes.ts, worker.md#…) becomes plain text naming
// the file by its repository path in code font, e.g. "the Redis buffer (`docs/redis-buffer.md`)". Links to web
// pages, in-page anchors and shipped files stay links. The repository's own docs are not changed.
import { posix } from 'node:path';

/**
 * Rewrites the relative links of `markdown` (the repository file `from`, e.g. `docs/cli.md`) whose target is
 * not in `shipped` (repository paths of the files the package carries) into plain text.
 *
 * @example
 * unshippedLinksToText('[worker.md](worker.md#a)', 'docs/cli.md', ['docs/cli.md']); // '`docs/worker.md`'
 */
export function unshippedLinksToText(markdown, from, shipped) {
  return markdown.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (link, text, target) => {
    if (/^(https?:|mailto:|#)/.test(target)) return link;
    const [file = '', anchor] = target.split('#');
    const path = posix.normalize(posix.join(posix.dirname(from), file));
    if (path === from) return anchor === undefined ? link : `[${text}](#${anchor})`;
    if (shipped.includes(path)) return link;
    const plain = text.replace(/`/g, '');
    return plain === path || plain === posix.basename(path) ? `\`${path}\`` : `${text} (\`${path}\`)`;
  });
}
