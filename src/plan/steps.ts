/**
 * The ordered steps of one hop, each with the exact ansible-playbook argv:
 * facts for every host (no --limit: Kubespray needs every host's facts cached
 * before a limited run; kspray's own playbook where the tag has none), the
 * control plane and etcd, a canary, the remaining workers in batches, verify. Pure.
 */
import type { Cluster } from '../model/schema.js';
import { playbookArgv } from '../ansible/playbook-argv.js';
import type { GroupNames } from '../catalog/groups.js';
import type { PlanStep } from './types.js';
import { join } from 'node:path';
import { DEFAULT_CACHE_PATHS } from '../preflight/caches.js';
import { playbooksDir } from '../util/paths.js';
import { serialListVars } from './wave-run.js';
import { parseCountOrPercent, resolveCountOrPercent } from './count-or-percent.js';
import { RUN_VARS } from '../vars/table.js';

export interface StepInput {
  cluster: Cluster;
  hop: number;
  tag: string;
  groups: GroupNames;
  kubeVersion: string;
  upgradePlaybook: string;
  factsPlaybook: string | null;
  executable: string;
  forks: number;
  inventory: string;
  extraVarsFiles: string[];
  kubesprayDir: string;
  canary: number;
  /** Worker batches after the canary: explicit host lists, or undefined for one step with Kubespray's own serial. */
  workerBatches?: string[][] | undefined;
  /** `--batch`: N hosts or P% of the remaining workers per batch (ignored when workerBatches is given). */
  batch?: string | undefined;
  /** The hop's own directory (kspray's playbooks write their results under it). */
  workDir: string;
  /**
   * The play whose serial batches upgrade the workers (wave-run.ts): when known, the
   * batches after the canary share one ansible-playbook run, one serial batch each.
   */
  workerPlay?: string | undefined;
}

/** Workers that are neither control plane nor etcd: only these go in worker steps. */
export function pureWorkers(cluster: Cluster): string[] {
  return cluster.nodes.filter((n) => n.roles.includes('worker') && !n.roles.includes('control-plane') && !n.roles.includes('etcd')).map((n) => n.name);
}

export function controlPlaneHosts(cluster: Cluster): string[] {
  return cluster.nodes.filter((n) => n.roles.includes('control-plane') || n.roles.includes('etcd')).map((n) => n.name);
}

export function buildHopSteps(input: StepInput): PlanStep[] {
  const { cluster, hop, tag, groups } = input;
  const steps: PlanStep[] = [];
  const base = { hop, kubesprayTag: tag, inventory: input.inventory, cwd: input.kubesprayDir };
  const argv = (playbook: string, limit: string | null, serial: number | readonly number[] | null): string[] => playbookArgv({
    executable: input.executable,
    become: true,
    forks: input.forks,
    inventory: input.inventory,
    extraVarsFiles: input.extraVarsFiles,
    extraVars: { [RUN_VARS.kubeVersion]: input.kubeVersion, ...(typeof serial === 'number' ? { [RUN_VARS.serial]: String(serial) } : {}) },
    ...(Array.isArray(serial) ? { ownVars: serialListVars(serial) } : {}),
    playbook,
    ...(limit === null ? {} : { limit }),
  });
  const allHosts = cluster.nodes.map((n) => n.name);
  // Every host's facts are cached before any limited run, whatever the tag: its own facts
  // playbook (v2.13.0+), else kspray's, which gathers them for every host (v2.10 – v2.12).
  const factsPlaybook = input.factsPlaybook ?? join(playbooksDir, 'gather-facts.yml');
  steps.push({ ...base, id: `hop${hop}:facts`, kind: 'facts', title: 'Gather facts of every host', limit: null, hosts: allHosts, argv: argv(factsPlaybook, null, null), serial: null });
  // Stale kubectl HTTP caches and docker login data on the masters broke control-plane
  // upgrades (field notes): kspray's own playbook removes them first, every hop (idempotent).
  const resultDir = join(input.workDir, 'cleanup-caches');
  const cachePaths = cluster.preflight?.cachePaths ?? DEFAULT_CACHE_PATHS;
  steps.push({
    ...base, id: `hop${hop}:cleanup-caches`, kind: 'cleanup-caches', title: 'Remove stale caches on the control plane',
    limit: groups.controlPlane, hosts: cluster.nodes.filter((n) => n.roles.includes('control-plane')).map((n) => n.name),
    // The extra-vars files as every Kubespray step gets them: connection settings kept there
    // (ansible_user, ansible_port, become) reach kspray's own playbook too; its own -e comes last and wins.
    argv: playbookArgv({
      executable: input.executable, become: true, forks: input.forks, inventory: input.inventory, extraVarsFiles: input.extraVarsFiles,
      ownVars: { kspray_hosts: groups.controlPlane, kspray_cache_paths: cachePaths, kspray_result_dir: resultDir },
      playbook: join(playbooksDir, 'cleanup-caches.yml'),
    }),
    serial: null, resultDir,
  });
  // A snapshot of etcd before anything of the control plane changes: what a failed control-plane upgrade is restored from.
  const firstEtcd = cluster.nodes.find((n) => n.roles.includes('etcd'))?.name;
  if (firstEtcd !== undefined) {
    const snapshotDir = join(input.workDir, 'etcd-snapshot');
    steps.push({
      ...base, id: `hop${hop}:etcd-snapshot`, kind: 'etcd-snapshot', title: 'Take an etcd snapshot on the first etcd host',
      limit: `${groups.etcd}[0]`, hosts: [firstEtcd],
      argv: playbookArgv({
        executable: input.executable, become: true, forks: input.forks, inventory: input.inventory, extraVarsFiles: input.extraVarsFiles,
        ownVars: { kspray_hosts: `${groups.etcd}[0]`, kspray_result_dir: snapshotDir, kspray_snapshot_label: `${cluster.name}-hop${hop}-${tag}`, ...etcdVars(cluster) },
        playbook: join(playbooksDir, 'etcd-snapshot.yml'),
      }),
      serial: null, resultDir: snapshotDir,
    });
  }
  const controlPlaneLimit = `${groups.controlPlane}:${groups.etcd}`;
  steps.push({
    ...base, id: `hop${hop}:control-plane`, kind: 'control-plane', title: 'Upgrade the control plane and etcd',
    limit: controlPlaneLimit, hosts: controlPlaneHosts(cluster), argv: argv(input.upgradePlaybook, controlPlaneLimit, null), serial: null,
  });
  const workers = pureWorkers(cluster);
  const batches = input.workerBatches ?? defaultBatches(workers, input.canary, input.batch);
  const fixedSizes = input.workerBatches !== undefined || input.batch !== undefined;
  // The canary and the waves in one run, a serial batch each (apply runs the canary alone when a soak must watch it).
  const shared = fixedSizes && batches.length > 1 && input.workerPlay !== undefined
    ? { run: { id: `hop${hop}:workers`, play: input.workerPlay }, limit: batches.flat().join(','), sizes: batches.map((batch) => batch.length) }
    : undefined;
  batches.forEach((hosts, index) => {
    const isCanary = index === 0 && input.canary > 0;
    const serial = isCanary || fixedSizes ? hosts.length : null;
    const number = isCanary ? 0 : index + (input.canary > 0 ? 0 : 1);
    const limit = shared?.limit ?? hosts.join(',');
    steps.push({
      ...base,
      id: isCanary ? `hop${hop}:canary` : `hop${hop}:workers-${number}`,
      kind: isCanary ? 'canary' : 'workers',
      title: isCanary ? `Upgrade the canary worker${hosts.length > 1 ? 's' : ''}` : `Upgrade workers, ${shared ? 'wave' : 'batch'} ${number} of ${batches.length - (input.canary > 0 ? 1 : 0)}`,
      limit, hosts, argv: argv(input.upgradePlaybook, limit, shared ? shared.sizes : serial), serial,
      ...(shared ? { sharedRun: shared.run } : {}),
    });
  });
  steps.push({ ...base, id: `hop${hop}:verify`, kind: 'verify', title: `Verify every node reports ${input.kubeVersion}`, limit: null, hosts: allHosts, argv: null, serial: null });
  return steps;
}

/** How kspray's etcd playbooks reach etcd on its host (preflight.etcd* in the cluster file; the playbooks' defaults are Kubespray's). */
export function etcdVars(cluster: Cluster): Record<string, unknown> {
  const settings = cluster.preflight;
  return {
    ...(settings?.etcdCertDir === undefined ? {} : { kspray_etcd_cert_dir: settings.etcdCertDir }),
    ...(settings?.etcdEndpoints === undefined ? {} : { kspray_etcd_endpoints: settings.etcdEndpoints.join(',') }),
    ...(settings?.etcdTls === undefined ? {} : { kspray_etcd_tls: settings.etcdTls }),
    ...(settings?.etcdSnapshotDir === undefined ? {} : { kspray_snapshot_dir: settings.etcdSnapshotDir }),
  };
}

/** Canary first, then the rest: one batch (Kubespray's own serial inside) unless --batch splits it. */
function defaultBatches(workers: string[], canary: number, batch: string | undefined): string[][] {
  const canaryHosts = workers.slice(0, Math.max(0, canary));
  const rest = workers.slice(canaryHosts.length);
  const batches: string[][] = canaryHosts.length > 0 ? [canaryHosts] : [];
  if (rest.length === 0) return batches;
  const size = batch === undefined ? rest.length : batchSize(batch, rest.length);
  for (let i = 0; i < rest.length; i += size) batches.push(rest.slice(i, i + size));
  return batches;
}

/** `--batch N` or `P%` of `count` (Ansible's rounding, as Kubespray's `serial` would cut them), at least 1. */
export function batchSize(batch: string, count: number): number {
  const spec = parseCountOrPercent(batch);
  if (!spec) throw new Error(`batchSize: ${batch} is neither N nor P%`);
  return Math.max(1, Math.min(count, resolveCountOrPercent(spec, count)));
}
