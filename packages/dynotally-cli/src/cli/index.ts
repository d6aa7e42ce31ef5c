export { clientConfigFor, isLoopbackEndpoint, makeClients } from './config/clients.ts';
export { configSchema, isRollup } from './config/config-schema.ts';
export { type DynotallyConfig, defineConfig, type TableNamesConfig } from './config/define-config.ts';
export { CONFIG_FILE_NAMES, type LoadedConfig, loadConfig } from './config/load-config.ts';
export {
  DEFAULT_TABLES,
  ENVIRONMENT,
  type GlobalFlags,
  resolveSettings,
  type Settings,
} from './config/settings.ts';
export { exitCodeFor } from './errors/exit-code.ts';
export { formatError } from './errors/format-error.ts';
export { toDynotallyError } from './errors/to-dynotally-error.ts';
export { type CliIo, processIo } from './io.ts';
export { formatTable } from './output/table.ts';
export { runCli } from './run-cli.ts';
