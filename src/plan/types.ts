/**
 * The plan document: versioned data that `kspray plan` prints and
 * `kspray apply` runs exactly. Changing its shape means bumping PLAN_VERSION.
 */
import type { Finding } from '../preflight/types.js';
import type { GroupNames } from '../catalog/groups.js';
import type { TagSource } from './hops.js';

export const PLAN_VERSION = 1;

export type StepKind = 'facts' | 'cleanup-caches' | 'control-plane' | 'canary' | 'workers' | 'verify';

export interface PlanStep {
  /** Stable id, e.g. `hop1:control-plane`, `hop2:workers-3`: the journal keys on it. */
  id: string;
  kind: StepKind;
  hop: number;
  kubesprayTag: string;
  title: string;
  /** The --limit pattern, or null for none. */
  limit: string | null;
  /** The hosts the step touches (every host for an unlimited run). */
  hosts: string[];
  /** The full ansible-playbook command line; null for steps kspray performs itself (verify). */
  argv: string[] | null;
  /** The inventory file it uses. */
  inventory: string;
  /** Where ansible-playbook runs (the Kubespray checkout, or kspray's playbooks). */
  cwd: string;
  /** The batch size passed as `-e serial=N`, when kspray sets one. */
  serial: number | null;
  /** kspray's own playbooks (cleanup-caches) write per-host results here. */
  resultDir?: string;
  /**
   * Worker waves that run together in one ansible-playbook run (src/plan/wave-run.ts):
   * every step of the run has the run's argv and limit; `hosts` and `serial` are the wave's own.
   * `play` is the play whose serial batches are the waves.
   */
  sharedRun?: { id: string; play: string };
}

export interface AnsibleRequirement {
  pins: string[];
  range: { min_inclusive: string | null; max_exclusive: string | null };
  impliedCore: string | null;
  mode: 'system' | 'venv';
  executable: string;
  /** The local ansible-playbook, when it was detected (system mode). */
  local: { version: string; satisfies: boolean } | null;
  /** venv mode: the commands that create the line's virtualenv. */
  venv: { dir: string; commands: string[][] } | null;
}

export interface HopWorkspace {
  kubesprayDir: string;
  dir: string;
  inventory: string;
  extraVars: string;
  secrets: string | null;
  ansibleCfg: string;
  factCache: string;
}

export interface PlanHop {
  index: number;
  line: string;
  tag: string;
  sha: string;
  tagSource: TagSource;
  fromTag: string | null;
  fromVersion: string;
  toVersion: string;
  /** kube_version as this tag wants it written (`v1.17.12`, or `1.32.8` from v2.28.0). */
  kubeVersion: string;
  kubeVersionForm: 'v-prefixed' | 'bare';
  dialect: 'dash' | 'underscore';
  groups: GroupNames;
  upgradePlaybook: string;
  factsPlaybook: string | null;
  ansible: AnsibleRequirement;
  workspace: HopWorkspace;
  /** What differs from the hop before: group dialect, kube_version form, Ansible. */
  changes: string[];
  steps: PlanStep[];
  findings: Finding[];
}

export interface PlanDocument {
  planVersion: typeof PLAN_VERSION;
  generatedBy: string;
  cluster: { name: string; file: string };
  from: { version: string; tag: string | null };
  to: { version: string; minor: string };
  catalog: { source: string; path: string | null };
  settings: { canary: number; batch: string | null; forks: number; ansible: 'system' | 'venv' };
  /** How worker batches were chosen: Kubespray's own serial, fixed batches, or PDB-aware waves. */
  workerStrategy: { kind: 'kubespray-serial' | 'fixed-batches' | 'waves'; note: string };
  hops: PlanHop[];
  warnings: string[];
}
