/**
 * plan(cluster, catalog, versions, observed facts) → PlanDocument. Pure and
 * synchronous: every path, version and argv the apply will use is decided
 * here, so what an operator reviews is what runs. The document records what
 * it was asked (`request`) and fingerprints of what it was made from
 * (`inputs`), so that apply can plan the same request again and run only
 * when the result is the plan that was reviewed (plan/identity.ts).
 */
import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { minorOf, normalizeVersion } from '../catalog/versions.js';
import { venvCommands } from '../ansible/venv-commands.js';
import type { Cluster } from '../model/schema.js';
import type { Finding } from '../preflight/types.js';
import { chainHops, type HopChoice } from './hops.js';
import type { LockFile } from './lock-file.js';
import { buildHopSteps } from './steps.js';
import { planGates } from './gates.js';
import { workerUpgradePlay } from './wave-run.js';
import { PLAN_VERSION } from './plan-version.js';
import type { AnsibleRequirement, HopWorkspace, PlanDocument, PlanHop, PlanInputs } from './types.js';
import type { VersionSpec } from './version-pair.js';
import { sha256Of } from '../util/canonical-json.js';
import { cacheDir, playbooksDir } from '../util/paths.js';
import { RUN_VARS } from '../vars/table.js';

export interface PlanInput {
  cluster: Cluster;
  /** How the cluster file is named in the plan (as the operator passed it). */
  clusterFile: string;
  catalog: Catalog;
  /**
   * Where the plan starts: the cluster's state as resolved from the file, the
   * journal and the live nodes (plan/cluster-state.ts), or the start of the
   * recorded plan being resumed. Default: what the cluster file says.
   */
  from?: { version: string; tag: string | undefined } | undefined;
  to: VersionSpec;
  lock?: LockFile | undefined;
  lastTag?: string | undefined;
  canary?: number;
  batch?: string | undefined;
  /** `<cluster dir>/.kspray`: per-cluster workspaces, facts, journal. */
  stateDir: string;
  /** kspray's cache: Kubespray checkouts and venvs. */
  cacheDir: string;
  /** Observed: the local ansible-playbook (system mode), when detected. */
  localAnsible?: { version: string } | undefined;
  /** Recorded in the plan as asked (the waves were planned with them). */
  maxUnavailable?: number | string | undefined;
  zoneSpread?: boolean | undefined;
  /** Observed: PDB-aware worker waves (canary wave first), when the cluster was reachable, or the waves of the plan being resumed. */
  workerWaves?: { waves: string[][]; note: string; source: 'live' | 'recorded'; server: string | null; facts: string | null } | undefined;
  /** Why there are no waves (no cluster reachable), said plainly in the plan. */
  wavesFallbackNote?: string | undefined;
  /** Preflight findings, attached to the hops they apply to. */
  findings?: Finding[] | undefined;
  ksprayVersion: string;
}

/** The cluster model as a plan records it: normalized, secrets still references, no editor hint. */
export function planModel(cluster: Cluster): Record<string, unknown> {
  const { $schema: _schema, ...model } = cluster;
  return model as Record<string, unknown>;
}

export function planUpgrade(input: PlanInput): PlanDocument {
  const { cluster, catalog } = input;
  const from = input.from ?? { version: normalizeVersion(cluster.kubernetes.version)!, tag: cluster.kubespray.tag };
  const choices = chainHops({ catalog, from, to: input.to, lock: input.lock, lastTag: input.lastTag });
  const canary = input.canary ?? 1;
  const hops = choices.map((choice) => buildHop(input, choice, canary));
  describeChanges(hops);
  const last = hops.at(-1)!;
  return {
    planVersion: PLAN_VERSION,
    generatedBy: `kspray ${input.ksprayVersion}`,
    cluster: { name: cluster.name, file: input.clusterFile },
    from: { version: from.version, tag: from.tag ?? null },
    to: { version: last.toVersion, minor: minorOf(last.toVersion)! },
    request: {
      target: input.to.full ?? input.to.minor, lastTag: input.lastTag ?? null, canary, batch: input.batch ?? null,
      maxUnavailable: input.maxUnavailable ?? '20%', zoneSpread: Boolean(input.zoneSpread),
    },
    inputs: planInputs(input),
    model: planModel(cluster),
    catalog: { source: catalog.source.kind, path: catalog.source.path ?? null },
    settings: { forks: cluster.kubespray.forks, ansible: cluster.kubespray.ansible },
    paths: { state: input.stateDir, cache: input.cacheDir, kspray: playbooksDir },
    workerStrategy: input.workerWaves
      ? { kind: 'waves', note: input.workerWaves.note }
      : input.batch !== undefined
        ? { kind: 'fixed-batches', note: `fixed batches of ${input.batch}${input.wavesFallbackNote ? `; ${input.wavesFallbackNote}` : ''}` }
        : { kind: 'kubespray-serial', note: `Kubespray's own serial batches${input.wavesFallbackNote ? `; ${input.wavesFallbackNote}` : ''}` },
    hops,
    gates: planGates(cluster, hops),
    warnings: warningsFor(input, from),
  };
}

function planInputs(input: PlanInput): PlanInputs {
  const waves = input.workerWaves;
  return {
    model: sha256Of(planModel(input.cluster)),
    lock: input.lock ? sha256Of(input.lock) : null,
    catalog: input.catalog.fingerprint(),
    kspray: input.ksprayVersion,
    waves: waves ? { source: waves.source, server: waves.server, facts: waves.facts } : null,
  };
}

function buildHop(input: PlanInput, choice: HopChoice, canary: number): PlanHop {
  const { catalog, cluster } = input;
  const record = catalog.requireTag(choice.tag);
  const workspace = hopWorkspace(input, choice.tag, cluster.name, cluster.addons?.rbdProvisioner !== undefined);
  const ansible = ansibleFor(input, choice);
  const kubeVersion = catalog.formatKubeVersion(choice.tag, choice.toVersion);
  const groups = catalog.groupNames(choice.tag);
  const steps = buildHopSteps({
    cluster, hop: choice.index, tag: choice.tag, groups, kubeVersion,
    upgradePlaybook: catalog.upgradePlaybook(choice.tag), factsPlaybook: catalog.factsPlaybook(choice.tag) ?? null,
    executable: ansible.executable, forks: cluster.kubespray.forks, inventory: workspace.inventory,
    extraVarsFiles: [workspace.extraVars, ...(workspace.secrets ? [workspace.secrets] : [])],
    kubesprayDir: workspace.kubesprayDir, canary, workerBatches: input.workerWaves?.waves, batch: input.batch, workDir: workspace.dir,
    workerPlay: workerUpgradePlay(catalog.upgradePlays(choice.tag), groups),
  });
  return {
    index: choice.index, line: choice.line, tag: choice.tag, sha: record.sha, tagSource: choice.tagSource,
    fromTag: choice.fromTag ?? null, fromVersion: choice.fromVersion, toVersion: choice.toVersion,
    kubeVersion, kubeVersionForm: catalog.kubeVersionForm(choice.tag), dialect: catalog.dialect(choice.tag), groups,
    upgradePlaybook: catalog.upgradePlaybook(choice.tag), factsPlaybook: catalog.factsPlaybook(choice.tag) ?? null,
    ansible, workspace, changes: [], steps,
    findings: (input.findings ?? []).filter((finding) => finding.hop === undefined || finding.hop === choice.index),
  };
}

export function hopWorkspace(input: Pick<PlanInput, 'stateDir' | 'cacheDir'>, tag: string, clusterName: string, hasSecrets: boolean): HopWorkspace {
  const dir = join(input.stateDir, 'work', tag);
  return {
    kubesprayDir: join(input.cacheDir, 'kubespray', 'worktrees', tag),
    dir,
    inventory: join(dir, 'inventory', clusterName, 'inventory.ini'),
    extraVars: join(dir, 'extra-vars.yml'),
    secrets: hasSecrets ? join(dir, 'extra-vars.secrets.yml') : null,
    ansibleCfg: join(dir, 'ansible.cfg'),
    factCache: join(input.stateDir, 'facts'),
  };
}

/**
 * Where a hop's files are and which ansible-playbook runs it, from the
 * cluster and the tag alone: what `recover` uses instead of trusting the
 * paths and executable a journal holds.
 */
export function hopRunContext(cluster: Cluster, baseDir: string, tag: string, line: string): { workspace: HopWorkspace; executable: string } {
  const stateDir = join(baseDir, '.kspray');
  const cache = cacheDir();
  const workspace = hopWorkspace({ stateDir, cacheDir: cache }, tag, cluster.name, cluster.addons?.rbdProvisioner !== undefined);
  const executable = cluster.kubespray.ansible === 'venv'
    ? venvCommands({ cacheDir: cache, line, requirementsFile: join(workspace.kubesprayDir, 'requirements.txt') }).ansiblePlaybook
    : 'ansible-playbook';
  return { workspace, executable };
}

function ansibleFor(input: PlanInput, choice: HopChoice): AnsibleRequirement {
  const { catalog, cluster } = input;
  const range = catalog.ansibleRange(choice.tag);
  const base = { pins: catalog.ansiblePins(choice.tag), range, impliedCore: catalog.impliedCore(choice.tag) ?? null };
  if (cluster.kubespray.ansible === 'venv') {
    const kubesprayDir = join(input.cacheDir, 'kubespray', 'worktrees', choice.tag);
    const venv = venvCommands({ cacheDir: input.cacheDir, line: choice.line, requirementsFile: join(kubesprayDir, 'requirements.txt') });
    return { ...base, mode: 'venv', executable: venv.ansiblePlaybook, local: null, venv: { dir: venv.venvDir, commands: venv.argvs } };
  }
  const local = input.localAnsible ? { version: input.localAnsible.version, satisfies: catalog.ansibleSatisfies(choice.tag, input.localAnsible.version) } : null;
  return { ...base, mode: 'system', executable: 'ansible-playbook', local, venv: null };
}

function describeChanges(hops: PlanHop[]): void {
  hops.forEach((hop, index) => {
    const previous = hops[index - 1];
    if (!previous) return;
    if (previous.dialect !== hop.dialect) hop.changes.push(`inventory groups change from ${previous.dialect} (${previous.groups.controlPlane}) to ${hop.dialect} (${hop.groups.controlPlane}) names`);
    if (previous.kubeVersionForm !== hop.kubeVersionForm) hop.changes.push(`${RUN_VARS.kubeVersion} is written ${hop.kubeVersionForm === 'bare' ? 'without' : 'with'} a leading v from this tag on (${hop.kubeVersion})`);
    if (previous.ansible.impliedCore !== hop.ansible.impliedCore) hop.changes.push(`Ansible moves from ${previous.ansible.impliedCore ?? '?'} to ${hop.ansible.impliedCore ?? '?'} (${hop.ansible.pins.join(', ')})`);
  });
}

function warningsFor(input: PlanInput, from: { version: string; tag: string | undefined }): string[] {
  const warnings: string[] = [];
  if (!from.tag) warnings.push(`the Kubespray tag the cluster runs now is not known; set kubespray.tag in ${input.clusterFile} for an exact first hop`);
  return warnings;
}
