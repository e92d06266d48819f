/**
 * ansible-inventory: Ansible's own reading of an inventory (any dialect, any
 * format), as groups and host variables. `kspray import` reads operators'
 * inventories through it, and tests check rendered inventories with it.
 */
import { z } from 'zod';
import { run } from '../process/exec.js';
import { UsageError } from '../util/errors.js';

export interface InventoryGroup {
  hosts: string[];
  children: string[];
  vars: Record<string, unknown>;
}

export interface InventoryList {
  groups: Record<string, InventoryGroup>;
  hostvars: Record<string, Record<string, unknown>>;
}

export interface InventoryListOptions {
  executable?: string;
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Pass --export: group variables stay on their groups instead of being merged into every host. */
  exportVars?: boolean;
  timeoutMs?: number;
}

export function inventoryListArgv(inventoryPath: string, options: Pick<InventoryListOptions, 'executable' | 'exportVars'> = {}): string[] {
  const argv = [options.executable ?? 'ansible-inventory', '-i', inventoryPath, '--list'];
  if (options.exportVars) argv.push('--export');
  return argv;
}

const names = z.array(z.unknown()).catch([]).transform((items) => items.filter((item): item is string => typeof item === 'string'));
const vars = z.record(z.string(), z.unknown()).catch({});
const GroupSchema = z.looseObject({ hosts: names.optional(), children: names.optional(), vars: vars.optional() }).catch({});

/** The JSON of `ansible-inventory --list`, leniently: odd entries become empty ones rather than errors. */
export function parseInventoryList(json: unknown): InventoryList {
  const root = z.record(z.string(), z.unknown()).catch({}).parse(json);
  const meta = z.looseObject({ hostvars: z.record(z.string(), vars).catch({}).optional() }).catch({}).parse(root._meta);
  const groups: Record<string, InventoryGroup> = {};
  for (const [name, value] of Object.entries(root)) {
    if (name === '_meta') continue;
    const group = GroupSchema.parse(value);
    groups[name] = { hosts: group.hosts ?? [], children: group.children ?? [], vars: group.vars ?? {} };
  }
  // Empty groups have no entry of their own, only a mention among their parent's children.
  for (const group of Object.values(groups)) {
    for (const child of group.children) groups[child] ??= { hosts: [], children: [], vars: {} };
  }
  return { groups, hostvars: meta.hostvars ?? {} };
}

/** Runs `ansible-inventory -i FILE --list` through the chokepoint and parses its JSON. */
export async function inventoryList(inventoryPath: string, options: InventoryListOptions = {}): Promise<InventoryList> {
  const result = await run(inventoryListArgv(inventoryPath, options), {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    env: { ANSIBLE_NOCOLOR: 'true', ANSIBLE_FORCE_COLOR: 'false', ...options.env },
  });
  let json: unknown;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    throw new UsageError(`ansible-inventory printed no JSON for ${inventoryPath}`, 'run `ansible-inventory -i FILE --list` to see why');
  }
  return parseInventoryList(json);
}

/**
 * Every host in `group`, directly or through its children at any depth, in
 * Ansible's order: the group's own hosts, then its children's, level by level.
 * Order matters: Kubespray treats the first host of a group specially
 * (`groups['kube_control_plane'][0]`). [] for an unknown group.
 */
export function groupMembers(list: InventoryList, group: string): string[] {
  const hosts = new Set<string>();
  const seen = new Set<string>([group]);
  let level = [group];
  while (level.length > 0) {
    const next: string[] = [];
    for (const name of level) {
      const entry = list.groups[name];
      if (!entry) continue;
      for (const host of entry.hosts) hosts.add(host);
      for (const child of entry.children) {
        // Ansible refuses cycles, but a hand-written JSON may have one.
        if (!seen.has(child)) {
          seen.add(child);
          next.push(child);
        }
      }
    }
    level = next;
  }
  return [...hosts];
}

/** Names of the groups that hold `host` directly (not through children), sorted. */
export function groupsOfHost(list: InventoryList, host: string): string[] {
  return Object.entries(list.groups).filter(([, group]) => group.hosts.includes(host)).map(([name]) => name).sort();
}
