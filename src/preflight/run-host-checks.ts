/**
 * The host side of the preflight: kspray's own playbooks (etcd health, stale
 * caches, the kubeadm dry run) run once, in parallel, against the cluster as
 * it is now, then the pure checks read what they left. Host facts describe
 * the current state, so one inventory is enough: rendered straight from the
 * model in the dialect of the hop checked (no Kubespray checkout needed, the
 * playbooks are kspray's), with the operator's extraVars passed along for
 * whatever connection settings they carry.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import type { Cluster } from '../model/schema.js';
import { isSecretRef } from '../model/secret-names.js';
import { resolveSecret } from '../model/secrets.js';
import { stringifyForAnsible } from '../ansible/ansible-yaml.js';
import type { PlanHop } from '../plan/types.js';
import { renderInventory } from '../render/inventory.js';
import { renderTarget } from '../render/target.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { checkStaleCaches, DEFAULT_CACHE_PATHS, parseCacheResult, CACHES_CHECK } from './caches.js';
import { checkEtcdHealth, ETCD_CHECK, parseEtcdResult, type EtcdRawResult } from './etcd.js';
import { gatherHostFacts, type HostFactsResult } from './host-facts.js';
import { checkKubeadmDryRun, kubeadmDryRunArgv, KUBEADM_CHECK, parseKubeadmResult, type KubeadmRawResult } from './kubeadm.js';
import type { CheckOutcome, Finding, HopContext } from './types.js';

export interface HostChecksOptions {
  cluster: Cluster;
  catalog: Catalog;
  /** The hop the checks gate (the next one to run). */
  hop: PlanHop;
  /** `<cluster dir>/.kspray`: a scratch directory is made (and removed) under preflight/; secret files are relative to its parent. */
  stateDir: string;
  /** Run with become (-b), as Kubespray does; default true. */
  become?: boolean;
  /** Extra environment for ansible-playbook. */
  env?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 15 * 60_000;

export function hopContextOf(hop: Pick<PlanHop, 'index' | 'fromVersion' | 'toVersion' | 'fromTag' | 'tag' | 'line'>): HopContext {
  return { index: hop.index, fromVersion: hop.fromVersion, toVersion: hop.toVersion, fromTag: hop.fromTag ?? undefined, toTag: hop.tag, line: hop.line };
}

/** The hop's venv Ansible when it exists already, else the one on PATH: kspray's playbooks run on any Ansible from 2.7. */
function ansiblePlaybookFor(hop: PlanHop): string {
  return hop.ansible.mode === 'venv' && existsSync(hop.ansible.executable) ? hop.ansible.executable : 'ansible-playbook';
}

export async function runHostChecks(options: HostChecksOptions): Promise<CheckOutcome[]> {
  const { cluster, catalog, hop } = options;
  const record = catalog.requireTag(hop.tag);
  const target = renderTarget(record);
  const ctx = hopContextOf(hop);
  await mkdir(join(options.stateDir, 'preflight'), { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(options.stateDir, 'preflight', 'hosts-'));
  try {
    const inventory = join(dir, 'inventory.ini');
    await writeFileAtomic(inventory, renderInventory(cluster, target));
    const extraVarsFiles: string[] = [];
    if (cluster.extraVars && Object.keys(cluster.extraVars).length > 0) {
      // As render writes them: YAML as Ansible reads it (never templated), secrets resolved (the file is 0600 and removed below).
      const baseDir = dirname(options.stateDir);
      const vars = Object.fromEntries(Object.entries(cluster.extraVars).map(([key, value]) => [key, isSecretRef(value) ? resolveSecret(value, baseDir) : value]));
      const file = join(dir, 'extra-vars.yml');
      await writeFileAtomic(file, stringifyForAnsible(vars), { mode: 0o600 });
      extraVarsFiles.push(file);
    }
    const common = {
      inventory, extraVarsFiles, ansiblePlaybook: ansiblePlaybookFor(hop), become: options.become ?? true,
      // As Kubespray's own ansible.cfg: new hosts are not asked about.
      env: { ANSIBLE_HOST_KEY_CHECKING: 'False', ...options.env },
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    const { groups } = target;
    const [etcd, caches, kubeadm] = await Promise.all([
      gatherHostFacts({
        ...common, playbook: 'preflight-etcd.yml', hosts: `${groups.etcd}[0]`, resultDir: join(dir, 'etcd'),
        vars: cluster.preflight?.etcdCertDir === undefined ? {} : { kspray_etcd_cert_dir: cluster.preflight.etcdCertDir },
      }),
      gatherHostFacts({
        ...common, playbook: 'preflight-caches.yml', hosts: groups.controlPlane, resultDir: join(dir, 'caches'),
        vars: { kspray_cache_paths: cluster.preflight?.cachePaths ?? [...DEFAULT_CACHE_PATHS] },
      }),
      gatherHostFacts({
        ...common, playbook: 'preflight-kubeadm.yml', hosts: `${groups.controlPlane}[0]`, resultDir: join(dir, 'kubeadm'),
        vars: { kspray_kubeadm_argv: kubeadmDryRunArgv(record, hop.toVersion) },
      }),
    ]);
    return [
      fromResult(ETCD_CHECK, etcd, ctx, (byHost) => checkEtcdHealth(parseEtcdResult(firstResult(byHost) as EtcdRawResult), ctx)),
      fromResult(CACHES_CHECK, caches, ctx, (byHost) => checkStaleCaches(Object.values(byHost).map(parseCacheResult), ctx)),
      fromResult(KUBEADM_CHECK, kubeadm, ctx, (byHost) => checkKubeadmDryRun(parseKubeadmResult(firstResult(byHost) as KubeadmRawResult), ctx)),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function firstResult(byHost: Record<string, unknown>): unknown {
  return Object.values(byHost)[0];
}

/**
 * A gathering that could not run says 'skipped' with Ansible's words; an
 * unreachable host is a blocking finding of that check: the upgrade would
 * stop at the same host.
 */
function fromResult(check: string, result: HostFactsResult, hop: HopContext, evaluate: (byHost: Record<string, unknown>) => CheckOutcome): CheckOutcome {
  if (result.kind === 'error') {
    const detail = result.stderrTail.split('\n').map((l) => l.trim()).filter(Boolean).at(-1);
    return { check, status: 'skipped', findings: [], reason: `the hosts could not be asked: ${result.message}${detail ? ` (${detail})` : ''}` };
  }
  const unreachable: Finding[] = result.kind === 'unreachable'
    ? result.unreachable.map((host) => ({
      check, severity: 'block' as const, hop: hop.index, where: host,
      what: `${host} is unreachable over Ansible`,
      why: 'Kubespray must reach every host it upgrades; the upgrade would stop at this host',
      fix: `check SSH to ${host} (ansible -i INVENTORY ${host} -m ping) and its entry in the cluster file, then re-run kspray preflight`,
    }))
    : [];
  if (Object.keys(result.byHost).length === 0) {
    return { check, status: 'fail', findings: unreachable, reason: 'no host answered' };
  }
  const outcome = evaluate(result.byHost);
  if (unreachable.length === 0) return outcome;
  return { ...outcome, status: 'fail', findings: [...unreachable, ...outcome.findings] };
}
