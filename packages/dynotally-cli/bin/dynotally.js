#!/usr/bin/env node
// The `dynotally` command. dynotally ships TypeScript sources; tsx's ESM loader (a dependency) runs them
// and lets `--config dynotally.config.ts` be imported as is.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
