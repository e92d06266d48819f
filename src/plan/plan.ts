/**
 * plan(cluster, catalog, versions, observed facts) → PlanDocument. Pure and
 * synchronous: every path, version and argv the apply will use is decided
 * here, so what an operator reviews is what runs.
 */
import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { compareMinors, minorOf, normalizeVersion } from '../catalog/versions.js';
import { venvCommands } from '../ansible/venv-commands.js';
import type { Cluster } from '../model/schema.js';
import type { Finding } from '../preflight/types.js';
import { chainHops, type HopChoice } from './hops.js';
import type { LockFile } from './lock-file.js';
import { buildHopSteps } from './steps.js';
import { workerUpgradePlay } from './wave-run.js';
import { PLAN_VERSION, type AnsibleRequirement, type HopWorkspace, type PlanDocument, type PlanHop } from './types.js';
import type { VersionSpec } from './version-pair.js';
import { RUN_VARS } from '../vars/table.js';

export interface PlanInput {
  cluster: Cluster;
  /** How the cluster file is named in the plan (as the operator passed it). */
  clusterFile: string;
  catalog: Catalog;
  from?: VersionSpec | undefined;
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
  /** Observed: PDB-aware worker waves (canary wave first), when the cluster was reachable. */
  workerWaves?: { waves: string[][]; note: string } | undefined;
  /** Why there are no waves (no cluster reachable), said plainly in the plan. */
  wavesFallbackNote?: string | undefined;
  /** Preflight findings, attached to the hops they apply to. */
  findings?: Finding[] | undefined;
  ksprayVersion: string;
}

export function planUpgrade(input: PlanInput): PlanDocument {
  const { cluster, catalog } = input;
  const from = currentState(input);
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
    catalog: { source: catalog.source.kind, path: catalog.source.path ?? null },
    settings: { canary, batch: input.batch ?? null, forks: cluster.kubespray.forks, ansible: cluster.kubespray.ansible },
    workerStrategy: input.workerWaves
      ? { kind: 'waves', note: input.workerWaves.note }
      : input.batch !== undefined
        ? { kind: 'fixed-batches', note: `fixed batches of ${input.batch}${input.wavesFallbackNote ? `; ${input.wavesFallbackNote}` : ''}` }
        : { kind: 'kubespray-serial', note: `Kubespray's own serial batches${input.wavesFallbackNote ? `; ${input.wavesFallbackNote}` : ''}` },
    hops,
    warnings: warningsFor(input, from),
  };
}

/** Where the cluster is now: the model, unless FROM names another minor. */
function currentState(input: PlanInput): { version: string; tag: string | undefined } {
  const model = { version: normalizeVersion(input.cluster.kubernetes.version)!, tag: input.cluster.kubespray.tag };
  const from = input.from;
  if (!from) return model;
  if (from.full) return { version: from.full, tag: from.full === model.version ? model.tag : undefined };
  if (compareMinors(from.minor, minorOf(model.version)!) === 0) return model;
  const line = input.catalog.lineForDefaultMinor(from.minor);
  const latest = line === undefined ? undefined : input.catalog.latestPatch(line);
  return { version: latest ? input.catalog.defaultVersion(latest) : `v${from.minor}.0`, tag: undefined };
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
  if (input.catalog.source.ignored) warnings.push(`the refreshed catalog at ${input.catalog.source.ignored.path} was ignored: ${input.catalog.source.ignored.reason}`);
  return warnings;
}
