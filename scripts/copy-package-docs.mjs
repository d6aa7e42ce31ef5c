// npm shows a package's own README; the repository keeps one README, LICENSE and CHANGELOG at its root.
// Copy them into the package directory before packing. Run from a package directory.
import { copyFileSync, existsSync } from 'node:fs';

for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md']) {
  if (existsSync(`../../${file}`)) copyFileSync(`../../${file}`, file);
}
