import { Duration } from 'aws-cdk-lib';
import { Architecture, type Code, Runtime, RuntimeFamily } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { DynotallyError } from '../errors/index.ts';

/**
 * The Lambda function of {@link DynotallyAggregates}: your handler file, bundled by esbuild (locally when
 * esbuild is installed, as it is with dynotally's dev dependencies; otherwise CDK falls back to Docker).
 *
 * @example
 * ```ts
 * const fn: StreamFunctionOptions = { entry: 'src/aggregates-handler.ts', memorySize: 1024, sourceMap: true };
 * ```
 */
export interface StreamFunctionOptions {
  /**
   * Your handler file: it exports `handler = createStreamHandler({ rollups, table: process.env.AGGREGATE_TABLE!,
   * deadLetter: { table: process.env.DEAD_LETTER_TABLE! } })`. Give `entry` or `code`.
   */
  entry?: string;
  /** Prebuilt code instead of bundling `entry` (handler default `index.handler`). */
  code?: Code;
  /** The exported handler: default `handler` with `entry`, `index.handler` with `code`. */
  handler?: string;
  /**
   * A Node.js runtime, 22 or newer, of `RuntimeFamily.NODEJS` (`new Runtime('nodejs24.x', RuntimeFamily.NODEJS)`, not
   * `new Runtime('nodejs24.x')`). Default Node.js 24. (Lambda blocks creating `nodejs20.x` functions since
   * Aug 31, 2026 and updating them since Sep 30, 2026: refused at synth.)
   */
  runtime?: Runtime;
  /** Default ARM_64 (cheaper per GB-second; the bundle is plain JavaScript). */
  architecture?: Architecture;
  /** MB, default 512 (a 1,000-record batch folds in a few ms of CPU; memory also buys network). */
  memorySize?: number;
  /**
   * Default 1 minute: a batch's bounded write retries finish well within it. Whole seconds, 1 s – 15 min. A value
   * known only at deploy time (a token) must be in seconds (`Duration.seconds(param.valueAsNumber)`): the function
   * takes seconds, and a token cannot be converted at synth.
   */
  timeout?: Duration;
  /**
   * Emit a source map and run with `--enable-source-maps` (readable stack traces, slower cold start): the flag is
   * joined to a `NODE_OPTIONS` given in `environment` (unless that has it already). Default false.
   */
  sourceMap?: boolean;
  /**
   * esbuild settings merged over the defaults (minified ESM for the runtime's Node.js version, SDK v3 external, and
   * for an ES module bundle a banner that gives CommonJS dependencies `require`; `format: OutputFormat.CJS` drops it).
   */
  bundling?: BundlingOptions;
  /** Where `package.json` / the lock file live, when not found by walking up from `entry`. */
  projectRoot?: string;
  /** The lock file, when not found by walking up from `entry`. */
  depsLockFilePath?: string;
  /**
   * Extra environment variables (AGGREGATE_TABLE, DEAD_LETTER_TABLE, DYNOTALLY_MODE,
   * DYNOTALLY_MAX_RECORD_AGE_SECONDS and DYNOTALLY_REPORT_BATCH_ITEM_FAILURES are set for you).
   */
  environment?: Record<string, string>;
  functionName?: string;
}

/**
 * Makes CommonJS dependencies that call `require` work inside an ESM bundle.
 *
 * @example
 * ```ts
 * new NodejsFunction(stack, 'Fn', { entry, bundling: { format: OutputFormat.ESM, banner: ESM_REQUIRE_BANNER } });
 * ```
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __dynotallyCreateRequire } from 'node:module'; const require = __dynotallyCreateRequire(import.meta.url);";

/** True when the bundle is an ES module: the default, unless `bundling.format` says otherwise. */
function esm(bundling: StreamFunctionOptions['bundling']): boolean {
  return bundling?.format === undefined || bundling.format === OutputFormat.ESM;
}

/**
 * `CONFIG_INVALID` naming `timeout` when the function could not take it: a token in a unit other than seconds (the
 * function takes seconds, CloudFormation does no arithmetic, and aws-cdk-lib threw its own uncoded "Duration must be
 * specified as 'Duration.seconds()'"), or a fixed value that is not whole seconds from 1 s to 15 min (aws-cdk-lib's
 * own uncoded errors too). A token in seconds goes to CloudFormation as it is, which checks it at deploy.
 */
function checkTimeout(timeout: Duration | undefined): void {
  if (timeout === undefined) return;
  if (timeout.isUnresolved()) {
    if (timeout.unitLabel() === 'seconds') return;
    throw new DynotallyError(
      'CONFIG_INVALID',
      `DynotallyAggregates: timeout is only known at deploy time (a token) in ${timeout.unitLabel()}, and the function takes seconds, which a token cannot be converted to at synth: give the token in seconds (Duration.seconds(param.valueAsNumber), the parameter in seconds), or a fixed Duration`,
      { details: { option: 'timeout', unit: timeout.unitLabel() } },
    );
  }
  const seconds = timeout.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 900) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `DynotallyAggregates: timeout ${timeout.toHumanString()} is not a whole number of seconds from 1 s to 15 minutes, which Lambda takes`,
      { details: { option: 'timeout', seconds } },
    );
  }
}

/** The flag that makes Node read the bundle's source map. */
const SOURCE_MAPS_FLAG = '--enable-source-maps';

/**
 * `NODE_OPTIONS` with `--enable-source-maps`: the flag alone, or joined to the user's own `NODE_OPTIONS` (which
 * would otherwise replace it, leaving the source map unread) unless that already has it.
 */
function withSourceMaps(given: string | undefined): string {
  if (given === undefined || given.trim() === '') return SOURCE_MAPS_FLAG;
  if (given.split(/\s+/).includes(SOURCE_MAPS_FLAG)) return given;
  return `${SOURCE_MAPS_FLAG} ${given}`;
}

/**
 * The oldest Node.js major the construct deploys. Lambda deprecated `nodejs20.x` on Apr 30, 2026, blocks creating
 * functions on it since Aug 31, 2026 and updating them since Sep 30, 2026: a stack on it synthesised and then failed
 * in CloudFormation (review s41c).
 *
 * @example
 * ```ts
 * MIN_NODE_MAJOR; // 22
 * ```
 */
const MIN_NODE_MAJOR = 22;

/** The Node.js major a runtime's name says (`nodejs24.x` → 24), whatever its family. */
function namedNodeMajor(name: unknown): number | undefined {
  const m = typeof name === 'string' ? /^nodejs(\d+)\.x$/.exec(name) : null;
  return m === null ? undefined : Number(m[1]);
}

/**
 * Why the construct cannot deploy on `runtime`, or undefined when it can: not a `Runtime` (a string such as
 * `'nodejs24.x'`), a Node.js name without `RuntimeFamily.NODEJS` (`new Runtime('nodejs24.x')`, which `NodejsFunction`
 * refuses), not Node.js, or older than {@link MIN_NODE_MAJOR} (Node.js 20 with Lambda's dates). Each says what to give
 * instead: a Node.js 24 runtime without its family was told to use "version 22 or newer" (review s41v).
 */
function runtimeRefusal(runtime: unknown): string | undefined {
  const given = runtime as { name?: unknown; family?: unknown } | null;
  const name = typeof runtime === 'object' && given !== null ? given.name : undefined;
  const major = namedNodeMajor(name);
  if (typeof name !== 'string') {
    const shown = typeof runtime === 'string' ? `'${runtime}'` : String(typeof runtime);
    return `runtime must be a lambda.Runtime (e.g. Runtime.NODEJS_24_X, the default), not ${shown}`;
  }
  if (major !== undefined && major >= MIN_NODE_MAJOR && given?.family !== RuntimeFamily.NODEJS)
    return `runtime ${name} was made without its family, and NodejsFunction takes only RuntimeFamily.NODEJS: give new Runtime('${name}', RuntimeFamily.NODEJS), or a runtime of aws-cdk-lib such as Runtime.NODEJS_24_X`;
  if (major !== undefined && major >= MIN_NODE_MAJOR) return undefined;
  return `runtime ${name} is not supported: use a Node.js runtime of version ${MIN_NODE_MAJOR} or newer (e.g. Runtime.NODEJS_24_X, the default)${major === 20 ? ': Lambda blocks creating nodejs20.x functions since Aug 31, 2026 and updating them since Sep 30, 2026, so the deploy would fail in CloudFormation' : ''}`;
}

/**
 * Defines the stream handler function: `entry` bundled with esbuild (minified ESM, target = the runtime's
 * Node.js, `@aws-sdk/*` left to the runtime) or prebuilt `code`. Throws `CONFIG_INVALID` without exactly one
 * of `entry` / `code`, with a runtime older than Node.js 22 ({@link MIN_NODE_MAJOR}), or a `timeout` the function cannot take (a token in a
 * unit other than seconds; not whole seconds from 1 s to 15 min).
 *
 * @example
 * ```ts
 * const fn = defineStreamFunction(stack, 'Handler', { entry: 'src/aggregates-handler.ts' }, { AGGREGATE_TABLE: 'aggs' });
 * ```
 */
export function defineStreamFunction(
  scope: Construct,
  id: string,
  options: StreamFunctionOptions,
  environment: Record<string, string>,
): NodejsFunction {
  if ((options.entry === undefined) === (options.code === undefined)) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      'DynotallyAggregates: give entry (your handler file, bundled with esbuild) or code (prebuilt), not both and not neither',
      { details: { option: options.entry === undefined ? 'entry' : 'code' } },
    );
  }
  const runtime = options.runtime ?? Runtime.NODEJS_24_X;
  const refused = runtimeRefusal(runtime);
  if (refused !== undefined) {
    const name = (runtime as { name?: unknown } | null)?.name;
    throw new DynotallyError('CONFIG_INVALID', `DynotallyAggregates: ${refused}`, {
      details: {
        option: 'runtime',
        runtime: typeof name === 'string' ? name : typeof runtime === 'string' ? runtime : typeof runtime,
      },
    });
  }
  checkTimeout(options.timeout);
  const sourceMap = options.sourceMap ?? false;
  return new NodejsFunction(scope, id, {
    entry: options.entry,
    code: options.code,
    handler: options.handler ?? (options.code === undefined ? 'handler' : 'index.handler'),
    runtime,
    architecture: options.architecture ?? Architecture.ARM_64,
    memorySize: options.memorySize ?? 512,
    timeout: options.timeout ?? Duration.minutes(1),
    functionName: options.functionName,
    projectRoot: options.projectRoot,
    depsLockFilePath: options.depsLockFilePath,
    environment: {
      ...options.environment,
      ...(sourceMap ? { NODE_OPTIONS: withSourceMaps(options.environment?.NODE_OPTIONS) } : {}),
      ...environment,
    },
    bundling: {
      format: OutputFormat.ESM,
      minify: true,
      sourceMap,
      mainFields: ['module', 'main'],
      // only an ES module bundle needs (or can parse) the banner: a CommonJS one has `require`, and an `import`
      // pasted on top of it makes Node load it as an ES module that exports nothing (no handler at all)
      ...(esm(options.bundling) ? { banner: ESM_REQUIRE_BANNER } : {}),
      ...options.bundling,
    },
  });
}
