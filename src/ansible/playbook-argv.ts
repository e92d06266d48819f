/**
 * The ansible-playbook command line from typed options: pure, shared by what
 * `kspray plan` shows and what `kspray apply` runs (playbook.ts runs it).
 */

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
  /** Variables that are not strings (serial as a list), passed as one JSON `-e` after extraVars. */
  extraVarsJson?: string;
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
  if (options.extraVarsJson !== undefined) argv.push('-e', options.extraVarsJson);
  argv.push(options.playbook);
  if (options.limit !== undefined) argv.push('--limit', options.limit);
  if (options.tags && options.tags.length > 0) argv.push('--tags', options.tags.join(','));
  return argv;
}
