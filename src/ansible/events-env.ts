/**
 * The environment that turns kspray's event callback on, through variables
 * alone (no ansible.cfg of ours, so Kubespray's own ansible.cfg stays in
 * charge). An ANSIBLE_* variable replaces the matching ansible.cfg setting, so
 * what the operator (environment) or Kubespray (ansible.cfg, e.g.
 * `callbacks_enabled = profile_tasks`) already had is carried over and ours
 * appended, never dropped.
 */
import { access, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { playbooksDir } from '../util/paths.js';
import { secretsToMask, WHOLE_TOKEN_BELOW } from '../util/redact.js';
import { writeFileAtomic } from '../util/atomic-write.js';

export const EVENTS_CALLBACK = 'kspray_events';
export const callbackPluginDir = join(playbooksDir, 'callback_plugins');

/** Ansible's built-in default for callback_plugins (2.7 … 2.18, ANSIBLE_HOME being ~/.ansible). */
const DEFAULT_CALLBACK_PATHS = ['~/.ansible/plugins/callback', '/usr/share/ansible/plugins/callback'];

/** What an ansible.cfg says about callbacks. */
export interface CallbackSettings {
  callbackPlugins: string[];
  enabled: string[];
}

const splitList = (value: string | undefined, separator: string | RegExp): string[] =>
  (value ?? '').split(separator).map((item) => item.trim()).filter((item) => item.length > 0);

const union = (...lists: string[][]): string[] => [...new Set(lists.flat())];

/**
 * KSPRAY_EVENTS_FILE, PYTHONDONTWRITEBYTECODE, ANSIBLE_CALLBACK_PLUGINS (existing paths, then ours),
 * and both ANSIBLE_CALLBACK_WHITELIST (Ansible < 2.11) and
 * ANSIBLE_CALLBACKS_ENABLED (2.11+) listing what was enabled plus ours.
 * `existing` is the environment the child would otherwise get; `config` the
 * settings of the ansible.cfg it would read (see readCallbackSettings).
 */
export function eventsEnv(
  eventsFile: string,
  existing: NodeJS.ProcessEnv = process.env,
  config?: CallbackSettings,
): Record<string, string> {
  let paths = splitList(existing.ANSIBLE_CALLBACK_PLUGINS, ':');
  if (paths.length === 0) paths = config?.callbackPlugins.length ? config.callbackPlugins : DEFAULT_CALLBACK_PATHS;
  let enabled = union(splitList(existing.ANSIBLE_CALLBACK_WHITELIST, ','), splitList(existing.ANSIBLE_CALLBACKS_ENABLED, ','));
  if (enabled.length === 0) enabled = config?.enabled ?? [];
  const callbacks = union(enabled, [EVENTS_CALLBACK]).join(',');
  return {
    KSPRAY_EVENTS_FILE: eventsFile,
    // Loading the plugin must not write __pycache__ into kspray's package (read-only when installed globally).
    PYTHONDONTWRITEBYTECODE: '1',
    ANSIBLE_CALLBACK_PLUGINS: union(paths, [callbackPluginDir]).join(':'),
    ANSIBLE_CALLBACK_WHITELIST: callbacks,
    ANSIBLE_CALLBACKS_ENABLED: callbacks,
  };
}

/**
 * The callback settings in an ansible.cfg's [defaults]. Relative plugin paths
 * are resolved against the file's directory, as Ansible does; `~` and `$VAR`
 * are left for Ansible to expand.
 */
export function parseCallbackSettings(text: string, cfgDir: string): CallbackSettings {
  const values = new Map<string, string>();
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!.trim();
      continue;
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (section === 'defaults' && pair) values.set(pair[1]!.toLowerCase(), pair[2]!.replace(/\s+;.*$/, '').trim());
  }
  const callbackPlugins = splitList(values.get('callback_plugins'), ':').map((path) =>
    isAbsolute(path) || path.startsWith('~') || path.startsWith('$') ? path : resolve(cfgDir, path));
  const enabled = union(splitList(values.get('callback_whitelist'), ','), splitList(values.get('callbacks_enabled'), ','));
  return { callbackPlugins, enabled };
}

/**
 * The callback settings of the ansible.cfg that ansible-playbook would read
 * when started in `cwd` with `env` (ANSIBLE_CONFIG, ./ansible.cfg,
 * ~/.ansible.cfg, /etc/ansible/ansible.cfg: the first that exists), or
 * undefined when there is none.
 */
export async function readCallbackSettings(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<CallbackSettings | undefined> {
  const candidates: string[] = [];
  // ANSIBLE_CONFIG may name a file or a directory holding ansible.cfg.
  if (env.ANSIBLE_CONFIG) candidates.push(resolve(cwd, env.ANSIBLE_CONFIG), join(resolve(cwd, env.ANSIBLE_CONFIG), 'ansible.cfg'));
  candidates.push(join(cwd, 'ansible.cfg'), join(env.HOME ?? homedir(), '.ansible.cfg'), '/etc/ansible/ansible.cfg');
  for (const file of candidates) {
    try {
      await access(file);
    } catch {
      continue;
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue; // a directory, or unreadable: Ansible skips it too
    }
    return parseCallbackSettings(text, dirname(file));
  }
  return undefined;
}

/**
 * The secrets the callback masks in the events file (as redact() masks logs),
 * in a private file beside it, named to the callback by KSPRAY_MASK_FILE; the
 * caller removes it when the run ends. Undefined when nothing is registered.
 * A file, not a variable: ansible-playbook's environment reaches every task.
 */
export async function writeMaskFile(eventsFile: string): Promise<{ env: Record<string, string>; remove: () => Promise<void> } | undefined> {
  const secrets = secretsToMask();
  if (secrets.length === 0) return undefined;
  const path = `${eventsFile}.mask`;
  await writeFileAtomic(path, JSON.stringify({ whole_token_below: WHOLE_TOKEN_BELOW, secrets }), { mode: 0o600 });
  return { env: { KSPRAY_MASK_FILE: path }, remove: () => rm(path, { force: true }) };
}
