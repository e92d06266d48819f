/**
 * The vocabulary of the variable table (table.ts): a typed field of the
 * cluster file, and the Kubespray variable(s) it becomes per tag range.
 */
import type { Cluster, SecretRef } from '../model/schema.js';

export type VarValue = string | number | boolean | null | VarValue[] | { [key: string]: VarValue };

/** What a setting renders to: a plain value, or a secret resolved only when the files are written. */
export type Rendered = VarValue | { secret: SecretRef };

export interface RenderContext {
  tag: string;
  /** kube_version in the tag's form (v-prefixed up to v2.27.x, bare from v2.28.0). */
  kubeVersion: string;
  cluster: Cluster;
}

/** One variable name over a range of tags: `from` inclusive, `until` exclusive, both optional. */
export interface NameRange {
  name: string;
  from?: string;
  until?: string;
  /** The model's value → the shape this tag reads; default: as is. */
  transform?: (value: never, context: RenderContext) => Rendered;
  /** The shape this name holds → the model's value (`kspray import`); default: as is. */
  parse?: (value: unknown) => unknown;
}

/**
 * Where a setting lands: `cluster` in the extra-vars file (beats every other
 * source), `host` on the node's inventory line, `run` set by kspray itself on
 * the command line or in the extra-vars (not from the cluster file).
 */
export type Scope = 'cluster' | 'host' | 'run';

export interface Setting {
  /** The cluster-file path (`network.calico.ipipMode`, `nodes[].accessIp`); a `run` setting's own name. */
  field: string;
  scope: Scope;
  /** What it means, for the JSON Schema and the README (names and tag ranges are added from `names`). */
  doc: string;
  /** Applies only when this holds (containerd's registries, kubeadm-managed etcd); `says` names the condition. */
  when?: { test: (cluster: Cluster, tag: string) => boolean; says: string };
  names: NameRange[];
  /** What to do once no name reads it any more (after the last range), when known. */
  after?: string;
  /** A secret: import turns it into a `fromEnv` reference named <CLUSTER>_<env>. */
  secret?: { env: string };
  /** Read by Ansible itself (connection variables), not by Kubespray's roles: exempt from the read check. */
  ansible?: true;
  /** Rendered by no tag (documentation only): why. */
  inert?: string;
  /** The host variable operators wrote for an inert setting (`kspray import` carries it into the field). */
  legacyName?: string;
}

/** A variable name kspray knows was renamed for tags the table does not type. */
export interface Rename {
  from: string;
  to: string;
  /** The first tag that reads `to` instead. */
  at: string;
}
