/**
 * The host side of the preflight, as a source the host checks gather from
 * (checks/etcd-health.ts, stale-caches.ts, kubeadm-dry-run.ts): kspray's own
 * playbooks, run against the cluster as it is now, each check its own, all
 * at once. Host facts describe the current state, so one inventory is enough:
 * rendered straight from the model in the dialect of the hop checked (no
 * Kubespray checkout needed, the playbooks are kspray's), with the operator's
 * extraVars passed along for whatever connection settings they carry.
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
import type { HostSource } from './check-module.js';
import type { HopContext } from './types.js';

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

/** The hosts as a source: an inventory for the hop, and a runner of kspray's preflight playbooks; `close` removes the scratch directory. */
export async function openHostSource(options: HostChecksOptions): Promise<HostSource & { close(): Promise<void> }> {
  const { cluster, catalog, hop } = options;
  const target = renderTarget(catalog.requireTag(hop.tag));
  await mkdir(join(options.stateDir, 'preflight'), { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(options.stateDir, 'preflight', 'hosts-'));
  const inventory = join(dir, 'inventory.ini');
  const extraVarsFiles: string[] = [];
  try {
    await writeFileAtomic(inventory, renderInventory(cluster, target));
    if (cluster.extraVars && Object.keys(cluster.extraVars).length > 0) {
      // As render writes them: YAML as Ansible reads it (never templated), secrets resolved (the file is 0600 and removed by close).
      const baseDir = dirname(options.stateDir);
      const vars = Object.fromEntries(Object.entries(cluster.extraVars).map(([key, value]) => [key, isSecretRef(value) ? resolveSecret(value, baseDir) : value]));
      const file = join(dir, 'extra-vars.yml');
      await writeFileAtomic(file, stringifyForAnsible(vars), { mode: 0o600 });
      extraVarsFiles.push(file);
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const common = {
    inventory, extraVarsFiles, ansiblePlaybook: ansiblePlaybookFor(hop), become: options.become ?? true,
    // As Kubespray's own ansible.cfg: new hosts are not asked about.
    env: { ANSIBLE_HOST_KEY_CHECKING: 'False', ...options.env },
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  return {
    async gather({ name, playbook, hosts, vars }) {
      // Loaded here: the Ansible runner (and its event parser) only for a preflight that asks the hosts.
      const { gatherHostFacts } = await import('./host-facts.js');
      return gatherHostFacts({ ...common, playbook, hosts, resultDir: join(dir, name), ...(vars === undefined ? {} : { vars }) });
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
