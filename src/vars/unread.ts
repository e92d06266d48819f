/**
 * A setting the tag does not read is an error, not a silence: the typed
 * settings the table gives no name for the tag (the rbd provisioner from
 * v2.28.0), the names the tag's own files no longer read or fail on, and
 * every extraVars key and node variable the tag does not read (Ansible's own
 * ansible_* connection variables excepted: Ansible reads them). Pure, apart
 * from what the caller passes as the tag's reads.
 *
 * The table's ranges are checked against the bundled facts by
 * src/vars/table.test.ts, so a cluster with only typed settings on a bundled
 * tag needs no facts at all (`kspray plan` of k1 never loads them); extra
 * variables, node variables and tags the bundled facts do not cover do.
 */
import semver from 'semver';
import type { Cluster } from '../model/schema.js';
import { UsageError } from '../util/errors.js';
import type { TagReads } from './facts.js';
import { clusterSettings, hostSettings, settingsNaming } from './select.js';
import { RENAMES } from './table.js';
import type { Setting } from './types.js';

export interface Unread {
  /** The cluster-file path: `addons.rbdProvisioner.enabled`, `extraVars.foo`, `nodes[2].vars.foo`. */
  setting: string;
  /** The variable: what kspray would write (a typed setting past its last range: its last name). */
  name: string;
  tag: string;
  kind: 'typed' | 'extra' | 'host';
  /** Why the tag does not read it, one clause. */
  why: string;
  /** What replaced it, or what to do, when known. */
  instead?: string;
  /** Set to false (a switch): unread, the feature may be on for good. */
  off?: boolean;
}

/** Whether checking this cluster on this tag needs the tag's facts (not only the table). */
export function needsFacts(cluster: Cluster, tableVerified: boolean): boolean {
  return !tableVerified || Object.keys(cluster.extraVars ?? {}).length > 0 || cluster.nodes.some((node) => Object.keys(node.vars ?? {}).length > 0);
}

/**
 * The settings of `cluster` that `tag` does not read. `reads` is the tag's
 * facts (required when needsFacts says so); without them only the table speaks.
 */
export function unreadSettings(cluster: Cluster, tag: string, reads: TagReads | undefined): Unread[] {
  const out: Unread[] = [];
  for (const set of clusterSettings(cluster, tag)) {
    const problem = typedProblem(set.setting, set.range?.name, tag, reads, 'extra');
    if (problem) out.push({ setting: set.setting.field, kind: 'typed', tag, ...problem, ...(set.value === false ? { off: true } : {}) });
  }
  cluster.nodes.forEach((node, index) => {
    for (const set of hostSettings(cluster, node, tag)) {
      if (set.setting.inert) continue;
      const problem = typedProblem(set.setting, set.range?.name, tag, reads, 'host');
      if (problem) out.push({ setting: `nodes[${index}].${set.setting.field.replace(/^nodes\[\]\./, '')} (${node.name})`, kind: 'typed', tag, ...problem });
    }
  });
  if (reads) {
    for (const name of Object.keys(cluster.extraVars ?? {})) {
      if (!isAnsibleOwn(name) && !reads.readsExtraVar(name)) out.push({ setting: `extraVars.${name}`, name, tag, kind: 'extra', ...untypedWhy(name, tag, reads), ...(cluster.extraVars?.[name] === false ? { off: true } : {}) });
    }
    cluster.nodes.forEach((node, index) => {
      for (const name of Object.keys(node.vars ?? {})) {
        if (!isAnsibleOwn(name) && !reads.readsHostVar(name)) out.push({ setting: `nodes[${index}].vars.${name} (${node.name})`, name, tag, kind: 'host', ...untypedWhy(name, tag, reads) });
      }
    });
  }
  return out;
}

/** Ansible's own variables (ansible_user, ansible_port, ansible_become…): Ansible reads them, whatever the tag. */
function isAnsibleOwn(name: string): boolean {
  return name.startsWith('ansible_');
}

function typedProblem(setting: Setting, name: string | undefined, tag: string, reads: TagReads | undefined, as: 'extra' | 'host'): Pick<Unread, 'name' | 'why' | 'instead'> | undefined {
  if (name === undefined) {
    const when = setting.when ? ` ${setting.when.says}` : '';
    return {
      name: nearestName(setting, tag),
      why: `Kubespray ${tag} reads ${setting.field}${when} under no name (${describeSpan(setting)})`,
      ...(setting.after ? { instead: setting.after } : {}),
    };
  }
  if (!reads || setting.ansible) return undefined;
  const rejected = reads.rejects(name);
  const read = as === 'extra' ? reads.readsExtraVar(name) : reads.readsHostVar(name);
  if (read) return undefined;
  return {
    name,
    why: rejected !== undefined ? `Kubespray ${tag} fails on ${name}${rejected ? `: "${rejected}"` : ''}` : `Kubespray ${tag} does not read ${name} (its files neither define nor reference it)`,
    instead: setting.after ?? `kspray's variable table does not know this tag's name for ${setting.field}: check its defaults and sample group_vars`,
  };
}

function untypedWhy(name: string, tag: string, reads: TagReads): Pick<Unread, 'why' | 'instead'> {
  const rejected = reads.rejects(name);
  const typed = settingsNaming(name)[0];
  const rename = RENAMES.find((r) => r.from === name);
  const instead = typed
    ? `set ${typed.field} instead: kspray writes it under the name each tag reads`
    : rename && reads.readsExtraVar(rename.to)
      ? `rename it to ${rename.to} (Kubespray ${rename.at} renamed it)`
      : undefined;
  return {
    why: rejected !== undefined ? `Kubespray ${tag} fails on ${name}${rejected ? `: "${rejected}"` : ''}` : `Kubespray ${tag} does not read ${name} (its files neither define nor reference it)`,
    ...(instead ? { instead } : {}),
  };
}

function nearestName(setting: Setting, tag: string): string {
  const names = setting.names;
  if (names.length === 0) return setting.field;
  // Past the last range: its name; before the first: the first name.
  const before = names.filter((range) => range.until !== undefined && semver.lte(range.until, tag));
  return (before.at(-1) ?? names[0])!.name;
}

function describeSpan(setting: Setting): string {
  const spans = setting.names.map((range) => `${range.name}${range.from ? ` from ${range.from}` : ''}${range.until ? ` before ${range.until}` : ''}`);
  return spans.length > 0 ? `kspray writes it as ${spans.join(', ')}` : 'no tag reads it';
}

/** Whether `--allow-unread` names it: the variable or the cluster-file path (or a parent of it). */
export function isAllowed(unread: Unread, allowed: readonly string[]): boolean {
  const path = unread.setting.replace(/ \(.*\)$/, '');
  return allowed.some((entry) => entry === unread.name || entry === path || path.startsWith(`${entry}.`));
}

/** Throws the exit-2 error naming every unread setting per tag, unless each is allowed. */
export function assertAllRead(clusterName: string, unread: readonly Unread[], allowed: readonly string[] = []): void {
  const refused = unread.filter((u) => !isAllowed(u, allowed));
  if (refused.length === 0) return;
  const byTag = new Map<string, Unread[]>();
  for (const u of refused) byTag.set(u.tag, [...(byTag.get(u.tag) ?? []), u]);
  const lines = [...byTag].flatMap(([tag, list]) => [
    `Kubespray ${tag} does not read ${list.length === 1 ? 'a setting' : `${list.length} settings`} of cluster ${clusterName}:`,
    ...groupLines(list),
  ]);
  const allows = [...new Set(refused.map(allowName))];
  throw new UsageError(
    lines.join('\n'),
    `a setting the tag does not read would silently do nothing: change the cluster file, or pass ${allows.slice(0, 3).map((n) => `--allow-unread ${n}`).join(' ')}${allows.length > 3 ? ' …' : ''} if you know better`,
  );
}

/** Typed fields of one model object with one reason (the rbd provisioner) on one line; the rest one per line. */
function groupLines(list: readonly Unread[]): string[] {
  const groups = new Map<string, Unread[]>();
  for (const u of list) {
    const key = u.kind === 'typed' && u.instead !== undefined && !u.setting.startsWith('nodes[') ? `${parentOf(u.setting)}|${u.instead}` : `${u.setting}|`;
    groups.set(key, [...(groups.get(key) ?? []), u]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    if (group.length === 1) return `  ${first.setting}${first.kind === 'typed' ? ` (${first.name})` : ''}: ${first.why}${first.instead ? ` — ${first.instead}` : ''}`;
    return `  ${parentOf(first.setting)} (${group.map((u) => u.name).join(', ')}): Kubespray ${first.tag} reads none of them — ${first.instead}`;
  });
}

/** What --allow-unread takes for it: the parent object of grouped typed fields, else the variable. */
function allowName(u: Unread): string {
  return u.kind === 'typed' && u.instead !== undefined && /^addons\.[^.]+\./.test(u.setting) ? parentOf(u.setting) : u.name;
}

function parentOf(path: string): string {
  return path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : path;
}
