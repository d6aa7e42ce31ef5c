// The dashboard's page, script and styles are served from beside the built server module: copy them into
// dist/ after tsc (which only emits .ts). Run from packages/dynotally-cli.
import { cpSync } from 'node:fs';

cpSync('src/dashboard/public', 'dist/dashboard/public', { recursive: true });
