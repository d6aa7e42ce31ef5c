// npm shows a package's own README. Each package's is written for someone installing it from npm and lives at
// docs/npm/<package name>.md (the repository's README.md is for working on the repository: its set-up and
// relative links mean nothing on npmjs.com); LICENSE and CHANGELOG are the repository's. The CLI's messages cite
// docs/cli.md ("see docs/cli.md in the dynotally-cli package"), so dynotally-cli ships it. Copy them into the
// package directory before packing (packages/*/README.md, packages/*/docs/ and the others are gitignored). Run
// from a package directory. Links in the shipped docs/cli.md to repository files the package does not carry
// become plain text naming the file (unshipped-links.mjs): there is no public repository to link to yet.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { unshippedLinksToText } from './unshipped-links.mjs';

const { name } = JSON.parse(readFileSync('package.json', 'utf8'));
const readme = `../../docs/npm/${name}.md`;
if (!existsSync(readme)) throw new Error(`${readme} is missing: every package has its npm README there`);
copyFileSync(readme, 'README.md');
for (const file of ['LICENSE', 'CHANGELOG.md']) {
  if (existsSync(`../../${file}`)) copyFileSync(`../../${file}`, file);
}
if (name === 'dynotally-cli') {
  mkdirSync('docs', { recursive: true });
  const cli = readFileSync('../../docs/cli.md', 'utf8');
  writeFileSync('docs/cli.md', unshippedLinksToText(cli, 'docs/cli.md', ['docs/cli.md']));
}
