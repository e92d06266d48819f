/**
 * Everything a hop needs on disk before its first ansible-playbook step, at
 * the paths the plan decided (PlanHop.workspace):
 *
 *   <cacheDir>/kubespray/worktrees/<tag>        the checkout at the pinned sha (cwd of the run)
 *   <clusterDir>/.kspray/work/<tag>/
 *     inventory/<cluster>/inventory.ini         the cluster in the tag's group dialect
 *     inventory/<cluster>/group_vars/           fresh from the tag's inventory/sample
 *     extra-vars.yml, extra-vars.secrets.yml    the operator's settings under the tag's names
 *     ansible.cfg                               the tag's, plus the shared fact cache (ANSIBLE_CONFIG)
 *   <clusterDir>/.kspray/facts/                 jsonfile fact cache, shared by all hops
 *
 * Every file is computed before any is written (a bad secret leaves nothing
 * behind) and written atomically; a second call rewrites the same bytes and
 * skips the git work when the worktree is already at the sha.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { loadCatalog } from '../catalog/load.js';
import type { Cluster } from '../model/schema.js';
import { resolveSecret as resolveModelSecret } from '../model/secrets.js';
import type { PlanHop } from '../plan/types.js';
import { inNodeOrder, workerOrder } from '../plan/wave-run.js';
import { renderExtraVars, type SecretResolver } from '../render/extra-vars.js';
import { renderInventory } from '../render/inventory.js';
import { renderTarget } from '../render/target.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { checkSettingsRead } from '../vars/check.js';
import { UsageError } from '../util/errors.js';
import { writeAnsibleCfg } from './ansible-cfg.js';
import { ensureKubesprayCheckout, kubesprayCachePaths, normalizeRepo } from './checkout.js';
import { refreshGroupVars } from './group-vars.js';

export interface PrepareHopOptions {
  hop: Pick<PlanHop, 'index' | 'tag' | 'sha' | 'toVersion' | 'workspace'> & Partial<Pick<PlanHop, 'steps'>>;
  cluster: Cluster;
  /** The cluster file's directory: relative repo paths and secret files start there. */
  clusterBaseDir: string;
  /** kspray's cache, the one the plan was made with (its worktree path must match the plan's). */
  cacheDir: string;
  /** Kubespray's repository; default the cluster's kubespray.repo. */
  repo?: string;
  /** Default: the model's resolver (env or file, registered for redaction). */
  resolveSecret?: SecretResolver;
  /** Default: loadCatalog(). */
  catalog?: Catalog;
  /** Added to callback_plugins in ansible.cfg. */
  callbackPluginDir?: string;
  /** Ansible's log_path. */
  logPath?: string;
  lockTimeoutMs?: number;
  /** --allow-unread: settings accepted although the hop's tag does not read them. */
  allowUnread?: readonly string[] | undefined;
}

export interface PreparedWorkspace {
  tag: string;
  sha: string;
  kubesprayDir: string;
  dir: string;
  inventory: string;
  inventoryDir: string;
  groupVars: string;
  extraVars: string;
  secrets: string | null;
  ansibleCfg: string;
  factCache: string;
  /** Whether the checkout was reused as it was, or (re)created. */
  checkout: 'reused' | 'created';
  /** Environment for ansible-playbook (run with cwd = kubesprayDir). */
  env: { ANSIBLE_CONFIG: string };
}

/** Written when the plan expects a secrets file (its argv names it) but this tag maps no secret. */
const EMPTY_SECRETS = '# No secret settings for this tag.\n{}\n';

export async function prepareHopWorkspace(options: PrepareHopOptions): Promise<PreparedWorkspace> {
  const { hop, cluster } = options;
  const ws = hop.workspace;
  const expectedCheckout = kubesprayCachePaths(options.cacheDir, hop.tag).worktree;
  if (expectedCheckout !== ws.kubesprayDir) {
    throw new UsageError(
      `hop ${hop.index} expects the Kubespray checkout at ${ws.kubesprayDir}, but the kspray cache puts it at ${expectedCheckout}`,
      'The plan was made with another cache directory (KSPRAY_CACHE_DIR): make the plan again, or run with the same cache.',
    );
  }

  // Compute every file first.
  const catalog = options.catalog ?? loadCatalog();
  const target = renderTarget(catalog.requireTag(hop.tag));
  // The cluster file may have changed since the plan was made (or --plan runs an old one): checked again here.
  checkSettingsRead(cluster, [hop.tag], { tableVerified: catalog.source.kind === 'bundled', allowUnread: options.allowUnread });
  const resolveSecret = options.resolveSecret ?? ((ref) => resolveModelSecret(ref, options.clusterBaseDir));
  // Workers in canary-and-wave order: Ansible batches a serial play in inventory order,
  // so a shared wave run's batches are exactly the planned waves (plan/wave-run.ts).
  const inventoryText = renderInventory({ ...cluster, nodes: inNodeOrder(cluster.nodes, workerOrder({ steps: hop.steps ?? [] })) }, target);
  const extra = renderExtraVars(cluster, target, resolveSecret, { kubeVersion: hop.toVersion, artifactsDir: join(options.clusterBaseDir, 'artifacts') });
  if (extra.secrets !== undefined && ws.secrets === null) {
    throw new UsageError(
      `the cluster has secret settings for Kubespray ${hop.tag}, but the plan has no secrets file for hop ${hop.index}`,
      'The cluster file changed since the plan was made: make the plan again.',
    );
  }

  const checkout = await ensureKubesprayCheckout({
    repo: normalizeRepo(options.repo ?? cluster.kubespray.repo, options.clusterBaseDir),
    cacheDir: options.cacheDir,
    tag: hop.tag,
    sha: hop.sha,
    ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
  });

  const inventoryDir = dirname(ws.inventory);
  await writeFileAtomic(ws.inventory, inventoryText);
  const groupVars = await refreshGroupVars({ kubesprayDir: checkout.dir, inventoryDir });
  await writeFileAtomic(ws.extraVars, extra.vars);
  if (ws.secrets !== null) await writeFileAtomic(ws.secrets, extra.secrets ?? EMPTY_SECRETS, { mode: 0o600 });
  // Facts describe the hosts: readable by the operator only.
  await mkdir(ws.factCache, { recursive: true, mode: 0o700 });
  await writeAnsibleCfg({
    path: ws.ansibleCfg,
    kubesprayDir: checkout.dir,
    factCache: ws.factCache,
    ...(options.callbackPluginDir === undefined ? {} : { callbackPluginDir: options.callbackPluginDir }),
    ...(options.logPath === undefined ? {} : { logPath: options.logPath }),
  });

  return {
    tag: hop.tag, sha: checkout.sha, kubesprayDir: checkout.dir, dir: ws.dir,
    inventory: ws.inventory, inventoryDir, groupVars, extraVars: ws.extraVars, secrets: ws.secrets,
    ansibleCfg: ws.ansibleCfg, factCache: ws.factCache, checkout: checkout.action,
    env: { ANSIBLE_CONFIG: ws.ansibleCfg },
  };
}
