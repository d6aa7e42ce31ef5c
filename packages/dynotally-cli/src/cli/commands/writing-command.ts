/**
 * The command whose worker writes your rollups through their versions, as the checks it shares with the other one
 * name it in their messages: `dynotally worker`, or `dynotally dev --scenarios none`.
 *
 * @example
 * ```ts
 * const command: WritingCommand = 'dev';
 * await liveAlsoWrite(client, settings, command); // its refusals say "dev: …"
 * ```
 */
export type WritingCommand = 'worker' | 'dev';
