import type { ControlItem, DynotallyError, Rollup } from 'dynotally';
import type { Settings } from '../config/settings.ts';
import { queryVersionProblem } from './query-versions.ts';

/**
 * The definition of a configured rollup that reads its serving version, as {@link servingDefinition} finds it.
 *
 * @example
 * ```ts
 * const found: ServingDefinition = { rollup: ordersBefore, alsoWrite: true, problem: undefined };
 * ```
 */
export interface ServingDefinition {
  /** The definition to read with: the configured one, or the configuration's `alsoWrite` one. */
  readonly rollup: Rollup;
  /** True when `rollup` is the `alsoWrite` definition (the configured one is not the serving one). */
  readonly alsoWrite: boolean;
  /**
   * Why no definition of the configuration reads the serving version (`rollup` is the configured one then), in the
   * command line's terms ({@link queryVersionProblem}); `undefined` when `rollup` reads it.
   */
  readonly problem: DynotallyError | undefined;
}

/**
 * Which definition of the configuration reads a rollup's serving version: the configured one (in `rollups`) when a
 * version of it serves or the rollup has no control item; else the configuration's `alsoWrite` one when a version
 * of it serves (a changed definition rolling out, or rolled back: docs/cli.md, "Changing a rollup with several
 * workers"); else none, and `problem` says what makes the configured one serve. Pure: give it the control item
 * just read.
 *
 * @example
 * ```ts
 * const control = await readControl(client, settings.tables.aggregate, 'orders');
 * const { rollup, problem } = servingDefinition(settings, rollupNamed(settings, 'orders'), control);
 * if (problem !== undefined) throw problem;
 * ```
 */
export function servingDefinition(
  settings: Pick<Settings, 'alsoWrite'>,
  configured: Rollup,
  control: ControlItem | undefined,
): ServingDefinition {
  const problem = queryVersionProblem(configured, control);
  if (problem === undefined) return { rollup: configured, alsoWrite: false, problem };
  const other = settings.alsoWrite.find(
    (r) => r.compiled.name === configured.compiled.name && queryVersionProblem(r, control) === undefined,
  );
  if (other === undefined) return { rollup: configured, alsoWrite: false, problem };
  return { rollup: other, alsoWrite: true, problem: undefined };
}
