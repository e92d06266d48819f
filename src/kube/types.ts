/**
 * Plain data kspray gathers from the Kubernetes API. Checks consume these and
 * nothing else, so they stay pure and testable with literal objects; only
 * src/kube/facts.ts knows what the API's JSON looks like.
 */

/** Where the API is and how to reach it: the resolved kubeconfig and context. */
export interface KubeAccess {
  /** One or more kubeconfig files (KUBECONFIG may name several; they are merged in order). */
  kubeconfigPaths: string[];
  /** Context to use; default: the kubeconfig's current-context. */
  context?: string;
  /** Per-request timeout in milliseconds (default 10 s; the first request uses at most 5 s). */
  timeoutMs?: number;
}

export interface NodeFact {
  name: string;
  ready: boolean;
  unschedulable: boolean;
  /** As the node reports it, e.g. "v1.16.3". */
  kubeletVersion: string;
  /** From node-role.kubernetes.io/<role> labels (and the legacy kubernetes.io/role), e.g. ["master"]. */
  roles: string[];
  labels: Record<string, string>;
  /** topology.kubernetes.io/zone, else failure-domain.beta.kubernetes.io/zone. */
  zone: string | undefined;
}

export interface OwnerFact {
  kind: string;
  name: string;
}

export interface PodFact {
  namespace: string;
  name: string;
  nodeName: string | undefined;
  labels: Record<string, string>;
  phase: string;
  ready: boolean;
  /**
   * The controlling workload: a ReplicaSet owned by a Deployment is resolved
   * to the Deployment; otherwise the pod's controller owner as is.
   */
  owner: OwnerFact | undefined;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: LabelSelectorRequirement[];
}

export interface PdbFact {
  namespace: string;
  name: string;
  apiVersion: 'policy/v1' | 'policy/v1beta1';
  /** null: the budget has no selector (it then selects no pod). */
  selector: LabelSelector | null;
  /** An integer or a percentage string ("50%"); undefined when not set. */
  minAvailable: number | string | undefined;
  maxUnavailable: number | string | undefined;
  status: {
    currentHealthy: number;
    desiredHealthy: number;
    expectedPods: number;
    disruptionsAllowed: number;
  };
}

export interface ServiceFact {
  namespace: string;
  name: string;
  clusterIP: string | undefined;
  labels: Record<string, string>;
}

export interface ServedResource {
  /** Plural resource name, e.g. "ingresses". */
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

/** One group/version the API server serves, from discovery. */
export interface ServedGroupVersion {
  /** "" for the core group. */
  group: string;
  version: string;
  /** "v1" for core, "<group>/<version>" otherwise. */
  groupVersion: string;
  resources: ServedResource[];
}

/** An object as listed through one group/version (for the removed-API scan). */
export interface ServedObject {
  /** The group/version it was listed through. */
  apiVersion: string;
  kind: string;
  namespace: string | undefined;
  name: string;
  uid: string | undefined;
}

/** A list that could not be gathered; checks that need it report 'skipped'. */
export interface FactGap {
  what: 'discovery' | 'pods' | 'replicasets' | 'pdbs' | 'services' | 'served-objects';
  reason: string;
  /** For 'discovery': the one group/version that failed (an aggregated API down); absent when discovery failed as a whole. */
  groupVersion?: string;
}

export interface ClusterFacts {
  /** The API server's gitVersion, e.g. "v1.16.3". */
  serverVersion: string;
  nodes: NodeFact[];
  pods: PodFact[];
  pdbs: PdbFact[];
  /** Services of kube-system (the cluster DNS Service lives there). */
  services: ServiceFact[];
  served: ServedGroupVersion[];
  /** Present when the removed-API scan was asked for. */
  servedObjects?: ServedObject[];
  gaps: FactGap[];
}

/** One read of the live cluster: its facts and the kubeconfig(s) they came through, or why there are none. */
export type LiveFacts = { ok: true; facts: ClusterFacts; server: string } | { ok: false; reason: string; hint?: string | undefined };

/** A group/version/kind whose objects the removed-API scan lists. */
export interface ServedKindTarget {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name from discovery. */
  resource: string;
  namespaced: boolean;
}
