import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynotallyError, type Rollup, readControl, versionsOfDefinition } from 'dynotally';
import type { Settings } from '../config/settings.ts';
import { noVersionsNote } from './also-write-note.ts';
import type { WritingCommand } from './writing-command.ts';

/** The alsoWrite definitions a writing command uses, and what it left out and why (for stderr). */
export interface LiveAlsoWrite {
  readonly alsoWrite: readonly Rollup[];
  readonly notes: readonly string[];
}

/**
 * The configuration's `alsoWrite` definitions checked against their rollups' control items (one read each), before
 * the direct worker builds its write side, which registers every definition it does not find:
 * - a rollup with no control item has nothing serving to keep written: its alsoWrite definition is left out (a
 *   note says so), and the configured one registers as version 1, as without alsoWrite;
 * - a definition no version was registered for is refused (the write side would register it as a new version,
 *   above the changed one, and write the serving version no more than without it);
 * - a rollup whose serving version is neither the configured definition's nor the alsoWrite one's (a stale
 *   alsoWrite carried into the next change) is refused: the serving version would miss every change;
 * - a definition whose versions are all retired (a rollout promoted) is left out, with a note.
 *
 * `command` names the command in the refusals (`worker`, the default, or `dev`).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming the rollup and what to put in alsoWrite.
 * @example
 * ```ts
 * const { alsoWrite, notes } = await liveAlsoWrite(client, settings);
 * const side = directWriteSide(client, { ...settings, alsoWrite }, flags);
 * ```
 */
export async function liveAlsoWrite(
  client: DynamoDBClient,
  settings: Pick<Settings, 'rollups' | 'alsoWrite' | 'tables'>,
  command: WritingCommand = 'worker',
): Promise<LiveAlsoWrite> {
  const kept: Rollup[] = [];
  const notes: string[] = [];
  for (const extra of settings.alsoWrite) {
    const { name, fingerprint } = extra.compiled;
    const control = await readControl(client, settings.tables.aggregate, name);
    if (control === undefined) {
      notes.push(noVersionsNote(name));
      continue;
    }
    const refuse = (why: string): never => {
      throw new DynotallyError(
        'CONFIG_INVALID',
        `${command}: the configuration's alsoWrite definition of rollup '${name}' ${why}; alsoWrite holds the definition that serves while a changed one rolls out: put that one there (dynotally rollups status ${name}), or remove it`,
        { details: { rollup: name, serving: control.serving } },
      );
    };
    const mine = versionsOfDefinition(control, fingerprint);
    if (mine.length === 0)
      refuse(
        `is no registered version (version ${control.serving ?? '?'} serves another definition), so the worker would register it as a new one`,
      );
    const serving = control.serving;
    const main = settings.rollups.find((r) => r.compiled.name === name);
    const owns = (r: Rollup | undefined) =>
      r !== undefined &&
      versionsOfDefinition(control, r.compiled.fingerprint).some((v) => v.version === serving);
    if (serving !== undefined && !owns(main) && !owns(extra))
      refuse(
        `is version ${mine.map((v) => `${v.version} (${v.state})`).join(', ')}, and version ${serving} serves a definition this configuration does not write, so the serving version would miss every change until the promotion`,
      );
    if (mine.every((v) => v.state === 'retired')) {
      notes.push(
        `alsoWrite: rollup '${name}' version ${mine.map((v) => v.version).join(', ')} of its alsoWrite definition is retired (version ${serving ?? '?'} serves the configured one): nothing to write, left out; drop it from alsoWrite`,
      );
      continue;
    }
    kept.push(extra);
  }
  return { alsoWrite: kept, notes };
}
