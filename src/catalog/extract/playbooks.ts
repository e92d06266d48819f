/**
 * The upgrade playbook of a tag, flattened the way ansible-playbook runs it:
 * import_playbook is followed (paths relative to the importing file), every
 * play keeps its name, host pattern, serial and role names. From these come
 * the groups the upgrade targets and so the inventory dialect the tag speaks.
 */
import { dialectOfGroups, groupNamesOf } from '../groups.js';
import { ExtractionError, type TagFiles, firstExisting, resolveRelative } from './tag-files.js';
import { asString, isMapping, parseYaml } from './yaml-text.js';

// Candidate paths, in the order the bundled extractor reported them.
export const UPGRADE_PLAYBOOK_CANDIDATES = ['upgrade-cluster.yml', 'upgrade_cluster.yml', 'playbooks/upgrade_cluster.yml'];
export const FACTS_PLAYBOOK_CANDIDATES = ['facts.yml', 'playbooks/facts.yml', 'playbooks/internal_facts.yml'];

export interface FlatPlay {
  name: string | null;
  hosts: string;
  serial?: unknown;
  src?: string;
  roles?: string[];
  group_by?: string[];
  compat?: true;
  /** `group_mappings` of a compat play's group_by loop (v2.27 boilerplate), for legacy_compat. */
  mappings?: Record<string, string[]>;
}

export interface UpgradePlaybook {
  entry: string;
  real_file: string;
  files: string[];
  plays: FlatPlay[];
  /** Files and parsed plays, for extractors that read more of them (Ansible version checks). */
  texts: Map<string, string>;
}

export async function extractUpgradePlaybook(files: TagFiles): Promise<UpgradePlaybook> {
  const entry = firstExisting(files, UPGRADE_PLAYBOOK_CANDIDATES);
  if (!entry) throw new ExtractionError(`no upgrade playbook (${UPGRADE_PLAYBOOK_CANDIDATES.join(', ')})`);
  const texts = new Map<string, string>();
  const order: string[] = [];
  const plays: Array<FlatPlay & { file: string }> = [];
  const parsed = new Map<string, unknown[]>();

  const visit = async (file: string, stack: readonly string[]): Promise<void> => {
    if (stack.includes(file)) throw new ExtractionError(`import_playbook cycle: ${[...stack, file].join(' → ')}`);
    if (!order.includes(file)) order.push(file);
    let items = parsed.get(file);
    if (!items) {
      const text = await files.read(file);
      if (text === undefined) throw new ExtractionError(`${stack[stack.length - 1] ?? entry} imports ${file}, which does not exist`);
      texts.set(file, text);
      const document = parseYaml(text);
      items = Array.isArray(document) ? document : [];
      parsed.set(file, items);
    }
    for (const item of items) {
      if (!isMapping(item)) continue;
      const imported = asString(item.import_playbook ?? item['ansible.builtin.import_playbook'] ?? item.include);
      if (imported !== undefined) {
        await visit(resolveRelative(file, imported.trim()), [...stack, file]);
        continue;
      }
      if (item.hosts === undefined) continue;
      plays.push({ ...flattenPlay(item), file });
    }
  };
  await visit(entry, []);

  const realFile = await followSingleImports(entry, parsed);
  return {
    entry,
    real_file: realFile,
    files: order,
    plays: plays.map(({ file, ...play }) => (file === realFile ? play : { ...play, src: file })),
    texts,
  };
}

/** The file holding the plays: the entry, or what it imports when it is nothing but one import (v2.22+ upgrade-cluster.yml). */
async function followSingleImports(entry: string, parsed: Map<string, unknown[]>): Promise<string> {
  let file = entry;
  for (let depth = 0; depth < 5; depth += 1) {
    const items = (parsed.get(file) ?? []).filter(isMapping);
    const first = items[0];
    const target = items.length === 1 && first ? asString(first.import_playbook ?? first['ansible.builtin.import_playbook']) : undefined;
    if (target === undefined) return file;
    file = resolveRelative(file, target.trim());
  }
  return file;
}

function flattenPlay(play: Record<string, unknown>): FlatPlay {
  const hosts = Array.isArray(play.hosts) ? play.hosts.map(String).join(':') : String(play.hosts);
  const out: FlatPlay = { name: asString(play.name) ?? null, hosts };
  if (play.serial !== undefined && play.serial !== null) out.serial = play.serial;
  const roles = (Array.isArray(play.roles) ? play.roles : []).map(roleName).filter((r): r is string => r !== undefined);
  if (roles.length > 0) out.roles = roles;
  const groupBy = groupByTasks(play);
  const keys = groupBy.map((task) => task.key).filter((k): k is string => k !== undefined);
  if (keys.length > 0) out.group_by = keys;
  const mappings = groupBy.map((task) => task.mappings).find((m) => m !== undefined);
  if (mappings) out.mappings = mappings;
  if (isCompatPlay(hosts, keys, roles, mappings !== undefined)) out.compat = true;
  return out;
}

function roleName(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (isMapping(entry)) return asString(entry.role ?? entry.name);
  return undefined;
}

interface GroupByTask {
  key: string | undefined;
  mappings: Record<string, string[]> | undefined;
}

/** group_by tasks of a play (tasks, pre_tasks, post_tasks, inside blocks too). */
export function groupByTasks(container: Record<string, unknown>): GroupByTask[] {
  const found: GroupByTask[] = [];
  const walk = (tasks: unknown): void => {
    if (!Array.isArray(tasks)) return;
    for (const task of tasks) {
      if (!isMapping(task)) continue;
      for (const nested of ['block', 'rescue', 'always']) walk(task[nested]);
      const spec = task.group_by ?? task['ansible.builtin.group_by'];
      if (spec === undefined) continue;
      const key = isMapping(spec) ? asString(spec.key) : asString(spec)?.replace(/^key=/, '');
      const vars = isMapping(task.vars) ? task.vars : {};
      found.push({ key, mappings: isMapping(vars.group_mappings) ? stringLists(vars.group_mappings) : undefined });
    }
  };
  for (const section of ['pre_tasks', 'tasks', 'post_tasks']) walk(container[section]);
  return found;
}

/**
 * A legacy group-name shim play: it maps old names onto new ones at run time
 * (v2.16 legacy_groups.yml: hosts kube-master, group_by kube_control_plane;
 * v2.27 a group_mappings loop; v2.29+ the dynamic_groups role).
 */
function isCompatPlay(hosts: string, keys: readonly string[], roles: readonly string[], hasMappings: boolean): boolean {
  if (hasMappings || roles.includes('dynamic_groups')) return true;
  // One old-style group in, its new name out: kube-master → kube_control_plane, no-floating → no_floating.
  if (!/^[\w-]+$/.test(hosts) || !hosts.includes('-')) return false;
  const renamed = new Set(Object.values(groupNamesOf('underscore')));
  return keys.some((key) => key !== hosts && (renamed.has(key) || key === hosts.replace(/-/g, '_')));
}

export function stringLists(mapping: Record<string, unknown>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(mapping).map(([key, value]) => [key, (Array.isArray(value) ? value : [value]).map(String)]),
  );
}

/** Group names in a host pattern: `kube_node:calico_rr:!kube_control_plane`, `bastion[0]`, `etcd,&foo`. */
export function groupsOfPattern(pattern: string): string[] {
  return pattern
    .split(/[:,]/)
    .map((part) => part.trim().replace(/^[!&]/, '').replace(/\[[^\]]*\]$/, ''))
    .filter((name) => name !== '' && name !== 'all' && name !== 'localhost' && name !== '*' && !name.includes('{{'));
}

/** groups.* of the record: what the upgrade targets, in which dialect, and the runtime compat mapping. */
export async function extractGroups(files: TagFiles, plays: readonly FlatPlay[], realFile: string): Promise<Record<string, unknown>> {
  const runtime = new Set<string>();
  for (const play of plays) {
    if (play.compat) continue;
    for (const key of play.group_by ?? []) if (!key.includes('{{')) runtime.add(key);
  }
  const targets = new Set<string>();
  const all = new Set<string>();
  for (const play of plays) {
    for (const group of groupsOfPattern(play.hosts)) {
      if (runtime.has(group)) continue;
      all.add(group);
      if (!play.compat) targets.add(group);
    }
  }
  const dialect = dialectOfGroups(targets);
  if (!dialect) throw new ExtractionError(`the upgrade plays target no known group (${[...targets].join(', ') || 'none'})`);
  return {
    upgrade_targets: [...targets].sort(),
    runtime_groups: [...runtime].sort(),
    upgrade_targets_incl_compat: [...all].sort(),
    dialect,
    legacy_compat: await legacyCompat(files, plays, realFile),
  };
}

async function legacyCompat(files: TagFiles, plays: readonly FlatPlay[], realFile: string): Promise<Record<string, unknown> | null> {
  const compat = plays.filter((play) => play.compat);
  if (compat.length === 0) return null;
  const legacyNames: Record<string, string[]> = {};
  const parents: Record<string, string[]> = {};
  const sources = new Set<string>();
  const addMappings = (mappings: Record<string, string[]>, file: string): void => {
    sources.add(file);
    for (const [group, members] of Object.entries(mappings)) {
      // Old dash names are renames; existing new-style groups make a synthesized parent (k8s_cluster).
      if (members.every((member) => member.includes('-'))) legacyNames[group] = members;
      else parents[group] = members;
    }
  };
  for (const play of compat) {
    const file = play.src ?? realFile;
    if (play.mappings) addMappings(play.mappings, file);
    for (const key of play.group_by ?? []) {
      if (key.includes('{{')) continue;
      legacyNames[key] = [...(legacyNames[key] ?? []), play.hosts];
      sources.add(file);
    }
    if (play.roles?.includes('dynamic_groups')) {
      const roleFile = firstExisting(files, ['roles/dynamic_groups/tasks/main.yml', 'roles/dynamic_groups/tasks/main.yaml']);
      const document = roleFile ? parseYaml((await files.read(roleFile)) ?? '') : undefined;
      const mappings = roleFile && Array.isArray(document)
        ? groupByTasks({ tasks: document }).map((task) => task.mappings).find((m) => m !== undefined)
        : undefined;
      if (roleFile && mappings) addMappings(mappings, roleFile);
    }
  }
  return { legacy_names: legacyNames, synthesized_parents: parents, files: [...sources] };
}
