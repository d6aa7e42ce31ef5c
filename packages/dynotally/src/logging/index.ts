export { errorReplacer, jsonLogger, type Logger, type LogLevel } from './logger.ts';
