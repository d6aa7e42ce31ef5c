// Removes the package's dist/ before a build, so no file of a deleted module is ever packed, and after `npm pack`
// (postpack), so a pack (the consumer test packs both packages) leaves no build in the checkout: the `dynotally` bin
// runs a dist/ when there is one, and a stale one would hide every later change to the sources.
// Run from a package directory: `node ../../scripts/clean-dist.mjs`.
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
