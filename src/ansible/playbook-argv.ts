/**
 * The ansible-playbook command line from typed options: pure, shared by what
 * `kspray plan` shows and what `kspray apply` runs (playbook.ts runs it).
 */
import { UsageError } from '../util/errors.js';
import { hasJinjaDelimiter } from './ansible-yaml.js';

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
  /** Variables of kspray's own (serial as a list, its playbooks' kspray_*), passed as one JSON `-e` after extraVars (ownVarsJson). */
  ownVars?: Readonly<Record<string, unknown>>;
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
  if (options.ownVars !== undefined) argv.push('-e', ownVarsJson(options.ownVars));
  argv.push(options.playbook);
  if (options.limit !== undefined) argv.push('--limit', options.limit);
  if (options.tags && options.tags.length > 0) argv.push('--tags', options.tags.join(','));
  return argv;
}

/**
 * Variables kspray hands to Ansible as JSON (`-e '{…}'`, `-e @vars.json`): the
 * one door they all go through. JSON has no `!unsafe`, and Ansible templates a
 * variable's value wherever a play reads it, so a string holding a Jinja
 * delimiter would run as an expression on the controller. The cluster file's
 * rules refuse such values at their position (model/rules-values.ts); this
 * also stops what comes from elsewhere (a path under the cluster file's
 * directory) and any variable added later.
 */
export function ownVarsJson(vars: Readonly<Record<string, unknown>>, indent?: number): string {
  for (const [name, value] of Object.entries(vars)) {
    const text = jinjaText(value);
    if (text !== undefined) {
      throw new UsageError(
        `kspray would pass ${name}=${JSON.stringify(text)} to Ansible, and it holds a Jinja delimiter ({{, {% or {#) that Ansible would template`,
        'a value must never become an expression: change the setting it comes from, or move the cluster file to a directory whose path holds none',
      );
    }
  }
  return JSON.stringify(vars, null, indent);
}

/** The first string at any depth of the value that holds a Jinja delimiter. */
function jinjaText(value: unknown): string | undefined {
  if (typeof value === 'string') return hasJinjaDelimiter(value) ? value : undefined;
  const items = Array.isArray(value) ? value : value !== null && typeof value === 'object' ? Object.values(value) : [];
  for (const item of items) {
    const text = jinjaText(item);
    if (text !== undefined) return text;
  }
  return undefined;
}
