/**
 * What an operator's group_vars change for each host, against the same
 * inventory with the tag's sample group_vars: Ansible's effective values,
 * per host (so group precedence is Ansible's, not guessed). A variable that
 * differs alike on every host is a cluster setting; one that differs on some
 * hosts only, a node variable of those; one the sample sets and the operator
 * removed cannot be unset by kspray and is reported. Pure.
 */
import type { HostVars } from '../ansible/group-vars.js';
import { canonicalJson } from '../util/canonical-json.js';

export interface GroupVarsDiff {
  /** Differs alike on every host: a cluster setting (typed field or extraVars). */
  cluster: Record<string, unknown>;
  /** Differs on some hosts only (or differently): node variables. */
  hosts: Record<string, Record<string, unknown>>;
  /** Same effective value as with the sample, on every host. */
  dropped: string[];
  /** The sample sets it, the operator's tree does not (kspray copies the sample, so its value comes back). */
  removed: string[];
}

export function diffGroupVars(operator: HostVars, sample: HostVars): GroupVarsDiff {
  const hosts = Object.keys(operator).sort();
  const names = new Set(hosts.flatMap((host) => [...Object.keys(operator[host] ?? {}), ...Object.keys(sample[host] ?? {})]));
  const diff: GroupVarsDiff = { cluster: {}, hosts: {}, dropped: [], removed: [] };
  for (const name of [...names].sort()) {
    const differing = hosts.filter((host) => !sameValue(operator[host]?.[name], sample[host]?.[name]));
    if (differing.length === 0) {
      if (hosts.some((host) => name in (operator[host] ?? {}))) diff.dropped.push(name);
      continue;
    }
    if (differing.some((host) => !(name in (operator[host] ?? {})))) {
      diff.removed.push(name);
      continue;
    }
    const values = differing.map((host) => operator[host]![name]);
    if (differing.length === hosts.length && values.every((value) => sameValue(value, values[0]))) diff.cluster[name] = values[0];
    else for (const host of differing) diff.hosts[host] = { ...diff.hosts[host], [name]: operator[host]![name] };
  }
  return diff;
}

/** The same data whatever its key order (canonicalJson); absent is not null (canonicalJson writes both as `null`). */
function sameValue(a: unknown, b: unknown): boolean {
  return a === undefined || b === undefined ? a === b : canonicalJson(a) === canonicalJson(b);
}
