/**
 * What one Kubespray tag reads, from its own files: the variable facts
 * behind "a setting the tag does not read is an error". Per tag, sets of
 * top-level names:
 *
 *   defaults    roles/**\/defaults/** (the download role's names included)
 *   roleVars    roles/**\/vars/** (OS-specific values that beat inventory vars)
 *   sample      inventory/sample/group_vars/** (kspray copies these in every hop)
 *   referenced  read by a Jinja expression anywhere in the roles, the sample
 *               group_vars or the playbooks (`{{ x }}`, `when: x`, `{% if x %}`,
 *               `hostvars[h]['x']`)
 *   bound       set by the plays themselves (task, block, play and include
 *               `vars:`, `set_fact`, `register`, `loop_var`, role parameters,
 *               Jinja `set`/`for`/`macro`): a reference to one of these may read
 *               the play's own value, not the inventory's
 *   rejected    names the tag fails on, with its message when it has one: an
 *               assert `that: x is not defined` (ipip_mode from v2.19.0,
 *               containerd_config from v2.16.0) or validate_inventory's
 *               `removed_vars` (v2.31.0+); read only to refuse them
 *
 * Many valid variables are never a default (`peers`, `calico_ip_auto_method`):
 * they are read by templates and tasks, which is why references count. An
 * extra-var beats every other source, so it is read when the tag defines or
 * references it; an inventory host var loses to the plays' own bindings, so
 * a name only bound and referenced locally (cilium's `iface` loop variable)
 * does not read it. Each file is analysed once per distinct content (most
 * files are the same across a line's patch tags).
 */
import { parseAllDocuments } from 'yaml';
import { expressionNames, hasJinja, type JinjaNames, templateNames } from './jinja-names.js';
import type { TagFiles } from './tag-files.js';
import { isMapping } from './yaml-text.js';

export interface TagVariables {
  defaults: string[];
  roleVars: string[];
  sample: string[];
  referenced: string[];
  bound: string[];
  /** Name → the tag's own message when it fails on it ('' when it has none). */
  rejected: Record<string, string>;
}

interface FileNames {
  topLevel: string[];
  read: string[];
  bound: string[];
  rejected: Record<string, string>;
}

/** Per-content analysis, shared by every tag of one extraction. */
export type FileNamesCache = Map<string, FileNames>;

/** Keys whose string values Ansible evaluates as bare Jinja expressions. */
const BARE_EXPRESSION_KEYS = new Set(['when', 'failed_when', 'changed_when', 'until', 'that', 'loop', 'var']);
const TOP_LEVEL_KEY = /^([A-Za-z_][A-Za-z0-9_]*)\s*:(?:\s|$)/;
const PLAYBOOK_DIRS = ['playbooks/'];

type Kind = 'defaults' | 'roleVars' | 'sample' | 'tasks' | 'template' | 'playbook';

/** How a path is read, or undefined when it holds no variables kspray cares about. */
export function kindOf(path: string): Kind | undefined {
  if (path.startsWith('inventory/sample/group_vars/')) return /\.ya?ml$/.test(path) ? 'sample' : undefined;
  if (path.startsWith('roles/')) {
    const parts = path.split('/');
    if (parts.includes('templates')) return 'template';
    if (!/\.ya?ml$/.test(path)) return /\.j2$/.test(path) ? 'template' : undefined;
    if (parts.includes('defaults')) return 'defaults';
    if (parts.includes('vars')) return 'roleVars';
    if (parts.includes('files') || parts.includes('molecule')) return undefined;
    return 'tasks';
  }
  if (PLAYBOOK_DIRS.some((dir) => path.startsWith(dir)) && /\.ya?ml$/.test(path)) return 'playbook';
  if (!path.includes('/') && /\.ya?ml$/.test(path) && !path.startsWith('.')) return 'playbook';
  return undefined;
}

export async function extractVariables(files: TagFiles, cache: FileNamesCache = new Map()): Promise<TagVariables> {
  const sets = { defaults: new Set<string>(), roleVars: new Set<string>(), sample: new Set<string>(), referenced: new Set<string>(), bound: new Set<string>() };
  const rejected: Record<string, string> = {};
  const paths = files.paths().filter((path) => kindOf(path) !== undefined && !files.isSymlink(path));
  const texts = await Promise.all(paths.map((path) => files.read(path)));
  paths.forEach((path, index) => {
    const kind = kindOf(path)!;
    const text = texts[index] ?? '';
    const key = `${kind}\0${text}`;
    let names = cache.get(key);
    if (!names) {
      names = analyse(kind, text);
      cache.set(key, names);
    }
    if (kind === 'defaults' || kind === 'roleVars' || kind === 'sample') for (const name of names.topLevel) sets[kind].add(name);
    for (const name of names.read) sets.referenced.add(name);
    for (const name of names.bound) sets.bound.add(name);
    for (const [name, message] of Object.entries(names.rejected)) rejected[name] ||= message;
  });
  const sorted = (set: Set<string>) => [...set].sort();
  return {
    defaults: sorted(sets.defaults), roleVars: sorted(sets.roleVars), sample: sorted(sets.sample),
    referenced: sorted(sets.referenced), bound: sorted(sets.bound),
    rejected: Object.fromEntries(Object.keys(rejected).sort().map((name) => [name, rejected[name]!])),
  };
}

function analyse(kind: Kind, text: string): FileNames {
  const names: JinjaNames = { read: new Set(), bound: new Set() };
  const rejected: Record<string, string> = {};
  const topLevel: string[] = [];
  if (kind === 'template') {
    templateNames(text, names);
  } else {
    if (kind === 'defaults' || kind === 'roleVars' || kind === 'sample') {
      for (const line of text.split(/\r?\n/)) {
        const key = TOP_LEVEL_KEY.exec(line)?.[1];
        if (key !== undefined) topLevel.push(key);
      }
    }
    const documents = parseDocuments(text);
    if (documents === undefined) templateNames(text, names);
    else for (const document of documents) walk(document, names, rejected, kind === 'tasks' || kind === 'playbook');
  }
  return { topLevel, read: [...names.read], bound: [...names.bound], rejected };
}

function parseDocuments(text: string): unknown[] | undefined {
  try {
    const documents = parseAllDocuments(text, { version: '1.1', uniqueKeys: false, schema: 'failsafe' });
    if (!Array.isArray(documents) || documents.some((d) => d.errors.length > 0)) return undefined;
    return documents.map((d) => d.toJS({ maxAliasCount: -1 }) as unknown);
  } catch {
    return undefined;
  }
}

/** Every string Ansible templates, and the names plays bind; `plays` enables task keywords. */
function walk(node: unknown, names: JinjaNames, rejected: Record<string, string>, plays: boolean): void {
  if (typeof node === 'string') {
    if (hasJinja(node)) templateNames(node, names);
    return;
  }
  if (Array.isArray(node)) {
    for (const item of node) walk(item, names, rejected, plays);
    return;
  }
  if (!isMapping(node)) return;
  if (plays) rejections(node, rejected);
  for (const [key, value] of Object.entries(node)) {
    if (plays) bindings(key, value, names, rejected);
    if (plays && (BARE_EXPRESSION_KEYS.has(key) || key.startsWith('with_'))) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (typeof item === 'string') (hasJinja(item) ? templateNames(item, names) : expressionNames(item, names));
        else walk(item, names, rejected, plays);
      }
      continue;
    }
    walk(value, names, rejected, plays);
  }
}

const NOT_DEFINED = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s+is\s+not\s+defined\s*$/;

/** An assert task that fails when a variable is set: `that: x is not defined`. */
function rejections(task: Record<string, unknown>, rejected: Record<string, string>): void {
  const spec = task.assert ?? task['ansible.builtin.assert'];
  if (!isMapping(spec)) return;
  const message = [spec.msg, spec.fail_msg, task.name].find((text): text is string => typeof text === 'string') ?? '';
  for (const condition of Array.isArray(spec.that) ? spec.that : [spec.that]) {
    const name = typeof condition === 'string' ? NOT_DEFINED.exec(condition)?.[1] : undefined;
    if (name !== undefined) rejected[name] ||= message.trim().replace(/\s+/g, ' ');
  }
}

function bindings(key: string, value: unknown, names: JinjaNames, rejected: Record<string, string>): void {
  const short = key.replace(/^ansible\.builtin\./, '');
  if (short === 'register' && typeof value === 'string') names.bound.add(value.trim());
  else if (short === 'set_fact') {
    if (isMapping(value)) for (const name of Object.keys(value)) if (name !== 'cacheable') names.bound.add(name);
    if (typeof value === 'string') for (const match of value.matchAll(/([A-Za-z_]\w*)=/g)) names.bound.add(match[1]!);
  } else if (short === 'vars' && isMapping(value)) {
    for (const name of Object.keys(value)) names.bound.add(name);
    // validate_inventory (v2.31+): `removed_vars` lists the names the tag fails on.
    const list = value.removed_vars;
    if (Array.isArray(list)) for (const name of list) if (typeof name === 'string') rejected[name.trim()] ||= 'Removed variables present';
  } else if (short === 'loop_control' && isMapping(value) && typeof value.loop_var === 'string') {
    names.bound.add(value.loop_var);
  } else if (short === 'roles' && Array.isArray(value)) {
    for (const role of value) {
      if (!isMapping(role)) continue;
      for (const param of Object.keys(role)) if (!ROLE_KEYWORDS.has(param)) names.bound.add(param);
    }
  }
}

/** Keys of a `roles:` entry that are Ansible keywords, not role parameters. */
const ROLE_KEYWORDS = new Set(['role', 'name', 'tags', 'when', 'vars', 'become', 'become_user', 'delegate_to', 'environment', 'any_errors_fatal', 'ignore_errors', 'run_once', 'collections', 'no_log', 'serial']);
