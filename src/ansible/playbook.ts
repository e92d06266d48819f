/**
 * ansible-playbook: typed options, the argv they make, and a runner through
 * the process chokepoint. The same argv is what `kspray plan` shows and what
 * `kspray apply` runs.
 */
import { run, type RunOptions, type RunResult } from '../process/exec.js';

export interface PlaybookOptions {
  /** The ansible-playbook executable (PATH name or a venv's bin path). */
  executable?: string;
  playbook: string;
  inventory: string;
  become?: boolean;
  forks?: number;
  /** Files passed as `-e @FILE`, in order. */
  extraVarsFiles?: readonly string[];
  /** Single variables passed as `-e key=value`, after the files (so they win). */
  extraVars?: Readonly<Record<string, string>>;
  /** The --limit pattern, or undefined for none. */
  limit?: string;
  tags?: readonly string[];
}

export function playbookArgv(options: PlaybookOptions): string[] {
  const argv = [options.executable ?? 'ansible-playbook'];
  if (options.become) argv.push('-b');
  if (options.forks !== undefined) argv.push('-f', String(options.forks));
  argv.push('-i', options.inventory);
  for (const file of options.extraVarsFiles ?? []) argv.push('-e', `@${file}`);
  for (const [key, value] of Object.entries(options.extraVars ?? {})) argv.push('-e', `${key}=${value}`);
  argv.push(options.playbook);
  if (options.limit !== undefined) argv.push('--limit', options.limit);
  if (options.tags && options.tags.length > 0) argv.push('--tags', options.tags.join(','));
  return argv;
}

/** Runs an ansible-playbook argv; a failed play is a result (exit code != 0), not a throw. */
export async function runPlaybookArgv(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(argv, {
    ...options,
    reject: false,
    env: { ANSIBLE_FORCE_COLOR: 'false', ANSIBLE_NOCOLOR: 'true', ANSIBLE_RETRY_FILES_ENABLED: 'false', ...options.env },
  });
}
