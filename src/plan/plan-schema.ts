/**
 * The plan document's one contract: the zod schema that a plan file
 * (`apply --plan FILE`) and the journal's recorded plan are read with, the
 * TypeScript types the planner builds (types.ts infers them from here), and
 * the published JSON Schema (schema/plan.schema.json).
 *
 * A plan read from a file is only ever compared, never run: apply plans again
 * from today's inputs and runs its own result when it equals the file
 * (plan/identity.ts). The schema is strict so that a damaged or hand-edited
 * file is reported where it is wrong instead of half-understood.
 *
 * Classic zod, not zod/mini: only apply, status, recover and pipeline read a
 * plan document; `kspray plan` only writes one and imports this module for
 * its types alone.
 */
import { z } from 'zod';
import { PLAN_VERSION } from './plan-version.js';
import type { PlanDocument } from './types.js';
import { FindingSchema } from '../preflight/report-schema.js';
import { STEP_KINDS } from './step-kinds.js';
import { RUN_VARS } from '../vars/table.js';

const version = z.string().regex(/^v1\.\d+\.\d+$/, 'must be a Kubernetes version like v1.18.10');
const tagName = z.string().regex(/^v2\.\d+\.\d+$/, 'must be a Kubespray tag like v2.14.2');
const sha256 = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 hex>');
const count = z.number().int().nonnegative();

export const StepKindSchema = z.enum(STEP_KINDS);

export const PlanStepSchema = z.strictObject({
  id: z.string().regex(/^hop\d+:[a-z-]+(?:-\d+)?$/).describe('Stable id, e.g. hop1:control-plane, hop2:workers-3: the journal keys on it'),
  kind: StepKindSchema,
  hop: z.number().int().positive(),
  kubesprayTag: tagName,
  title: z.string(),
  limit: z.string().nullable().describe('The --limit pattern, or null for none'),
  hosts: z.array(z.string()).describe('The hosts the step touches (every host for an unlimited run)'),
  argv: z.array(z.string()).nullable().describe('The full ansible-playbook command line, for review; null for steps kspray performs itself (verify). Never executed from a file: apply runs what it plans itself'),
  inventory: z.string().describe('The inventory file it uses'),
  cwd: z.string().describe('Where ansible-playbook runs (the Kubespray checkout, or kspray\'s playbooks)'),
  serial: z.number().int().positive().nullable().describe('The batch size passed as -e serial=N, when kspray sets one'),
  resultDir: z.string().optional().describe('kspray\'s own playbooks (cleanup-caches, etcd-snapshot) write per-host results here'),
  sharedRun: z.strictObject({ id: z.string(), play: z.string() }).optional()
    .describe('Worker waves that run together in one ansible-playbook run: every step of the run has the run\'s argv and limit; hosts and serial are the wave\'s own. play is the play whose serial batches are the waves'),
});

export const AnsibleRequirementSchema = z.strictObject({
  pins: z.array(z.string()),
  range: z.strictObject({ min_inclusive: z.string().nullable(), max_exclusive: z.string().nullable() }),
  impliedCore: z.string().nullable(),
  mode: z.enum(['system', 'venv']),
  executable: z.string(),
  local: z.strictObject({ version: z.string(), satisfies: z.boolean() }).nullable().describe('The local ansible-playbook, when it was detected (system mode): an observation, not part of the plan\'s identity'),
  venv: z.strictObject({ dir: z.string(), commands: z.array(z.array(z.string())) }).nullable().describe('venv mode: the commands that create the line\'s virtualenv'),
});

export const HopWorkspaceSchema = z.strictObject({
  kubesprayDir: z.string(),
  dir: z.string(),
  inventory: z.string(),
  extraVars: z.string(),
  secrets: z.string().nullable(),
  ansibleCfg: z.string(),
  factCache: z.string(),
});

export const GroupNamesSchema = z.strictObject({
  controlPlane: z.string(), node: z.string(), cluster: z.string(), calicoRr: z.string(), etcd: z.string(),
});

export const PlanHopSchema = z.strictObject({
  index: z.number().int().positive(),
  line: z.string().regex(/^2\.\d+$/),
  tag: tagName,
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  tagSource: z.enum(['catalog', 'lock', 'override']),
  fromTag: tagName.nullable(),
  fromVersion: version,
  toVersion: version,
  kubeVersion: z.string().describe(`${RUN_VARS.kubeVersion} as this tag wants it written (v1.17.12, or 1.32.8 from v2.28.0)`),
  kubeVersionForm: z.enum(['v-prefixed', 'bare']),
  dialect: z.enum(['dash', 'underscore']),
  groups: GroupNamesSchema,
  upgradePlaybook: z.string(),
  factsPlaybook: z.string().nullable(),
  ansible: AnsibleRequirementSchema,
  workspace: HopWorkspaceSchema,
  changes: z.array(z.string()).describe(`What differs from the hop before: group dialect, ${RUN_VARS.kubeVersion} form, Ansible`),
  steps: z.array(PlanStepSchema).min(1),
  findings: z.array(FindingSchema),
  artifacts: z.strictObject({
    files: count.describe('Files the hop downloads (one per URL: per node architecture)'),
    images: count.describe('Images the hop pulls'),
    mirror: z.strictObject({ files: count, images: count }).nullable().describe('How many of them the declared mirrors have (plan --preflight); null: not asked'),
  }).optional().describe('What the hop downloads, when known (plan --artifacts, or plan --preflight once the downloads are listed; kspray artifacts lists them): not part of the plan\'s identity'),
});

/**
 * A health gate (the cluster file's upgrade.gates), as the plan runs it: after
 * each worker step it names, before the step that follows may start. Part of
 * the plan's identity: a reviewed plan runs only with the gates reviewed.
 */
export const PlanGateSchema = z.strictObject({
  name: z.string(),
  kind: z.enum(['command', 'http', 'kubernetes']),
  command: z.array(z.string()).nullable().describe('command: the argv run on the controller (never through a shell), KUBECONFIG set; exit 0 passes'),
  http: z.strictObject({ url: z.string(), status: z.number().int(), bodyContains: z.string().nullable() }).nullable(),
  kubernetes: z.strictObject({
    condition: z.enum(['pods-ready', 'deployment-available', 'statefulset-available', 'nodes-ready']),
    namespace: z.string().nullable(), name: z.string().nullable(), selector: z.string().nullable(),
  }).nullable(),
  timeoutMs: z.number().int().positive(),
  intervalMs: z.number().int().positive(),
  after: z.array(z.string()).describe('The worker steps (canary, waves) it follows: checked before the step after each of them starts'),
});

/** What the operator asked for: with the inputs, all the planner needs to make the same plan again. */
export const PlanRequestSchema = z.strictObject({
  target: z.string().describe('The target as asked: a minor (1.18) or a full version (v1.18.10)'),
  lastTag: tagName.nullable().describe('--tag: the Kubespray tag of the last hop'),
  canary: count,
  batch: z.string().nullable().describe('--batch N or P%'),
  maxUnavailable: z.union([z.number().int().positive(), z.string()]).describe('--max-unavailable N or P%'),
  zoneSpread: z.boolean(),
});

/** Fingerprints of everything the plan was made from: apply --plan refuses a plan whose inputs changed, and says which. */
export const PlanInputsSchema = z.strictObject({
  model: sha256.describe('The normalized cluster model'),
  lock: sha256.nullable().describe('kspray.lock.yaml, or null when there is none'),
  catalog: sha256.describe('The catalog snapshot the tags and commits came from'),
  kspray: z.string().describe('The kspray version that planned'),
  waves: z.strictObject({
    source: z.enum(['live', 'recorded']).describe('live: planned from the cluster as read; recorded: the waves of the plan being resumed'),
    server: z.string().nullable(),
    facts: sha256.nullable().describe('The nodes, pods and budgets the waves were planned from'),
  }).nullable().describe('Where the worker waves came from; null when there are none'),
});

export const PlanDocumentSchema = z.strictObject({
  planVersion: z.literal(PLAN_VERSION),
  generatedBy: z.string(),
  cluster: z.strictObject({ name: z.string(), file: z.string() }),
  from: z.strictObject({ version, tag: tagName.nullable() }),
  to: z.strictObject({ version, minor: z.string() }),
  request: PlanRequestSchema,
  inputs: PlanInputsSchema,
  /** The normalized cluster model the plan was made from: what apply --plan compares to say what changed. */
  model: z.record(z.string(), z.unknown()).describe('The normalized cluster model (secrets stay references)'),
  catalog: z.strictObject({ source: z.enum(['bundled', 'refreshed', 'memory']), path: z.string().nullable() }),
  settings: z.strictObject({ forks: z.number().int().positive(), ansible: z.enum(['system', 'venv']) }),
  /** The directories paths in the plan are under: identity compares paths relative to them, so a plan moves between machines. */
  paths: z.strictObject({ state: z.string(), cache: z.string(), kspray: z.string() }),
  workerStrategy: z.strictObject({ kind: z.enum(['kubespray-serial', 'fixed-batches', 'waves']), note: z.string() }),
  hops: z.array(PlanHopSchema).min(1),
  /** A plan made before gates existed reads as one without gates. */
  gates: z.array(PlanGateSchema).default([]).describe('Health gates between worker waves (upgrade.gates of the cluster file)'),
  warnings: z.array(z.string()),
}).describe('kspray upgrade plan');

/** The plan's JSON Schema (draft 2020-12), from the schema it is read with. */
export function planJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PlanDocumentSchema) as Record<string, unknown>;
}

/** Parses a plan document; the problems, each with its path, when it is not one. */
export function parsePlanDocument(data: unknown): { ok: true; plan: PlanDocument } | { ok: false; problems: string[] } {
  const parsed = PlanDocumentSchema.safeParse(data);
  if (parsed.success) return { ok: true, plan: parsed.data };
  return { ok: false, problems: parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`) };
}
