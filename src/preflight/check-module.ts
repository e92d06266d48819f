/**
 * A preflight check as data: `{ id, needs, gather, evaluate, docs }`. The one
 * list of them (checks/index.ts) drives everything: what is gathered (the
 * sources the listed checks need: the Kubernetes API, Ansible on the hosts),
 * what is evaluated, what `--skip-check` accepts, the order of reports, the
 * command help and the README table. Adding a check is one new file in
 * checks/ and one line in that list.
 *
 * `gather` fetches what only this check reads, beside its source (its own
 * playbook on the hosts, its own requests); the runner runs every check's
 * gather at once. `evaluate` is pure: the outcome from what was gathered.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { KubeconfigSources } from '../kube/kubeconfig.js';
import type { ClusterFacts } from '../kube/types.js';
import type { MirrorLimits } from '../mirror/probe.js';
import type { Cluster } from '../model/schema.js';
import type { PlanDocument, PlanHop } from '../plan/types.js';
import type { HostFactsResult } from './host-facts.js';
import type { ManifestScan } from './manifests.js';
import type { CheckOutcome, HopContext, Severity } from './types.js';

/** What a check needs gathered: the Kubernetes API, Ansible on the hosts, or only the model and the catalog. */
export type CheckNeeds = 'cluster-api' | 'hosts' | 'model';

export interface CheckDocs {
  title: string;
  /** The worst severity it can report. */
  severity: Severity;
  /** 'next': it reads the cluster as it is now, so it gates the first hop checked; 'each': it looks at every hop. */
  hops: 'next' | 'each';
  /** One line for `kspray preflight --help`. */
  description: string;
  /** The README table's "blocks when" cell (Markdown). */
  blocksWhen: string;
}

/** The cluster as read through the API: the facts, or why there are none (unreachable, or waived with --no-cluster-api). */
export type ApiSource =
  | { ok: true; facts: ClusterFacts; server: string }
  | { ok: false; reason: string; hint?: string | undefined; waived: boolean };

/** Why the API's facts are not there, as the checks that need them say it ('skipped: …'). */
export function apiUnavailableReason(api: ApiSource | undefined): string {
  if (api === undefined) return 'not asked';
  if (api.ok) return '';
  return api.waived ? api.reason : `no cluster reachable: ${api.reason}${api.hint ? ` (${api.hint})` : ''}`;
}

/** The API's facts, for a check the runner ran only because they are there (needs 'cluster-api', skipped otherwise). */
export function liveFacts(ctx: Pick<CheckContext, 'api'>): ClusterFacts {
  if (!ctx.api?.ok) throw new Error('preflight: a cluster-api check was evaluated without the cluster\'s facts');
  return ctx.api.facts;
}

/** Ansible on the hosts: kspray's own playbooks against an inventory rendered for the hop checked. */
export interface HostSource {
  /** Runs one of kspray's preflight playbooks on `hosts` (a pattern), with `vars`. */
  gather(input: { playbook: string; hosts: string; vars?: Record<string, unknown>; name: string }): Promise<HostFactsResult>;
}

export interface CheckContext {
  plan: PlanDocument;
  /** The hops checked, and the first of them (the next one to run). */
  hops: readonly PlanHop[];
  contexts: readonly HopContext[];
  first: PlanHop;
  cluster: Cluster;
  clusterFile: string;
  catalog: Catalog;
  /** Where the cluster's kubeconfig is looked for (for a check that asks the API something of its own). */
  kube: KubeconfigSources;
  manifests: ManifestScan | undefined;
  forceAnsible: boolean;
  /** --allow-unread: settings the operator lets through although a tag does not read them. */
  allowUnread: readonly string[] | undefined;
  /** The mirror check downloads every file and compares its sha256 (--verify-checksums), instead of HEAD. */
  verifyChecksums: boolean;
  /** Set: the mirror check is skipped, with this reason (plan --kubeconfig: it waits for --preflight). */
  skipMirror: string | undefined;
  /** The mirror check's bounds (tests: a short total limit). */
  mirrorLimits: Partial<MirrorLimits> | undefined;
  signal: AbortSignal | undefined;
  /** The local ansible-playbook, when a hop runs the system Ansible. */
  localAnsible: { version: string; executable: string } | undefined;
  api: ApiSource | undefined;
  hosts: HostSource | undefined;
  log: (text: string) => void;
}

export interface PreflightCheck<G = unknown> {
  id: string;
  needs: CheckNeeds;
  docs: CheckDocs;
  gather?: (ctx: CheckContext) => Promise<G>;
  evaluate: (ctx: CheckContext, gathered: G) => CheckOutcome;
  /**
   * When the source it needs is not there: 'skip' (the runner says why), or
   * 'evaluate' (the check says it itself: the API check blocks, the
   * removed-API check still reads --manifests).
   */
  whenUnavailable?: 'skip' | 'evaluate';
}

/** A check module, its gathered type erased for the list. */
export type AnyCheck = PreflightCheck<never> | PreflightCheck<unknown>;

/** Declares a check (keeps `gather` and `evaluate` agreeing on what was gathered). */
export function defineCheck<G = undefined>(check: PreflightCheck<G>): PreflightCheck<unknown> {
  return check as PreflightCheck<unknown>;
}
