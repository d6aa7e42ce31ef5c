// Removes the package's dist/ before a build, so no file of a deleted module is ever packed.
// Run from a package directory: `node ../../scripts/clean-dist.mjs`.
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
