/**
 * What `kspray recover` does to one node, decided from the journal, the
 * recorded plan and what the nodes report. Pure: observations in, a decision
 * (or a refusal that says why) out.
 *
 * The manual procedure it follows (field notes): a failed upgrade leaves the
 * new kubelet installed and the node cordoned; copy the previous kubelet from
 * another node, restart kubelet, uncordon. kspray adds one rule: it uncordons
 * only a node its own run cordoned (the journal's cordonedByKspray), never one
 * an operator cordoned for a reason kspray cannot know.
 */
import semver from 'semver';
import type { Journal } from '../journal/journal.js';
import type { ClusterNode } from '../model/schema.js';
import { NODE_UPGRADE_KINDS } from '../plan/step-kinds.js';
import type { PlanDocument, PlanHop } from '../plan/types.js';
import { UsageError } from '../util/errors.js';


export interface FailedAt {
  stepId: string;
  kind: string;
  status: 'failed' | 'interrupted';
  hop: PlanHop;
}

/** The last node-upgrade step that failed on `node` (or, without host detail, failed or was interrupted while covering it). */
export function findFailedStep(journal: Journal, plan: PlanDocument, node: string): FailedAt {
  const planSteps = new Map(plan.hops.flatMap((hop) => hop.steps.map((step) => [step.id, { step, hop }] as const)));
  const ids = [...journal.stepOrder].reverse();
  const candidates = ids.flatMap((id) => {
    const record = journal.steps[id];
    const planned = planSteps.get(id);
    if (!record || !planned || !NODE_UPGRADE_KINDS.has(record.kind)) return [];
    if (record.status !== 'failed' && record.status !== 'interrupted') return [];
    return [{ id, record, planned }];
  });
  const named = candidates.find((c) => c.record.failedHosts.includes(node));
  const covering = candidates.find((c) => c.record.failedHosts.length === 0 && c.planned.step.hosts.includes(node));
  const found = named ?? covering;
  if (!found) {
    throw new UsageError(
      `the journal records no failed or interrupted upgrade step on ${node}`,
      `kspray recover repairs what a failed apply left; \`kspray status -c FILE\` shows the failed step and its hosts`,
    );
  }
  return { stepId: found.id, kind: found.record.kind, status: found.record.status as FailedAt['status'], hop: found.planned.hop };
}

/** Peers to copy the kubelet from: same role first (control plane for a control-plane node, workers for a worker), then the others. */
export function peerCandidates(nodes: readonly Pick<ClusterNode, 'name' | 'roles'>[], node: string): { sameRole: string[]; others: string[] } {
  const target = nodes.find((n) => n.name === node);
  if (!target) throw new UsageError(`${node} is not a node of this cluster`, `the nodes are: ${nodes.map((n) => n.name).join(', ')}`);
  const isControlPlane = (n: Pick<ClusterNode, 'roles'>): boolean => n.roles.includes('control-plane') || n.roles.includes('etcd');
  const sameRole = nodes.filter((n) => n.name !== node && isControlPlane(n) === isControlPlane(target)).map((n) => n.name);
  const others = nodes.filter((n) => n.name !== node && !sameRole.includes(n.name)).map((n) => n.name);
  return { sameRole, others };
}

/** The version a kubelet prints (`Kubernetes v1.17.12`), or a bare `v1.17.12`; undefined when none. */
export function parseKubeletVersion(text: string): string | undefined {
  const match = /\bv?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)\b/.exec(text);
  return match ? `v${match[1]}` : undefined;
}

export function sameVersion(a: string | null | undefined, b: string | null | undefined): boolean {
  const left = a ? semver.clean(a) : null;
  const right = b ? semver.clean(b) : null;
  return left !== null && right !== null && semver.eq(left, right);
}

export interface HostObservation {
  /** The kubelet binary's version (through Ansible), null when it could not be read. */
  kubeletVersion: string | null;
  /** Why the version could not be read. */
  kubeletError?: string | undefined;
}

export interface ApiNodeObservation {
  ready: boolean;
  unschedulable: boolean;
  /** The running kubelet's version, as the node reports it. */
  kubeletVersion: string;
}

export interface RecoverObservations {
  hosts: Readonly<Record<string, HostObservation>>;
  /** The node's cordon through kubectl on the first control-plane host; null unknown. */
  cordoned: boolean | null;
  /** From the Kubernetes API, when a kubeconfig is configured and answered. */
  api?: Readonly<Record<string, ApiNodeObservation>> | undefined;
}

export interface RecoverInput {
  node: string;
  nodes: readonly Pick<ClusterNode, 'name' | 'roles'>[];
  journal: Journal;
  failed: FailedAt;
  observed: RecoverObservations;
  /** --peer: the operator's choice. */
  peer?: string | undefined;
}

export interface RecoverDecision {
  node: string;
  failed: { stepId: string; kind: string; status: string; hop: number; tag: string };
  fromVersion: string;
  toVersion: string;
  state: { kubeletVersion: string | null; runningKubelet: string | null; cordoned: boolean | null; cordonedByKspray: boolean };
  /** The peer the previous kubelet is copied from; null when no copy is needed. */
  copyFrom: string | null;
  restart: boolean;
  uncordon: boolean;
  /** The journal's cordon record is dropped (uncordoned now, or found uncordoned already). */
  forgetCordon: boolean;
  notes: string[];
}

export type RecoverVerdict = { ok: true; decision: RecoverDecision } | { ok: false; reason: string; hint: string; state: RecoverDecision['state'] };

export function decideRecovery(input: RecoverInput): RecoverVerdict {
  const { node, failed, observed } = input;
  const from = failed.hop.fromVersion;
  const to = failed.hop.toVersion;
  const own = observed.hosts[node];
  const api = observed.api?.[node];
  const cordoned = api ? api.unschedulable : observed.cordoned;
  const byKspray = input.journal.cordonedByKspray.includes(node);
  const state = { kubeletVersion: own?.kubeletVersion ?? null, runningKubelet: api?.kubeletVersion ?? null, cordoned, cordonedByKspray: byKspray };
  const notes: string[] = [];

  let copyFrom: string | null = null;
  if (sameVersion(state.kubeletVersion, from)) {
    notes.push(`the kubelet on ${node} is already ${from}: not copied`);
  } else if (state.kubeletVersion !== null && !sameVersion(state.kubeletVersion, to)) {
    return {
      ok: false, state,
      reason: `the kubelet on ${node} is ${state.kubeletVersion}, neither ${from} (before hop ${failed.hop.index}) nor ${to} (its target): kspray will not guess which one belongs there`,
      hint: 'put the right kubelet back by hand, then run `kspray recover` again to uncordon',
    };
  } else {
    if (state.kubeletVersion === null) notes.push(`the kubelet version of ${node} could not be read${own?.kubeletError ? ` (${own.kubeletError})` : ''}: the previous one is copied over it`);
    const peer = choosePeer(input, from);
    if (!peer.ok) return { ok: false, state, reason: peer.reason, hint: peer.hint };
    copyFrom = peer.name;
    if (peer.note) notes.push(peer.note);
  }

  // A binary already old but a kubelet still running the new one needs the restart too.
  const restart = copyFrom !== null || (state.runningKubelet !== null && !sameVersion(state.runningKubelet, from));
  let uncordon = false;
  let forgetCordon = false;
  if (byKspray && cordoned === false) {
    forgetCordon = true;
    notes.push(`${node} is not cordoned any more: nothing to uncordon (the journal forgets it)`);
  } else if (byKspray) {
    uncordon = true;
    forgetCordon = true;
  } else if (cordoned === true) {
    notes.push(
      `${node} is cordoned, but kspray did not cordon it (the journal does not list it): it stays cordoned. ` +
      `Someone cordoned it for a reason kspray cannot know; uncordon it yourself when that is settled (kubectl uncordon ${node})`,
    );
  } else if (cordoned === null) {
    notes.push(`whether ${node} is cordoned could not be read; kspray did not cordon it, so it leaves the cordon alone`);
  }
  return {
    ok: true,
    decision: {
      node, failed: { stepId: failed.stepId, kind: failed.kind, status: failed.status, hop: failed.hop.index, tag: failed.hop.tag },
      fromVersion: from, toVersion: to, state, copyFrom, restart, uncordon, forgetCordon, notes,
    },
  };
}

/** The peer to copy the hop's old kubelet from: --peer when given (checked), else the first healthy one, same role first. */
export function choosePeer(input: RecoverInput, from: string = input.failed.hop.fromVersion): { ok: true; name: string; note?: string } | { ok: false; reason: string; hint: string } {
  const { node, observed } = input;
  const suspect = new Set([...input.journal.cordonedByKspray, ...Object.values(input.journal.steps).flatMap((step) => step.failedHosts)]);
  const healthy = (name: string): boolean => {
    const api = observed.api?.[name];
    return !suspect.has(name) && (api === undefined || (api.ready && !api.unschedulable)) && sameVersion(observed.hosts[name]?.kubeletVersion, from);
  };
  if (input.peer !== undefined) {
    if (input.peer === node) return { ok: false, reason: `--peer ${node} is the node itself`, hint: 'name a healthy node still at the old version' };
    if (!input.nodes.some((n) => n.name === input.peer)) return { ok: false, reason: `--peer ${input.peer} is not a node of this cluster`, hint: 'name a node of the cluster file' };
    const version = observed.hosts[input.peer]?.kubeletVersion ?? 'unreadable';
    if (!sameVersion(version, from)) return { ok: false, reason: `--peer ${input.peer} has kubelet ${version}, not ${from}`, hint: 'name a node still at the old version' };
    return { ok: true, name: input.peer };
  }
  const { sameRole, others } = peerCandidates(input.nodes, node);
  const same = sameRole.find(healthy);
  if (same) return { ok: true, name: same };
  const other = others.find(healthy);
  if (other) return { ok: true, name: other, note: `no node of ${node}'s role is still at ${from}: copying from ${other} (the kubelet binary is the same for every role)` };
  const seen = [...sameRole, ...others].map((name) => `${name} ${observed.hosts[name]?.kubeletVersion ?? 'unreadable'}`).join(', ');
  return {
    ok: false,
    reason: `no healthy node still runs kubelet ${from} to copy it from (${seen})`,
    hint: `put the ${from} kubelet on ${node} by hand (Kubespray downloads it to its download cache), or name a node with --peer`,
  };
}

/** The decision as lines for the operator (dry run and real run alike). */
export function formatDecision(decision: RecoverDecision): string {
  const { state } = decision;
  const yesNo = (value: boolean | null): string => (value === null ? 'unknown' : value ? 'yes' : 'no');
  const lines = [
    `${decision.node}: ${decision.failed.stepId} (hop ${decision.failed.hop}, Kubespray ${decision.failed.tag}, ${decision.fromVersion} → ${decision.toVersion}) ${decision.failed.status}`,
    `  kubelet binary: ${state.kubeletVersion ?? 'unreadable'}${state.runningKubelet ? `, running: ${state.runningKubelet}` : ''}`,
    `  cordoned: ${yesNo(state.cordoned)}; cordoned by kspray: ${state.cordonedByKspray ? 'yes' : 'no'}`,
  ];
  const actions = [
    ...(decision.copyFrom ? [`copy the ${decision.fromVersion} kubelet from ${decision.copyFrom} to ${decision.node}`] : []),
    ...(decision.restart ? ['restart kubelet'] : []),
    ...(decision.uncordon ? [`uncordon ${decision.node}`] : []),
  ];
  lines.push(actions.length > 0 ? '  actions:' : '  actions: none');
  for (const action of actions) lines.push(`    - ${action}`);
  for (const note of decision.notes) lines.push(`  note: ${note}`);
  return `${lines.join('\n')}\n`;
}
