/**
 * Nodes before a hop: every node Ready, kubelets within the skew the hop's
 * target API server allows (data/kubernetes/version-skew.json), none already
 * ahead of the target, and the control plane at one version. Live facts
 * describe the cluster now, so they are checked against the next hop only.
 */
import type { KubeadmKubeletRule, KubeletEra, VersionSkew } from '../kube/k8s-data.js';
import type { ClusterFacts, NodeFact } from '../kube/types.js';
import { compareReported, coreVersion, minorLabel, minorNumber } from '../kube/versions.js';
import type { CheckOutcome, Finding, HopContext, OutcomeTable } from './types.js';
import { RUN_VARS } from '../vars/table.js';

const CHECK = 'nodes';
const CONTROL_PLANE_ROLES = new Set(['master', 'control-plane']);

export interface NodesCheckContext {
  /** The hop to run next. */
  hop: HopContext;
  skew: VersionSkew;
}

export function isControlPlane(node: NodeFact): boolean {
  return node.roles.some((role) => CONTROL_PLANE_ROLES.has(role));
}

const parseMinor = (minor: string | undefined): number | undefined => (minor === undefined ? undefined : minorNumber(minor));

/**
 * How many minors a kubelet may trail an API server of minor `apiserver`. An
 * era's condition ("kubelet >= 1.25 (kubelet < 1.25 limited to 2 older)")
 * narrows it for older kubelets.
 */
export function allowedKubeletLag(eras: readonly KubeletEra[], apiserver: number, kubelet: number): number | undefined {
  const era = eras.find((e) => {
    const max = parseMinor(e.apiserverMinorMax);
    const from = parseMinor(e.apiserverMinorFrom);
    return (max === undefined || apiserver <= max) && (from === undefined || apiserver >= from);
  });
  if (!era) return undefined;
  const floor = /kubelet >= (\d+\.\d+)/.exec(era.condition ?? '');
  const limited = /limited to (\d+)/.exec(era.condition ?? '');
  const floorMinor = parseMinor(floor?.[1]);
  if (floorMinor !== undefined && kubelet < floorMinor && limited) return Number(limited[1]);
  return era.maxMinorsOlder;
}

/** kubeadm's own kubelet check for a kubeadm of minor `kubeadm` (skippable: Kubespray runs kubeadm upgrade apply --force). */
export function kubeadmKubeletLag(rules: readonly KubeadmKubeletRule[], kubeadm: number): number | undefined {
  return rules.find((r) => {
    const max = parseMinor(r.kubeadmMinorMax);
    const from = parseMinor(r.kubeadmMinorFrom);
    return (max === undefined || kubeadm <= max) && (from === undefined || kubeadm >= from);
  })?.maxKubeletMinorsBehindKubeadm;
}

export function nodesTable(nodes: readonly NodeFact[]): OutcomeTable {
  const rows = [...nodes]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((n) => [n.name, `${n.ready ? 'Ready' : 'NotReady'}${n.unschedulable ? ',SchedulingDisabled' : ''}`, n.roles.join(',') || '<none>', n.kubeletVersion]);
  return { title: 'Nodes', columns: ['NAME', 'STATUS', 'ROLES', 'VERSION'], rows };
}

export function checkNodes(facts: Pick<ClusterFacts, 'nodes'>, ctx: NodesCheckContext): CheckOutcome {
  const { hop, skew } = ctx;
  const findings: Finding[] = [];
  const add = (f: Omit<Finding, 'check' | 'hop'>) => findings.push({ check: CHECK, hop: hop.index, ...f });
  const target = minorNumber(hop.toVersion);
  const targetCore = coreVersion(hop.toVersion);
  if (target === undefined || targetCore === undefined) throw new Error(`hop ${hop.index}: not a version: ${hop.toVersion}`);
  const kubelet = skew.componentSkew.kubeletVsApiserver;

  for (const node of facts.nodes) {
    if (!node.ready) {
      add({
        severity: 'block', what: `node ${node.name} is NotReady`, where: node.name,
        why: 'Kubespray waits for every node it upgrades to come back Ready, and a drain cannot move pods to a NotReady node: the hop stalls or fails',
        fix: `bring it back (check kubelet and the container runtime on ${node.name}) or remove it from the cluster and the inventory first`,
      });
    }
    if (node.unschedulable) {
      add({
        severity: 'warn', what: `node ${node.name} is cordoned (SchedulingDisabled)`, where: node.name,
        why: 'a failed upgrade leaves its node cordoned; and Kubespray uncordons every node it upgrades, so a node cordoned on purpose will not stay so',
        fix: `find out why it is cordoned; kubectl uncordon ${node.name} if a previous run left it so`,
      });
    }
    const minor = minorNumber(node.kubeletVersion);
    if (minor === undefined) {
      add({ severity: 'warn', what: `node ${node.name} reports no readable kubelet version (${JSON.stringify(node.kubeletVersion)})`, where: node.name, why: 'its version skew cannot be checked', fix: 'check the node object (kubectl get node -o yaml)' });
      continue;
    }
    if (minor > target && !kubelet.kubeletNewerThanApiserverAllowed) {
      add({
        severity: 'block', what: `node ${node.name} runs kubelet ${node.kubeletVersion}, ahead of this hop's target ${hop.toVersion}`, where: node.name,
        why: 'a kubelet must never be newer than the API server; this hop would leave the cluster outside the skew policy',
        fix: `plan from the version the nodes run, or bring ${node.name} back to ${minorLabel(target)} (copy the kubelet from another node)`,
      });
    } else if (minor === target && compareReported(node.kubeletVersion, targetCore) > 0) {
      add({
        severity: 'warn', what: `node ${node.name} runs kubelet ${node.kubeletVersion}, a newer patch than this hop's ${hop.toVersion}`, where: node.name,
        why: 'Kubespray installs the hop\'s version: the kubelet on this node is downgraded',
        fix: `target ${node.kubeletVersion} or newer for this hop (${RUN_VARS.kubeVersion}), if the tag supports it`,
      });
    }
    const lag = target - minor;
    const allowed = allowedKubeletLag(kubelet.eras, target, minor);
    if (allowed !== undefined && lag > allowed) {
      add({
        severity: 'block', what: `node ${node.name} runs kubelet ${node.kubeletVersion}, ${lag} minors behind this hop's API server ${minorLabel(target)} (the skew policy allows ${allowed})`, where: node.name,
        why: 'kubelets too old for the new API server stop working when the control plane is upgraded',
        fix: `upgrade ${node.name} to ${minorLabel(target - 1)} first: an earlier hop skipped it`,
      });
      continue;
    }
    const kubeadmAllowed = kubeadmKubeletLag(skew.kubeadmUpgrade.kubeletSkewCheck, target);
    if (kubeadmAllowed !== undefined && lag > kubeadmAllowed) {
      add({
        severity: 'warn', what: `node ${node.name} runs kubelet ${node.kubeletVersion}, ${lag} minors behind kubeadm ${minorLabel(target)} (kubeadm allows ${kubeadmAllowed})`, where: node.name,
        why: 'kubeadm upgrade apply reports kubelets that are too old; Kubespray passes --force, which skips the check, not the risk',
        fix: `upgrade ${node.name} with the previous hop before this one`,
      });
    }
  }
  findings.push(...controlPlaneSpread(facts.nodes, hop, skew));
  return { check: CHECK, status: findings.some((f) => f.severity === 'block') ? 'fail' : 'pass', findings, table: nodesTable(facts.nodes) };
}

/** Control-plane nodes at different versions mean a previous upgrade stopped half way. */
function controlPlaneSpread(nodes: readonly NodeFact[], hop: HopContext, skew: VersionSkew): Finding[] {
  const planes = nodes.filter(isControlPlane).filter((n) => coreVersion(n.kubeletVersion) !== undefined);
  const versions = [...new Set(planes.map((n) => coreVersion(n.kubeletVersion) as string))].sort(compareReported);
  if (versions.length <= 1) return [];
  const minors = [...new Set(versions.map((v) => minorNumber(v) as number))];
  const spread = Math.max(...minors) - Math.min(...minors);
  const byVersion = versions.map((v) => `v${v}: ${planes.filter((n) => coreVersion(n.kubeletVersion) === v).map((n) => n.name).join(', ')}`).join('; ');
  const maxSpread = skew.componentSkew.kubeApiserverHA.maxMinorSpreadBetweenInstances;
  const severity = minors.length > 1 ? 'block' : 'warn';
  return [{
    check: CHECK,
    hop: hop.index,
    severity,
    what: `control-plane nodes run different kubelet versions (${byVersion})`,
    where: planes.map((n) => n.name).sort().join(', '),
    why: minors.length > 1
      ? `a previous control-plane upgrade stopped half way (${spread} minor(s) apart; HA API servers may differ by at most ${maxSpread} and only while upgrading)`
      : 'control-plane nodes should run the same patch release; Kubespray upgrades them one at a time and a mix hints at an interrupted run',
    fix: 'finish the interrupted hop (kspray apply --hop N --masters-only) or bring the odd node back, then plan again',
  }];
}
