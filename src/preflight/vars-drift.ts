/**
 * vars-drift: the read check (src/vars/unread.ts) shown per hop, over the
 * same facts and the same variable table. For every hop, not only the one
 * that crosses a removal: each setting the hop's tag does not read (render,
 * plan and apply refuse it unless --allow-unread names it; with it, it
 * silently does nothing), and, as information, each typed setting kspray
 * writes under another name than for the tag the hop comes from
 * (ipip_mode → calico_ipip_mode at v2.13.0). Pure: the caller passes the
 * unread settings per tag.
 */
import type { Cluster } from '../model/schema.js';
import { clusterSettings } from '../vars/select.js';
import { isAllowed, type Unread } from '../vars/unread.js';
import type { CheckOutcome, Finding, HopContext, OutcomeTable } from './types.js';

export const VARS_DRIFT_CHECK = 'vars-drift';

export interface VarsDriftInput {
  cluster: Cluster;
  hops: readonly HopContext[];
  /** The settings a tag does not read (src/vars/check.ts unreadOnTags); throws when the tag has no facts. */
  unreadOn: (tag: string) => readonly Unread[];
  /** --allow-unread. */
  allowUnread?: readonly string[] | undefined;
  /** The tag a hop comes from when the cluster file does not say (for the renames). */
  assumeFromTag?: ((hop: HopContext) => string | undefined) | undefined;
}

export function checkVarsDrift(input: VarsDriftInput): CheckOutcome {
  const findings: Finding[] = [];
  const rows: string[][] = [];
  const notChecked: string[] = [];
  for (const hop of [...input.hops].sort((a, b) => a.index - b.index)) {
    let unread: readonly Unread[];
    try {
      unread = input.unreadOn(hop.toTag);
    } catch (error) {
      notChecked.push(`hop ${hop.index}: ${(error as Error).message}`);
      continue;
    }
    for (const group of groupByObject(unread)) findings.push(unreadFinding(hop, group, input.allowUnread ?? []));
    for (const u of unread) rows.push([String(hop.index), u.name, u.setting, hop.toTag, isAllowed(u, input.allowUnread ?? []) ? 'allowed' : 'refused', u.instead ?? '-']);
    const fromTag = hop.fromTag ?? input.assumeFromTag?.(hop);
    if (fromTag !== undefined) findings.push(...renameFindings(input.cluster, hop, fromTag));
  }
  const table: OutcomeTable = { title: 'Settings a hop\'s Kubespray tag does not read', columns: ['HOP', 'VARIABLE', 'SETTING', 'TAG', 'STATE', 'INSTEAD'], rows };
  if (notChecked.length > 0 && notChecked.length === input.hops.length) return { check: VARS_DRIFT_CHECK, status: 'skipped', findings: [], reason: notChecked.join('; ') };
  return { check: VARS_DRIFT_CHECK, status: 'pass', findings, table, ...(notChecked.length > 0 ? { reason: `partly checked: ${notChecked.join('; ')}` } : {}) };
}

/** Typed fields of one model object (addons.rbdProvisioner) in one finding; everything else alone. */
function groupByObject(unread: readonly Unread[]): Unread[][] {
  const groups = new Map<string, Unread[]>();
  for (const u of unread) {
    const key = u.kind === 'typed' && !u.setting.startsWith('nodes[') ? `typed|${u.setting.slice(0, Math.max(0, u.setting.lastIndexOf('.')))}|${u.instead ?? ''}` : `${u.kind}|${u.name}`;
    groups.set(key, [...(groups.get(key) ?? []), u]);
  }
  return [...groups.values()];
}

function unreadFinding(hop: HopContext, group: readonly Unread[], allowed: readonly string[]): Finding {
  const first = group[0]!;
  const names = [...new Set(group.map((u) => u.name))];
  const settings = group.map((u) => u.setting);
  const allAllowed = group.every((u) => isAllowed(u, allowed));
  const subject = names.length === 1 ? `variable ${names[0]}` : `${names.length} variables (${names.join(', ')})`;
  const off = group.every((u) => u.off) ? `; it is set to false: if Kubespray ${hop.toTag} now does this unconditionally, it can no longer be switched off` : '';
  return {
    check: VARS_DRIFT_CHECK,
    severity: 'warn',
    hop: hop.index,
    what: `${subject} from ${settings.length === 1 ? settings[0] : parents(settings).join(', ')}: ${first.why}`,
    where: settings.join(', '),
    why: allAllowed
      ? `allowed with --allow-unread: it silently does nothing from hop ${hop.index} (Kubernetes ${hop.fromVersion} → ${hop.toVersion}) on${off}`
      : `render, plan and apply refuse a setting Kubespray ${hop.toTag} does not read (hop ${hop.index}, Kubernetes ${hop.fromVersion} → ${hop.toVersion})${off}`,
    fix: first.instead ?? `remove ${settings.length === 1 ? settings[0] : 'them'} before hop ${hop.index}, and check Kubespray ${hop.toTag}'s release notes for what replaces ${names.join(', ')}`,
    details: { toTag: hop.toTag, allowed: allAllowed, variables: group.map((u) => ({ name: u.name, setting: u.setting, kind: u.kind, instead: u.instead ?? null })) },
  };
}

/** Typed settings kspray writes under another name for the hop's tag than for the tag it comes from. */
function renameFindings(cluster: Cluster, hop: HopContext, fromTag: string): Finding[] {
  const before = new Map(clusterSettings(cluster, fromTag).map((set) => [set.setting.field, set.range?.name]));
  return clusterSettings(cluster, hop.toTag).flatMap((set) => {
    const old = before.get(set.setting.field);
    const now = set.range?.name;
    if (old === undefined || now === undefined || old === now) return [];
    return [{
      check: VARS_DRIFT_CHECK, severity: 'info' as const, hop: hop.index,
      what: `${set.setting.field} is written as ${now} for Kubespray ${hop.toTag} (${old} for ${fromTag})`,
      where: set.setting.field,
      why: `Kubespray renamed the variable; kspray writes the name each tag reads`,
      fix: 'nothing to do: carry no copy of the old name in extraVars or group_vars',
      details: { from: old, to: now, fromTag, toTag: hop.toTag },
    }];
  });
}

function parents(settings: readonly string[]): string[] {
  return [...new Set(settings.map((s) => (s.includes('.') ? s.slice(0, s.lastIndexOf('.')) : s)))];
}
