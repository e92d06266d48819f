/**
 * kspray's say over a running ansible-playbook, through its event callback
 * (playbooks/callback_plugins/kspray_events.py): a directory of marker files
 * the callback looks at every play start, the one moment of a run where no
 * task of the play runs yet. `stop` ends the run there (the graceful stop:
 * the hosts in flight have finished their batch, no further batch starts),
 * at the start of a play that drains (stopPlays) so that no node is drained
 * after the request and no play that drains nothing is left undone;
 * with a held play, every batch of it after the first waits for `go-<batch>`
 * (kspray runs the health gates, the window check and the stop check
 * between waves of one run). Ansible itself has no signal for "stop after
 * this batch"; this is it.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface RunControl {
  dir: string;
  /** The callback's environment: the control directory, and the play whose batches wait for a go. */
  env: Record<string, string>;
  /** End the run at its next play start (no task of that play runs). */
  requestStop(): Promise<void>;
  /** Let batch `batch` (1-based) of the held play begin. */
  release(batch: number): Promise<void>;
}

export interface RunControlOptions {
  /** The play whose batches after the first wait for `release`. */
  holdPlay?: string | undefined;
  /**
   * Where a stop may take effect: the starts of these plays (the plays that
   * cordon and drain their batch). Undefined: every play start.
   */
  stopPlays?: readonly string[] | undefined;
}

/** A fresh control directory (what an earlier attempt left is removed). */
export async function createRunControl(dir: string, options: RunControlOptions = {}): Promise<RunControl> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const mark = (name: string) => writeFile(join(dir, name), `${new Date().toISOString()}\n`, { mode: 0o600 });
  return {
    dir,
    env: {
      KSPRAY_CONTROL_DIR: dir,
      ...(options.holdPlay === undefined ? {} : { KSPRAY_HOLD_PLAY: options.holdPlay }),
      ...(options.stopPlays === undefined ? {} : { KSPRAY_STOP_PLAYS: JSON.stringify(options.stopPlays) }),
    },
    requestStop: () => mark('stop'),
    release: (batch) => mark(`go-${batch}`),
  };
}
