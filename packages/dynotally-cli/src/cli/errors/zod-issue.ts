import { DynotallyError } from 'dynotally';
import type { z } from 'zod';

/**
 * The first zod issue as one `CONFIG_INVALID` error: `<where><path>: <problem> (<fix>)`.
 *
 * @example
 * ```ts
 * const r = schema.safeParse(flags);
 * if (!r.success) throw zodToError(r.error, { where: 'query total', fix: "see 'dynotally query total --help'" });
 * ```
 */
export function zodToError(
  error: z.ZodError,
  options: { where: string; fix: string; names?: Readonly<Record<string, string>> },
): DynotallyError {
  const issue = error.issues[0];
  const key = issue?.path.map(String).join('.') ?? '';
  const name = options.names?.[key] ?? key;
  let problem = issue?.message ?? 'invalid';
  if (issue?.code === 'unrecognized_keys')
    problem = `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.join(', ')}`;
  const subject = name === '' ? options.where : `${options.where}: ${name}`;
  return new DynotallyError('CONFIG_INVALID', `${subject}: ${problem} (${options.fix})`, {
    details: { issues: error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
  });
}
