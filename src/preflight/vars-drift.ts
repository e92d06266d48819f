/**
 * Variables the cluster sets that a hop's Kubespray tag no longer reads. A
 * carried-over extra-vars file does not fail: the variable silently does
 * nothing (field notes: ipip_mode, populate_inventory_to_hosts_file after
 * v2.28.1, the rbd provisioner after v2.27.1, dashboard_enabled after
 * v2.30.0). Many valid variables are never role defaults (peers,
 * calico_ip_auto_method, …), so "not defined in TO" proves nothing; only
 * "defined in the tag the hop comes from and gone in the tag it goes to" does.
 *
 * Typed fields are compared as the renderer writes them for each tag (it
 * already writes ipip_mode as calico_ipip_mode from v2.13.0); extraVars keys
 * and host vars are written verbatim and drift by name. Pure, apart from the
 * lazy, memoized read of data/kubespray/known-vars.json (2 MB).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../model/schema.js';
import { mapTypedVars, TYPED_VARS } from '../render/var-map.js';
import { dataDir } from '../util/paths.js';
import type { CheckOutcome, Finding, HopContext, OutcomeTable } from './types.js';

export const VARS_DRIFT_CHECK = 'vars-drift';

/** Which top-level variables each Kubespray tag defines (role defaults/vars, sample group_vars). */
export interface KnownVars {
  /** False when the data has no record of the tag (a catalog refreshed past the bundled data). */
  knows(tag: string): boolean;
  has(tag: string, name: string): boolean;
}

export function knownVarsOf(byTag: Readonly<Record<string, readonly string[]>>): KnownVars {
  const sets = new Map<string, Set<string>>();
  const setOf = (tag: string): Set<string> | undefined => {
    const names = byTag[tag];
    if (names === undefined) return undefined;
    let set = sets.get(tag);
    if (!set) sets.set(tag, (set = new Set(names)));
    return set;
  };
  return { knows: (tag) => setOf(tag) !== undefined, has: (tag, name) => setOf(tag)?.has(name) ?? false };
}

let memo: KnownVars | undefined;

/** data/kubespray/known-vars.json `by_tag`, read on first use only. */
export function loadKnownVars(): KnownVars {
  if (!memo) {
    const document = JSON.parse(readFileSync(join(dataDir, 'kubespray', 'known-vars.json'), 'utf8')) as { by_tag?: Record<string, string[]> };
    memo = knownVarsOf(document.by_tag ?? {});
  }
  return memo;
}

/**
 * Renames worth naming in the fix, each with its evidence. Only pairs the
 * field notes or the data justify: in known-vars.json the old name
 * disappears where (or after) the new one appears.
 */
export const KNOWN_RENAMES: Readonly<Record<string, { to: string; evidence: string }>> = {
  ipip_mode: { to: 'calico_ipip_mode', evidence: 'field notes; known-vars: both defined v2.13.0–v2.18.2, only calico_ipip_mode from v2.19.0' },
  containerd_insecure_registries: { to: 'containerd_registries_mirrors', evidence: 'known-vars: containerd_registries_mirrors from v2.23.0, containerd_insecure_registries gone at v2.23.0 (a list of {prefix, mirrors} now)' },
  containerd_registries: { to: 'containerd_registries_mirrors', evidence: 'known-vars: both defined v2.23.0–v2.23.3, only containerd_registries_mirrors from v2.24.0' },
  enable_ssl: { to: 'kube_ovn_enable_ssl', evidence: 'known-vars: removed and added with the kube_ovn_ prefix at v2.19.0' },
  encap_checksum: { to: 'kube_ovn_encap_checksum', evidence: 'known-vars: removed and added with the kube_ovn_ prefix at v2.19.0' },
  traffic_mirror: { to: 'kube_ovn_traffic_mirror', evidence: 'known-vars: removed and added with the kube_ovn_ prefix at v2.19.0' },
};

export interface VarsDriftInput {
  cluster: Cluster;
  hops: readonly HopContext[];
  known: KnownVars;
  /**
   * The tag to compare against when a hop's fromTag is unknown (the first
   * hop, when the cluster file does not say which tag deployed it).
   */
  assumeFromTag?: ((hop: HopContext) => string | undefined) | undefined;
}

interface Drifted {
  hop: HopContext;
  fromTag: string;
  assumed: boolean;
  /** The name written for the FROM tag (and gone in TO). */
  name: string;
  /** What the renderer writes for the TO tag instead, when it differs. */
  writtenAs: string | undefined;
  /** Model paths it comes from. */
  sources: string[];
  kind: 'typed' | 'extra' | 'host';
  /** Set to false (a switch): said in the finding, the feature may now be on for good. */
  off: boolean;
}

/** The typed variables of a tag by the model path they come from. */
function typedByPath(cluster: Cluster, tag: string, version: string): Map<string, { name: string; off: boolean }> {
  return new Map(mapTypedVars(cluster, tag, version).map((v) => [v.source, { name: v.name, off: v.value === false }]));
}

export function checkVarsDrift(input: VarsDriftInput): CheckOutcome {
  const { cluster, known } = input;
  const drifted: Drifted[] = [];
  const notChecked: string[] = [];
  for (const hop of [...input.hops].sort((a, b) => a.index - b.index)) {
    const fromTag = hop.fromTag ?? input.assumeFromTag?.(hop);
    if (fromTag === undefined) {
      notChecked.push(`hop ${hop.index}: the tag the cluster runs now is not known (set kubespray.tag)`);
      continue;
    }
    const missing = [fromTag, hop.toTag].filter((tag) => !known.knows(tag));
    if (missing.length > 0) {
      notChecked.push(`hop ${hop.index}: kspray's variable data has no record of ${missing.join(', ')}`);
      continue;
    }
    const base = { hop, fromTag, assumed: hop.fromTag === undefined };
    const gone = (name: string) => known.has(fromTag, name) && !known.has(hop.toTag, name);

    const before = typedByPath(cluster, fromTag, hop.fromVersion);
    const after = typedByPath(cluster, hop.toTag, hop.toVersion);
    for (const [source, { name, off }] of before) {
      const written = after.get(source)?.name;
      // Drift when what TO reads under the name kspray writes for it is not there, but FROM's was.
      if (known.has(fromTag, name) && (written === undefined || !known.has(hop.toTag, written))) {
        drifted.push({ ...base, name, writtenAs: written !== name ? written : undefined, sources: [source], kind: 'typed', off });
      }
    }
    for (const [name, value] of Object.entries(cluster.extraVars ?? {})) {
      if (gone(name)) drifted.push({ ...base, name, writtenAs: undefined, sources: [`extraVars.${name}`], kind: 'extra', off: value === false });
    }
    const hostVars = new Map<string, { sources: string[]; off: boolean }>();
    cluster.nodes.forEach((node, i) => {
      for (const [name, value] of Object.entries(node.vars ?? {})) {
        if (!gone(name)) continue;
        const entry = hostVars.get(name) ?? { sources: [], off: true };
        entry.sources.push(`nodes[${i}].vars.${name} (${node.name})`);
        entry.off &&= value === false;
        hostVars.set(name, entry);
      }
    });
    for (const [name, entry] of hostVars) drifted.push({ ...base, name, writtenAs: undefined, sources: entry.sources, kind: 'host', off: entry.off });
  }

  const findings = groupFindings(drifted);
  const outcome: CheckOutcome = { check: VARS_DRIFT_CHECK, status: 'pass', findings, table: driftTable(drifted) };
  if (notChecked.length > 0) outcome.reason = `partly checked: ${notChecked.join('; ')}`;
  if (notChecked.length === input.hops.length && input.hops.length > 0) return { check: VARS_DRIFT_CHECK, status: 'skipped', findings: [], reason: notChecked.join('; ') };
  return outcome;
}

/** Typed fields of one model object (addons.rbdProvisioner) drift together: one finding; every other variable: its own. */
function groupKey(d: Drifted): string {
  if (d.kind !== 'typed') return `${d.hop.index}|${d.kind}|${d.name}`;
  const source = d.sources[0] ?? '';
  return `${d.hop.index}|typed|${source.includes('.') ? source.slice(0, source.lastIndexOf('.')) : source}`;
}

function groupFindings(drifted: readonly Drifted[]): Finding[] {
  const groups = new Map<string, Drifted[]>();
  for (const d of drifted) groups.set(groupKey(d), [...(groups.get(groupKey(d)) ?? []), d]);
  return [...groups.values()].map((group) => findingOf(group));
}

function findingOf(group: readonly Drifted[]): Finding {
  const first = group[0] as Drifted;
  const { hop, fromTag } = first;
  const names = group.map((d) => d.name);
  const sources = group.flatMap((d) => d.sources);
  const assumed = first.assumed ? ' (assumed: the cluster file names no kubespray.tag)' : '';
  const subject = names.length === 1 ? `variable ${names[0]}` : `${names.length} variables (${names.join(', ')})`;
  const from = sources.length === 1 ? sources[0] : parentsOf(sources).join(', ');
  // A switch set to false is not harmless when its variable goes: the feature may now be on for good.
  const off = group.every((d) => d.off)
    ? `; it is set to false: if Kubespray ${hop.toTag} now does this unconditionally, it can no longer be switched off`
    : '';
  return {
    check: VARS_DRIFT_CHECK,
    severity: 'warn',
    hop: hop.index,
    what: `${subject} from ${from} ${names.length === 1 ? 'is' : 'are'} defined by Kubespray ${fromTag}${assumed} and gone in ${hop.toTag} (hop ${hop.index}, Kubernetes ${hop.fromVersion} → ${hop.toVersion})`,
    where: sources.join(', '),
    why: `Kubespray ${hop.toTag} no longer reads ${names.length === 1 ? 'it' : 'them'}: the setting silently does nothing from hop ${hop.index} on${off}`,
    fix: first.kind === 'typed' ? typedFix(group) : fixFor(first),
    details: {
      fromTag, toTag: hop.toTag, fromTagAssumed: first.assumed,
      variables: group.map((d) => ({ name: d.name, sources: d.sources, kind: d.kind, renamedTo: renameOf(d) ?? null, writtenAs: d.writtenAs ?? null })),
    },
  };
}

function renameOf(d: Drifted): string | undefined {
  return d.writtenAs ?? KNOWN_RENAMES[d.name]?.to;
}

/** Typed fields: kspray writes them, so the fix is in the cluster file's field (or in kspray's map, for a rename it lacks). */
function typedFix(group: readonly Drifted[]): string {
  const { hop } = group[0] as Drifted;
  const renamed = group.filter((d) => d.writtenAs !== undefined);
  if (renamed.length > 0) {
    return `kspray writes ${renamed.map((d) => `${d.sources[0]} as ${d.writtenAs}`).join(', ')} for ${hop.toTag}, which that tag does not define either: check the field against Kubespray ${hop.toTag}'s defaults`;
  }
  const fields = group.length === 1 ? (group[0] as Drifted).sources[0] : parentsOf(group.flatMap((d) => d.sources)).join(', ');
  return `Kubespray ${hop.toTag} dropped what ${fields} sets up: remove ${fields} from the cluster file before hop ${hop.index}, and look after that feature outside Kubespray from then on`;
}

function fixFor(d: Drifted): string {
  const { hop } = d;
  const renamed = renameOf(d);
  const typedField = TYPED_VARS[d.name];
  const path = d.kind === 'extra' ? `extraVars.${d.name}` : `${d.name} from nodes[].vars`;
  if (typedField && renamed) {
    return `set ${typedField} instead of ${path}: kspray writes it under the name each tag reads (${renamed} for ${hop.toTag})`;
  }
  if (renamed) return `rename ${path} to ${renamed} (Kubespray ${hop.toTag} reads ${renamed}; ${d.name} does nothing there)`;
  return `remove ${path} before hop ${hop.index}, and check Kubespray ${hop.toTag}'s release notes for what replaces ${d.name}`;
}

function parentsOf(sources: readonly string[]): string[] {
  return [...new Set(sources.map((s) => (s.includes('.') ? s.slice(0, s.lastIndexOf('.')) : s)))];
}

function driftTable(drifted: readonly Drifted[]): OutcomeTable {
  return {
    title: 'Variables gone in a hop\'s Kubespray tag',
    columns: ['HOP', 'VARIABLE', 'FROM (MODEL)', 'DEFINED IN', 'GONE IN', 'NEW NAME'],
    rows: drifted.map((d) => [String(d.hop.index), d.name, d.sources.join(', '), d.fromTag, d.hop.toTag, renameOf(d) ?? '-']),
  };
}
