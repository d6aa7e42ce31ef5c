export { ERROR_CODES, type ErrorCode } from './codes.ts';
export { DynotallyError, type DynotallyErrorOptions, isDynotallyError } from './dynotally-error.ts';
