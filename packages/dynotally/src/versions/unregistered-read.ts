import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';

/**
 * The definition a serving query reads as version 1 when its rollup has no control item: no versioned stream side
 * registered it, so its rows (if any) are version 1's, written by whichever definition an unversioned stream side
 * (`createStreamHandler`) deployed. That is known only when the client was given one definition of the rollup, and
 * a query names it (by name, or by that very definition); anything else is `VERSION_UNKNOWN`, never a silent read
 * of another definition's rows.
 *
 * @param given the client's definitions of the rollup
 * @param fingerprint the fingerprint of the definition the query names (undefined: named by name)
 * @param read false when the client has not read the control item yet (an `explain` before any query)
 * @throws {DynotallyError} `VERSION_UNKNOWN` saying which definition is unknown and what to do.
 * @example
 * ```ts
 * unregisteredVersionOne('store', [store.compiled], store.compiled.fingerprint, true); // store.compiled
 * unregisteredVersionOne('store', [storeV1.compiled, storeV2.compiled], undefined, true); // throws VERSION_UNKNOWN
 * ```
 */
export function unregisteredVersionOne(
  name: string,
  given: readonly CompiledRollup[],
  fingerprint: string | undefined,
  read: boolean,
): CompiledRollup {
  const only = given.length === 1 ? given[0] : undefined;
  if (only !== undefined && (fingerprint === undefined || fingerprint === only.fingerprint)) return only;
  const details = { rollup: name, fingerprint, definitions: given.length };
  if (!read)
    throw new DynotallyError(
      'VERSION_UNKNOWN',
      `the client has not read rollup '${name}''s control item yet, and with ${given.length === 1 ? 'another definition given' : `${given.length} definitions given`} it cannot assume version 1: run a query or refresh() before explain`,
      { details },
    );
  const unversioned = `rollup '${name}' has no control item in this table, so no version of it is registered: its rows, if any, are version 1's, written by an unversioned stream side (createStreamHandler) with the definition it deployed`;
  if (only !== undefined)
    throw new DynotallyError(
      'VERSION_UNKNOWN',
      `${unversioned}, and this one (fingerprint ${fingerprint}) is not the definition the client was given for it: query '${name}' by name, or give the client the deployed definition`,
      { details },
    );
  throw new DynotallyError(
    'VERSION_UNKNOWN',
    `${unversioned}; the client was given ${given.length} definitions of it and cannot tell which one that was: give it only the deployed definition, or deploy them to a versioned stream side first (createVersionedWriteSide, or dynotally worker, registers them)`,
    { details },
  );
}
