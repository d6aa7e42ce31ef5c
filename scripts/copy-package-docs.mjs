// npm shows a package's own README. Each package's is written for someone installing it from npm and lives at
// docs/npm/<package name>.md (the repository's README.md is for working on the repository: its set-up and
// relative links mean nothing on npmjs.com); LICENSE and CHANGELOG are the repository's. The CLI's messages cite
// docs/cli.md ("see docs/cli.md in the dynotally-cli package"), so dynotally-cli ships it. Copy them into the
// package directory before packing (packages/*/README.md, packages/*/docs/ and the others are gitignored). Run
// from a package directory.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';

const { name } = JSON.parse(readFileSync('package.json', 'utf8'));
const readme = `../../docs/npm/${name}.md`;
if (!existsSync(readme)) throw new Error(`${readme} is missing: every package has its npm README there`);
copyFileSync(readme, 'README.md');
for (const file of ['LICENSE', 'CHANGELOG.md']) {
  if (existsSync(`../../${file}`)) copyFileSync(`../../${file}`, file);
}
if (name === 'dynotally-cli') {
  mkdirSync('docs', { recursive: true });
  copyFileSync('../../docs/cli.md', 'docs/cli.md');
}
