#!/usr/bin/env node
// The `dynotally` command. An installed package runs its built JavaScript (dist/); tsx is loaded only to
// import a user's TypeScript config file. In a checkout of the dynotally repository without a build (or with
// DYNOTALLY_CLI_SOURCE=1, as the repository's tests set), it runs the TypeScript sources through tsx, with the
// workspace's tsconfig resolving `dynotally` to the library's sources.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli/main.js', import.meta.url);
if (process.env.DYNOTALLY_CLI_SOURCE !== '1' && existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
  await import('../src/cli/main.ts');
}
