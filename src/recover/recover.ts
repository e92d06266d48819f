/**
 * `kspray recover --node NAME`: for a node a failed upgrade step left with the
 * new kubelet and cordoned, read its state (journal, Ansible, the API when
 * configured), decide (decide.ts), and run playbooks/recover-node.yml: the
 * previous kubelet from a healthy peer, a kubelet restart, and the uncordon
 * only when kspray's run cordoned the node. Holds the cluster's lock, so it
 * never runs beside an apply.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadJournal, recordUncordon, saveJournal } from '../journal/journal.js';
import { acquireLock } from '../journal/lock.js';
import type { LoadedCluster } from '../model/load.js';
import { hopRunContext } from '../plan/plan.js';
import { controlPlaneHosts } from '../plan/steps.js';
import { UsageError, WorkFailedError } from '../util/errors.js';
import { readApiView, type ApiView } from './api-view.js';
import { choosePeer, decideRecovery, findFailedStep, formatDecision, peerCandidates, sameVersion, type RecoverDecision, type RecoverInput } from './decide.js';
import { parseExtraVars, runRecoverPlaybook, type RecoverPlaybookOptions } from './node-playbook.js';

export interface RecoverOptions {
  loaded: LoadedCluster;
  node: string;
  peer?: string | undefined;
  dryRun: boolean;
  /** `-e` values for recover-node.yml: key=value or @FILE. */
  extraVars: readonly string[];
  kubeconfig?: string | undefined;
  context?: string | undefined;
  breakLock?: boolean;
}

export interface RecoverIo {
  log(text: string): void;
  /** Asked once before anything changes; false stops with nothing done. */
  confirm(question: string): Promise<boolean>;
  now(): Date;
}

export interface RecoverOutcome {
  status: 'dry-run' | 'nothing-to-do' | 'declined' | 'recovered';
  decision: RecoverDecision;
  /** The node after the repair (restore mode's own reading). */
  after?: { kubeletVersion: string | null; cordoned: boolean | null };
}

export async function recoverNode(options: RecoverOptions, io: RecoverIo): Promise<RecoverOutcome> {
  const { loaded, node } = options;
  const { cluster, baseDir } = loaded;
  peerCandidates(cluster.nodes, node); // an unknown node is bad input before anything else
  const extraVars = parseExtraVars(options.extraVars);
  const recorded = await loadJournal(baseDir, cluster.name);
  if (!recorded) throw new UsageError(`no apply was ever recorded for ${cluster.name}`, 'kspray recover repairs what a failed `kspray apply` left; there is nothing of kspray\'s to repair');
  const stamp = io.now().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const lock = await acquireLock(baseDir, cluster.name, { runId: `recover-${stamp}`, command: `kspray recover --node ${node}`, ...(options.breakLock ? { breakLock: true } : {}) });
  let api: ApiView | undefined;
  try {
    // Read again under the lock: an apply may have finished in between.
    const journal = (await loadJournal(baseDir, cluster.name)) ?? recorded;
    const failed = findFailedStep(journal, journal.plan, node);
    const hop = failed.hop;
    // The journal names the hop; where its files are and which Ansible runs, kspray derives itself (a file never supplies a command).
    const hopRun = hopRunContext(cluster, baseDir, hop.tag, hop.line);
    if (!existsSync(hopRun.workspace.inventory)) {
      throw new UsageError(`the inventory of hop ${hop.index} is gone (${hopRun.workspace.inventory})`, 'run `kspray apply --dry-run` to see the plan, then the same apply to write its files again');
    }
    const workDir = join(baseDir, '.kspray', 'runs', `recover-${stamp}-${node}`);
    const base: Omit<RecoverPlaybookOptions, 'mode' | 'inspectHosts' | 'logFile'> = {
      executable: hopRun.executable,
      inventory: hopRun.workspace.inventory,
      extraVars,
      hopExtraVarsFiles: [hopRun.workspace.extraVars, ...(hopRun.workspace.secrets ? [hopRun.workspace.secrets] : [])].filter((file) => existsSync(file)),
      workDir, node,
      // Where Kubespray's own kubectl runs: the first control-plane host, with its admin.conf.
      uncordonHost: cluster.nodes.find((n) => n.roles.includes('control-plane'))?.name ?? controlPlaneHosts(cluster)[0] ?? node,
      env: existsSync(hopRun.workspace.ansibleCfg) ? { ANSIBLE_CONFIG: hopRun.workspace.ansibleCfg } : {},
      forks: cluster.kubespray.forks,
    };

    const apiResult = await readApiView(loaded, { kubeconfig: options.kubeconfig, context: options.context });
    if (apiResult.ok) api = apiResult.view;
    else if (apiResult.configured) io.log(`warning: the Kubernetes API is not available (${apiResult.reason}): reading and uncordoning through Ansible`);

    // Read the node and the likely peers first (the named one, else the same role); the others only if none will do.
    const { sameRole, others } = peerCandidates(cluster.nodes, node);
    const inspect = async (hosts: string[], name: string) => (await runRecoverPlaybook({
      ...base, mode: 'inspect', inspectHosts: hosts, logFile: join(workDir, `${name}.log`), tolerate: (host) => host !== node,
    })).hosts;
    io.log(`reading kubelet versions through Ansible (${hopRun.workspace.inventory})`);
    let hosts = await inspect([node, ...(options.peer === undefined ? sameRole : [options.peer].filter((peer) => peer !== node))], 'inspect');
    const own = hosts[node]!;
    const input = (): RecoverInput => ({
      node, nodes: cluster.nodes, journal, failed, peer: options.peer,
      observed: { hosts, cordoned: own.cordoned ?? null, ...(api ? { api: api.nodes } : {}) },
    });
    const copyNeeded = !sameVersion(own.kubeletVersion, hop.fromVersion);
    if (copyNeeded && options.peer === undefined && others.length > 0 && !choosePeer(input()).ok) {
      hosts = { ...hosts, ...(await inspect(others, 'inspect-others')) };
    }
    const verdict = decideRecovery(input());
    if (!verdict.ok) throw new WorkFailedError(verdict.reason, verdict.hint);
    const decision = verdict.decision;
    io.log(formatDecision(decision));

    const acts = decision.copyFrom !== null || decision.restart || decision.uncordon;
    if (!acts) {
      if (decision.forgetCordon) await saveJournal(baseDir, recordUncordon(journal, node));
      io.log(`nothing to recover on ${node}`);
      return { status: 'nothing-to-do', decision };
    }
    if (options.dryRun) {
      io.log('dry run: nothing was changed');
      return { status: 'dry-run', decision };
    }
    if (!(await io.confirm(`Recover ${node} as above? [y/N] `))) return { status: 'declined', decision };

    // Through the API when it answered (as kubectl uncordon does), else kubectl on the first control-plane host.
    const uncordonByApi = decision.uncordon && api !== undefined;
    const restored = await runRecoverPlaybook({
      ...base, mode: 'restore', inspectHosts: [node], logFile: join(workDir, 'restore.log'),
      ...(decision.copyFrom === null ? {} : { peer: decision.copyFrom }),
      restart: decision.restart, uncordon: decision.uncordon && !uncordonByApi,
    });
    const after = { kubeletVersion: restored.hosts[node]?.kubeletVersion ?? null, cordoned: restored.hosts[node]?.cordoned ?? null };
    if (decision.copyFrom !== null && !sameVersion(after.kubeletVersion, decision.fromVersion)) {
      throw new WorkFailedError(`after the copy from ${decision.copyFrom}, the kubelet on ${node} reports ${after.kubeletVersion ?? 'nothing readable'}, not ${decision.fromVersion}`, `full output: ${join(workDir, 'restore.log')}`);
    }
    if (uncordonByApi) {
      const done = await api!.client.setUnschedulable(node, false);
      if (!done.ok) throw new WorkFailedError(`the kubelet of ${node} is back at ${decision.fromVersion}, but the uncordon failed: ${done.error.message}`, `uncordon it by hand: kubectl uncordon ${node}`);
      after.cordoned = false;
    }
    if (decision.uncordon && after.cordoned === true) {
      throw new WorkFailedError(`${node} is still cordoned after the uncordon`, `full output: ${join(workDir, 'restore.log')}`);
    }
    if (decision.forgetCordon) await saveJournal(baseDir, recordUncordon(journal, node));
    io.log(`${node} recovered: kubelet ${after.kubeletVersion ?? '?'}${decision.uncordon ? ', uncordoned' : ''}. ` +
      `Fix what made ${failed.stepId} fail, then run the same apply again: it resumes at ${failed.stepId}`);
    return { status: 'recovered', decision, after };
  } finally {
    api?.client.close();
    await lock.release();
  }
}
