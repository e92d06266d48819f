/**
 * The ansible.cfg kspray runs a hop with: the tag's own ansible.cfg (roles
 * path, library, pipelining, ssh args …) plus kspray's fact cache, written
 * beside the hop's inventory and pointed at with ANSIBLE_CONFIG.
 *
 * Ansible resolves relative plugin and role paths against the directory of
 * the config file, so once the file lives outside the checkout those entries
 * are made absolute against the checkout.
 *
 * Why a line editor and not `ini.parse` + `ini.stringify`: Ansible reads the
 * file with Python's ConfigParser, and a round trip through `ini` changes what
 * ConfigParser sees: it quotes values holding `=` (Kubespray's
 * `ssh_args = -o ControlMaster=auto …`), writes `;`/`#` as `\;`/`\#` (which
 * ConfigParser keeps literally), cuts values at any `#`, and drops comments.
 * Editing only the lines we change keeps every other byte of Kubespray's file
 * as ConfigParser would read it. (Tests parse the result back with `ini`.)
 */
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';

/** [defaults] keys whose value is a `:`-separated list of paths (Ansible type `pathspec`). */
export const PATH_KEYS: ReadonlySet<string> = new Set([
  'roles_path', 'library', 'module_utils', 'collections_path', 'collections_paths',
  'action_plugins', 'become_plugins', 'cache_plugins', 'callback_plugins', 'cliconf_plugins',
  'connection_plugins', 'doc_fragment_plugins', 'filter_plugins', 'httpapi_plugins',
  'inventory_plugins', 'lookup_plugins', 'netconf_plugins', 'strategy_plugins',
  'terminal_plugins', 'test_plugins', 'vars_plugins',
]);

/** Ansible's own callback_plugins default; kept when we add a directory, so nothing it found before is lost. */
const DEFAULT_CALLBACK_PATHS = ['~/.ansible/plugins/callback', '/usr/share/ansible/plugins/callback'];

export const FACT_CACHE_TIMEOUT_SECONDS = 86400;

export interface AnsibleCfgInput {
  /** The tag's ansible.cfg (repo root), or undefined when the tag has none. */
  kubesprayCfgText: string | undefined;
  /** The Kubespray checkout: relative paths of the original are resolved against it. */
  kubesprayDir: string;
  /** Directory of the jsonfile fact cache (shared by every hop of the cluster). */
  factCache: string;
  /** A directory appended to callback_plugins (kspray's event callback). */
  callbackPluginDir?: string | undefined;
  /** Ansible's log_path. */
  logPath?: string | undefined;
}

type Line =
  | { kind: 'raw'; text: string }
  | { kind: 'section'; name: string; text: string }
  | { kind: 'option'; section: string | undefined; key: string; rawKey: string; value: string; text: string[] };

export function renderAnsibleCfg(input: AnsibleCfgInput): string {
  const lines = parseLines(withoutOurHeader(input.kubesprayCfgText ?? ''));
  for (const line of lines) {
    if (line.kind !== 'option' || line.section !== 'defaults' || !PATH_KEYS.has(line.key)) continue;
    const entries = splitPaths(line.value);
    const absolute = entries.map((entry) => absolutize(entry, input.kubesprayDir));
    if (absolute.some((entry, index) => entry !== entries[index])) setLine(line, absolute.join(':'));
  }
  const settings: Array<[string, string]> = [
    ['gathering', 'smart'],
    ['fact_caching', 'jsonfile'],
    ['fact_caching_connection', input.factCache],
    ['fact_caching_timeout', String(FACT_CACHE_TIMEOUT_SECONDS)],
  ];
  if (input.logPath !== undefined) settings.push(['log_path', input.logPath]);
  if (input.callbackPluginDir !== undefined) {
    const existing = findOption(lines, 'callback_plugins');
    const paths = existing ? splitPaths(existing.value).filter((entry) => entry !== '') : DEFAULT_CALLBACK_PATHS;
    const ours = input.callbackPluginDir;
    settings.push(['callback_plugins', [...paths.filter((entry) => entry !== ours), ours].join(':')]);
  }
  for (const [key, value] of settings) setDefault(lines, key, value);
  const source = input.kubesprayCfgText === undefined ? 'no ansible.cfg in the checkout' : `${join(input.kubesprayDir, 'ansible.cfg')}`;
  const header = [`${HEADER_START}${source}:`, HEADER_SECOND];
  const body = lines.flatMap((line) => (line.kind === 'option' ? line.text : [line.text]));
  return `${[...header, ...body].join('\n').trimEnd()}\n`;
}

export interface WriteAnsibleCfgInput extends Omit<AnsibleCfgInput, 'kubesprayCfgText'> {
  /** Where to write it (the hop's workspace). */
  path: string;
}

/** Reads the checkout's ansible.cfg, renders ours and writes it atomically; returns the text written. */
export async function writeAnsibleCfg(input: WriteAnsibleCfgInput): Promise<string> {
  const kubesprayCfgText = await readOptional(join(input.kubesprayDir, 'ansible.cfg'));
  const { path, ...rest } = input;
  const text = renderAnsibleCfg({ ...rest, kubesprayCfgText });
  await writeFileAtomic(path, text);
  return text;
}

const HEADER_START = '# Written by kspray from ';
const HEADER_SECOND = '# relative paths made absolute, fact caching added. Do not edit: kspray rewrites it before each run.';

/** Our own output fed back in (a checkout whose ansible.cfg kspray wrote) renders to itself. */
function withoutOurHeader(text: string): string {
  const [first = '', second, ...rest] = text.split('\n');
  return first.startsWith(HEADER_START) && second === HEADER_SECOND ? rest.join('\n') : text;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The file as ConfigParser reads it (Ansible: default delimiters `=` and `:`,
 * `#`/`;` full-line comments, ` ;` inline comments, indented continuation
 * lines, option names case-insensitive). Every line keeps its original text.
 */
function parseLines(text: string): Line[] {
  const lines: Line[] = [];
  let section: string | undefined;
  let current: Extract<Line, { kind: 'option' }> | undefined;
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const trimmed = raw.trim();
    if (current && trimmed !== '' && /^\s/.test(raw) && !isComment(trimmed)) {
      current.text.push(raw);
      current.value = `${current.value}\n${stripInlineComment(trimmed)}`;
      continue;
    }
    current = undefined;
    const header = /^\[(.+)\]$/.exec(stripInlineComment(trimmed));
    if (trimmed === '' || isComment(trimmed)) {
      lines.push({ kind: 'raw', text: raw });
    } else if (header) {
      section = header[1]!;
      lines.push({ kind: 'section', name: section, text: raw });
    } else {
      const option = /^(.*?)\s*[=:]\s*(.*)$/.exec(trimmed);
      if (!option || option[1] === '') {
        lines.push({ kind: 'raw', text: raw });
        continue;
      }
      current = { kind: 'option', section, key: option[1]!.toLowerCase(), rawKey: option[1]!, value: stripInlineComment(option[2]!), text: [raw] };
      lines.push(current);
    }
  }
  return lines;
}

function isComment(trimmed: string): boolean {
  return trimmed.startsWith('#') || trimmed.startsWith(';');
}

/** ConfigParser(inline_comment_prefixes=(';',)): a `;` after whitespace starts a comment. */
function stripInlineComment(value: string): string {
  const match = /\s;/.exec(value);
  return (match ? value.slice(0, match.index) : value).trim();
}

function splitPaths(value: string): string[] {
  return value.split(':').map((entry) => entry.trim());
}

/**
 * An entry Ansible would resolve against the config file's directory, made
 * absolute against the checkout. `~`, `$VAR` and `{{ … }}` entries are left for
 * Ansible to expand. No `%` escaping: Ansible reads values raw (no
 * ConfigParser interpolation).
 */
function absolutize(entry: string, kubesprayDir: string): string {
  if (entry === '' || entry.startsWith('/') || entry.startsWith('~') || entry.startsWith('$') || entry.startsWith('{{')) return entry;
  return posix.resolve(kubesprayDir, entry);
}

function setLine(line: Extract<Line, { kind: 'option' }>, value: string): void {
  line.value = value;
  line.text = [`${line.rawKey} = ${value}`];
}

function findOption(lines: Line[], key: string): Extract<Line, { kind: 'option' }> | undefined {
  return lines.find((line): line is Extract<Line, { kind: 'option' }> => line.kind === 'option' && line.section === 'defaults' && line.key === key);
}

/** Replaces the key in [defaults], or adds it after the section's last option (adding the section when missing). */
function setDefault(lines: Line[], key: string, value: string): void {
  const existing = findOption(lines, key);
  if (existing) {
    setLine(existing, value);
    return;
  }
  const added: Line = { kind: 'option', section: 'defaults', key, rawKey: key, value, text: [`${key} = ${value}`] };
  const start = lines.findIndex((line) => line.kind === 'section' && line.name === 'defaults');
  if (start === -1) {
    if (lines.length > 0 && lines.at(-1)!.text !== '') lines.push({ kind: 'raw', text: '' });
    lines.push({ kind: 'section', name: 'defaults', text: '[defaults]' }, added);
    return;
  }
  let insertAt = start + 1;
  for (let index = start + 1; index < lines.length && lines[index]!.kind !== 'section'; index += 1) {
    if (lines[index]!.kind === 'option') insertAt = index + 1;
  }
  lines.splice(insertAt, 0, added);
}
