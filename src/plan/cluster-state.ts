/**
 * Where the cluster is, from the three sources that can say: the cluster
 * file (kubernetes.version, kubespray.tag), kspray's journal (the hops it
 * finished, the hop it is inside), and the live nodes (each kubelet's version
 * and the API server's). The observed state wins over any file: when the
 * sources disagree, nothing is planned or run; the answer names each source
 * and its value and says how to reconcile them. The states kspray itself
 * leaves inside a hop (the control plane upgraded and the workers not, some
 * waves done) are not disagreements: they resume that hop.
 *
 * Pure: the sources in, a state or a conflict out.
 */
import { compareVersions, normalizeVersion } from '../catalog/versions.js';

export interface FileClaim {
  path: string;
  version: string;
  tag: string | undefined;
}

export interface JournalClaim {
  path: string;
  /** The state kspray last left the cluster in (the last hop it finished), if it ever finished one. */
  finished: { version: string; tag: string; at: string } | undefined;
  /** A hop kspray started and has not finished: its nodes may be at either end. */
  inHop: { index: number; fromVersion: string; fromTag: string | null; toVersion: string; tag: string } | undefined;
  /**
   * Where the journal's unfinished plan started. A cluster file still there is
   * one kspray moved on from in another checkout (a pipeline's earlier job):
   * not a disagreement while that plan is resumed.
   */
  planStart?: { version: string; tag: string | null } | undefined;
}

export interface LiveNode {
  name: string;
  kubeletVersion: string;
  /** A control-plane (or etcd) node of the cluster file. */
  controlPlane: boolean;
}

export interface LiveClaim {
  server: string;
  apiServerVersion: string;
  /** The cluster file's nodes as the API reports them (nodes the API does not know are left out). */
  nodes: LiveNode[];
  /** Nodes the API reports that the cluster file does not have. */
  unknownNodes: string[];
}

export interface StateSources {
  file: FileClaim;
  journal?: JournalClaim | undefined;
  live?: LiveClaim | undefined;
}

export interface ClusterState {
  version: string;
  tag: string | undefined;
  /**
   * Inside a hop: kspray's journal says it started one (`journal`), or the
   * live cluster shows its control plane at `toVersion` and its workers
   * still at `version` (`live`). Either way the next plan resumes that hop.
   */
  inHop: { toVersion: string; tag: string | undefined; source: 'journal' | 'live' } | undefined;
  /** The newest version any node runs, as far as the sources know: no hop may go below it. */
  floor: string;
  /** One line per source that spoke, for plan and status. */
  sources: string[];
}

export type StateResult =
  | { ok: true; state: ClusterState }
  | { ok: false; message: string; sources: string[]; hint: string };

const strip = (version: string): string => normalizeVersion(version.replace(/[-+].*$/, '')) ?? version;

export function resolveClusterState(sources: StateSources): StateResult {
  const { file, journal, live } = sources;
  const lines = [fileLine(file)];
  if (journal && (journal.finished || journal.inHop)) lines.push(journalLine(journal));
  if (live) lines.push(liveLine(live));
  const conflict = (message: string, hint: string): StateResult => ({ ok: false, message, sources: lines, hint });

  // The file and the journal: kspray writes both after each hop it finishes, so they agree unless one is stale.
  let version = file.version;
  let tag = file.tag;
  let inHop: ClusterState['inHop'];
  const atPlanStart = journal?.planStart !== undefined && journal.planStart.version === file.version
    && (file.tag === undefined || journal.planStart.tag === null || journal.planStart.tag === file.tag);
  const movedOn = `${lines[0]} (where the unfinished plan started; kspray has moved the cluster on since: commit the cluster file apply updated)`;
  if (journal?.inHop) {
    const hop = journal.inHop;
    if (atPlanStart && hop.fromVersion !== file.version) {
      lines[0] = movedOn;
      version = hop.fromVersion;
      tag = hop.fromTag ?? undefined;
    } else if (hop.fromVersion !== file.version || (file.tag !== undefined && hop.fromTag !== null && hop.fromTag !== file.tag)) {
      return conflict(
        `the cluster file and kspray's journal disagree: the journal is inside hop ${hop.index} (${hop.fromVersion} → ${hop.toVersion}, Kubespray ${hop.tag}), which starts at ${hop.fromVersion}${hop.fromTag ? ` (${hop.fromTag})` : ''}, but the cluster file says ${file.version}${file.tag ? ` (${file.tag})` : ''}`,
        `finish the hop first: put kubernetes.version back to ${hop.fromVersion}${hop.fromTag ? ` and kubespray.tag to ${hop.fromTag}` : ''} in ${file.path} and run \`kspray apply -c ${file.path}\` to resume, or, if the cluster really is elsewhere now, move ${journal.path} aside`,
      );
    } else {
      tag = file.tag ?? hop.fromTag ?? undefined;
    }
    inHop = { toVersion: hop.toVersion, tag: hop.tag, source: 'journal' };
  } else if (journal?.finished) {
    const done = journal.finished;
    if (atPlanStart && (done.version !== file.version || done.tag !== file.tag)) {
      lines[0] = movedOn;
      version = done.version;
    } else if (done.version !== file.version || (file.tag !== undefined && done.tag !== file.tag)) {
      const fileBehind = compareVersions(file.version, done.version) < 0;
      return conflict(
        `the cluster file and kspray's journal disagree: the journal says kspray left the cluster at ${done.version} (Kubespray ${done.tag}) on ${done.at}, the cluster file says ${file.version}${file.tag ? ` (${file.tag})` : ''}`,
        fileBehind
          ? `the cluster file is stale (an older copy, or kspray could not write it): set kubernetes.version: ${done.version} and kubespray.tag: ${done.tag} in ${file.path}`
          : `if the cluster was upgraded without kspray since, make sure the live cluster agrees (pass --kubeconfig), then move ${journal.path} aside; otherwise set kubernetes.version: ${done.version} and kubespray.tag: ${done.tag} in ${file.path}`,
      );
    }
    tag = done.tag;
  }

  // The live nodes: what the cluster says wins over both files.
  let floor = inHop ? inHop.toVersion : version;
  if (live && live.nodes.length === 0) {
    const names = live.unknownNodes.slice(0, 5).join(', ') + (live.unknownNodes.length > 5 ? ', …' : '');
    return conflict(
      `the cluster at ${live.server} has none of the cluster file's nodes${live.unknownNodes.length > 0 ? ` (it has ${names})` : ''}`,
      'the kubeconfig points at another cluster: pass the right one with --kubeconfig (or access.kubeconfig in the cluster file)',
    );
  }
  if (live) {
    const versions = live.nodes.map((node) => ({ ...node, version: strip(node.kubeletVersion) }));
    const apiServer = strip(live.apiServerVersion);
    const all = [...versions.map((node) => node.version), apiServer];
    floor = all.reduce((max, v) => (compareVersions(v, max) > 0 ? v : max), floor);
    if (inHop) {
      const stray = versions.filter((node) => node.version !== version && node.version !== inHop!.toVersion);
      if (stray.length > 0 || (apiServer !== version && apiServer !== inHop.toVersion)) {
        return conflict(
          `the live cluster does not match the hop kspray is inside (${version} → ${inHop.toVersion}): ${describeNodes(stray.length > 0 ? stray : versions, apiServer)}`,
          `check that ${live.server} is this cluster's API; nodes changed outside kspray must be brought back to ${version} or ${inHop.toVersion} before the hop can resume`,
        );
      }
    } else {
      const controlPlane = versions.filter((node) => node.controlPlane);
      const workers = versions.filter((node) => !node.controlPlane);
      const uniform = all.every((v) => v === version);
      const cpVersion = controlPlane[0]?.version ?? apiServer;
      // The control plane one hop ahead (at most one minor, kubeadm's rule) and some workers still behind: --masters-only, or a run stopped between waves.
      const split = !uniform
        && compareVersions(cpVersion, version) > 0
        && minorDistance(version, cpVersion) <= 1
        && controlPlane.every((node) => node.version === cpVersion)
        && apiServer === cpVersion
        && workers.some((node) => node.version === version)
        && workers.every((node) => node.version === version || node.version === cpVersion);
      if (split) {
        inHop = { toVersion: cpVersion, tag: undefined, source: 'live' };
      } else if (!uniform) {
        const newer = all.some((v) => compareVersions(v, version) > 0);
        return conflict(
          `the live cluster and the cluster file disagree: ${describeNodes(versions, apiServer)}, the cluster file says ${version}${tag ? ` (${tag})` : ''}`,
          newer
            ? `the cluster file is stale, or the kubeconfig (${live.server}) is another cluster's: if the nodes are right, set kubernetes.version (and kubespray.tag, the tag that deployed them) in ${file.path}`
            : `check that ${live.server} is this cluster's API; if it is, set kubernetes.version to what the nodes run in ${file.path}`,
        );
      }
    }
  }
  return { ok: true, state: { version, tag, inHop, floor, sources: lines } };
}

/**
 * After planning: a hop the live cluster shows half done must be the plan's
 * first hop (its control plane already at that hop's version); otherwise the
 * plan would move the workers somewhere the control plane is not.
 */
export function checkInHopMatches(state: ClusterState, firstHop: { toVersion: string; tag: string } | undefined): string | undefined {
  if (!state.inHop || !firstHop) return undefined;
  if (firstHop.toVersion === state.inHop.toVersion && (state.inHop.tag === undefined || state.inHop.tag === firstHop.tag)) return undefined;
  return `the cluster is inside a hop to ${state.inHop.toVersion}${state.inHop.tag ? ` (Kubespray ${state.inHop.tag})` : ''} (${state.inHop.source === 'journal' ? "kspray's journal" : 'its control plane already runs it'}), but the plan's first hop goes to ${firstHop.toVersion} with Kubespray ${firstHop.tag}`;
}

function minorDistance(from: string, to: string): number {
  const minor = (v: string): number => Number(/^v?\d+\.(\d+)/.exec(v)?.[1] ?? 0);
  return minor(to) - minor(from);
}

function fileLine(file: FileClaim): string {
  return `cluster file ${file.path}: Kubernetes ${file.version}, Kubespray ${file.tag ?? '(not set)'}`;
}

function journalLine(journal: JournalClaim): string {
  if (journal.inHop) {
    const hop = journal.inHop;
    return `journal ${journal.path}: inside hop ${hop.index}, ${hop.fromVersion} → ${hop.toVersion} with Kubespray ${hop.tag}`;
  }
  const done = journal.finished!;
  return `journal ${journal.path}: Kubernetes ${done.version}, Kubespray ${done.tag} (kspray's last finished hop, ${done.at})`;
}

function liveLine(live: LiveClaim): string {
  const versions = live.nodes.map((node) => ({ ...node, version: strip(node.kubeletVersion) }));
  return `live cluster ${live.server}: ${describeNodes(versions, strip(live.apiServerVersion))}`;
}

function describeNodes(nodes: ReadonlyArray<{ name: string; version: string; controlPlane: boolean }>, apiServer: string): string {
  const byVersion = new Map<string, string[]>();
  for (const node of nodes) byVersion.set(node.version, [...(byVersion.get(node.version) ?? []), node.name]);
  const parts = [...byVersion].sort(([a], [b]) => compareVersions(a, b)).map(([version, names]) =>
    names.length === nodes.length && nodes.length > 1 ? `every node runs ${version}` : `${names.length > 3 ? `${names.length} nodes` : names.join(', ')} ${names.length === 1 ? 'runs' : 'run'} ${version}`);
  return `${parts.join('; ')}; the API server runs ${apiServer}`;
}
