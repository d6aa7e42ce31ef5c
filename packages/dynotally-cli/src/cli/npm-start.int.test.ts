// `npm start` as the README runs it, stopped with one Ctrl-C: the dev stack must get that one SIGINT, stop, and
// print its `stopped` line. The old start script ran the CLI under tsx's own CLI (`tsx main.ts dev`), a wrapper
// process that relays each signal it gets to the CLI unless the CLI acknowledges it over IPC within 30 ms, and
// kills the CLI (SIGKILL) when the relayed one is not acknowledged within 30 ms either. On a busy machine the
// acknowledgement came late: the CLI got a second SIGINT (its "exit at once") or was killed, and the run ended
// after `SIGINT received: stopping …` without its `stopped` line (or before it). The script now loads tsx into
// the CLI's own process (`node --import tsx`): no process stands between npm and the CLI to relay anything.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ddbReady, uniqueTableName } from '../../../../test/support/ddb.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly args: string;
}

/** The live processes of a process group. */
function group(pgid: number): Proc[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,pgid=,stat=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => Number(f[2]) === pgid && !f[3]?.startsWith('Z'))
    .map((f) => ({ pid: Number(f[0]), ppid: Number(f[1]), args: f.slice(4).join(' ') }));
}

/** The CLI process of the group: the last process running main.ts (the one whose children do not run it). */
function cliProcess(pgid: number): Proc {
  const procs = group(pgid);
  const running = procs.filter((p) => p.args.includes('src/cli/main.ts'));
  const cli = running.find((p) => !running.some((q) => q.ppid === p.pid));
  if (cli === undefined) throw new Error(`no CLI process in ${JSON.stringify(procs)}`);
  return cli;
}

describe('npm start', () => {
  it('one Ctrl-C stops the stack and prints its stopped line, even when the CLI is slow to take the signal', {
    timeout: 300_000,
  }, async () => {
    const tables = ['--table', '--source-table', '--dead-letter-table', '--lease-table'].flatMap(
      (flag, i) => [flag, uniqueTableName(`npm-start-${i}`)],
    );
    const child = spawn(
      'npm',
      [
        ...['start', '--', '--json', '--port', '0', '--no-open', '--history', '0', '--rate', '1'],
        ...['--scenarios', 's0', '--s4', 'direct', '--endpoint', await ddbReady(), ...tables],
      ],
      { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const pgid = child.pid as number;
    let out = '';
    let err = '';
    let onOut = (): void => {};
    child.stdout.on('data', (d) => {
      out += d;
      onOut();
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const until = (test: () => boolean, set: (f: () => void) => void): Promise<void> =>
      new Promise((resolve) => {
        set(() => {
          if (test()) resolve();
        });
        if (test()) resolve();
      });
    // stdout closes once every process holding it (npm, the CLI) has exited
    const closed = new Promise<void>((resolve) => child.stdout.once('close', () => resolve()));
    try {
      await until(
        () => out.includes('"event":"started"'),
        (f) => {
          onOut = f;
        },
      );
      const cli = cliProcess(pgid);
      // A CLI whose event loop stalls (a loaded machine) when the Ctrl-C comes: stopped for a while, here 2 s, then
      // continued. Whatever the length, it must then see one SIGINT and stop cleanly; a wrapper that gives up on its
      // acknowledgement after 30 ms (tsx's CLI) sends it a second SIGINT, or kills it.
      process.kill(cli.pid, 'SIGSTOP');
      process.kill(-pgid, 'SIGINT'); // Ctrl-C: the whole foreground group
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      try {
        process.kill(cli.pid, 'SIGCONT');
      } catch {} // killed meanwhile: the assertions below say so
      await closed;
      expect(err).toContain('SIGINT received: stopping');
      expect(out).toContain('"event":"stopped"');
      expect(err).not.toContain('dynotally: [');
    } finally {
      for (const p of group(pgid)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {}
      }
    }
  });
});
