/**
 * One plan identity, used wherever kspray asks "is this the same plan?":
 * `apply --plan FILE` (the file against kspray's own plan of today), a resumed
 * apply (the journal's recorded plan against a plan made again), `--dry-run`
 * and the journal's planId. Two plans are the same when they were asked the
 * same, from the same inputs (model, lock file, catalog, kspray), and would
 * run the same steps on the same hosts. Observations that do not change what
 * runs (the local Ansible, findings, the downloads counted, warnings, where
 * the operator's cluster file path was typed) are left out, and paths count relative to the state,
 * cache and kspray directories, so a plan made in one CI job is the same plan
 * in the next job on another runner.
 *
 * planDifferences says, in the operator's words, what makes two plans differ:
 * a node added, a setting changed, a tag moved, another catalog, an edited
 * step. Pure.
 */
import { canonicalJson, sha256Of } from '../util/canonical-json.js';
import { isWorkerStep } from './step-kinds.js';
import type { PlanDocument, PlanHop, PlanStep } from './types.js';

export function planIdentity(plan: PlanDocument): unknown {
  const relocate = relocator(plan.paths);
  return {
    planVersion: plan.planVersion,
    cluster: plan.cluster.name,
    from: plan.from,
    to: plan.to,
    request: plan.request,
    inputs: { model: plan.inputs.model, lock: plan.inputs.lock, catalog: plan.inputs.catalog, kspray: plan.inputs.kspray },
    settings: plan.settings,
    workerStrategy: plan.workerStrategy.kind,
    hops: plan.hops.map((hop) => relocate(hopIdentity(hop))),
    // Only when there are gates: a plan without them keeps the identity (and planId) it had before gates existed.
    ...(plan.gates.length > 0 ? { gates: relocate(plan.gates) } : {}),
  };
}

/** `sha256:<hex>` of the plan's identity: the journal's planId, the id reports and dry runs show. */
export function planId(plan: PlanDocument): string {
  return sha256Of(planIdentity(plan));
}

export function samePlan(a: PlanDocument, b: PlanDocument): boolean {
  return canonicalJson(planIdentity(a)) === canonicalJson(planIdentity(b));
}

function hopIdentity(hop: PlanHop): unknown {
  const { findings: _findings, artifacts: _artifacts, ansible, ...rest } = hop;
  const { local: _local, ...requirement } = ansible;
  return { ...rest, ansible: requirement };
}

/** Replaces the plan's own directories in every string with placeholders. */
function relocator(paths: PlanDocument['paths']): <T>(value: T) => T {
  const pairs = ([[paths.state, '$STATE'], [paths.cache, '$CACHE'], [paths.kspray, '$KSPRAY']] as const)
    .filter(([dir]) => dir.length > 1)
    .sort(([a], [b]) => b.length - a.length);
  const swap = (text: string): string => pairs.reduce((out, [dir, token]) => out.split(dir).join(token), text);
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return swap(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return <T>(value: T) => walk(value) as T;
}

/**
 * What makes `recorded` (a plan file, or the journal's plan) differ from
 * `fresh` (kspray's own plan of the same request today), most telling first.
 * Empty when they are the same plan.
 */
export function planDifferences(recorded: PlanDocument, fresh: PlanDocument): string[] {
  if (samePlan(recorded, fresh)) return [];
  const out: string[] = [];
  if (recorded.cluster.name !== fresh.cluster.name) out.push(`it is a plan for cluster ${recorded.cluster.name}, not ${fresh.cluster.name}`);
  if (recorded.inputs.kspray !== fresh.inputs.kspray) out.push(`it was made by kspray ${recorded.inputs.kspray}; this is kspray ${fresh.inputs.kspray}`);
  if (recorded.inputs.catalog !== fresh.inputs.catalog) out.push(`it was made with another Kubespray catalog (${short(recorded.inputs.catalog)}; today ${fresh.catalog.source} ${short(fresh.inputs.catalog)}): a refresh, or a moved tag`);
  if (recorded.inputs.lock !== fresh.inputs.lock) {
    out.push(recorded.inputs.lock === null ? 'kspray.lock.yaml was added since' : fresh.inputs.lock === null ? 'kspray.lock.yaml was removed since' : 'kspray.lock.yaml changed since');
  }
  if (recorded.inputs.model !== fresh.inputs.model) out.push(...modelDifferences(recorded.model, fresh.model).map((line) => `cluster file: ${line}`));
  out.push(...requestDifferences(recorded, fresh));
  if (recorded.workerStrategy.kind !== fresh.workerStrategy.kind) {
    out.push(`the workers were planned as ${recorded.workerStrategy.kind}, today as ${fresh.workerStrategy.kind} (${fresh.workerStrategy.note})`);
  } else if (canonicalJson(waves(recorded)) !== canonicalJson(waves(fresh))) {
    out.push(`the worker waves differ (planned ${describeWaves(waves(recorded))}; today ${describeWaves(waves(fresh))}): the cluster's nodes, pods or budgets changed since the plan was made`);
  }
  if (out.length === 0 && canonicalJson(recorded.gates) !== canonicalJson(fresh.gates)) {
    out.push(`the health gates differ (planned: ${recorded.gates.map((g) => g.name).join(', ') || 'none'}; today: ${fresh.gates.map((g) => g.name).join(', ') || 'none'})`);
  }
  if (out.length === 0) out.push(...stepDifferences(recorded, fresh));
  return out.length > 0 ? out : ['the plan differs from what kspray plans for the same request (the file was edited)'];
}

function requestDifferences(recorded: PlanDocument, fresh: PlanDocument): string[] {
  const out: string[] = [];
  if (recorded.from.version !== fresh.from.version || recorded.from.tag !== fresh.from.tag) {
    out.push(`it starts at ${recorded.from.version} (Kubespray ${recorded.from.tag ?? 'unknown'}); the cluster is at ${fresh.from.version} (Kubespray ${fresh.from.tag ?? 'unknown'})`);
  }
  for (const [key, a] of Object.entries(recorded.request)) {
    const b = (fresh.request as Record<string, unknown>)[key];
    if (canonicalJson(a) !== canonicalJson(b)) out.push(`request ${key}: ${JSON.stringify(a)} in the plan, ${JSON.stringify(b)} now`);
  }
  return out;
}

function stepDifferences(recorded: PlanDocument, fresh: PlanDocument): string[] {
  const relocateA = relocator(recorded.paths);
  const relocateB = relocator(fresh.paths);
  const freshSteps = new Map(fresh.hops.flatMap((hop) => hop.steps).map((step) => [step.id, step]));
  const out: string[] = [];
  for (const hop of recorded.hops) {
    const other = fresh.hops.find((candidate) => candidate.index === hop.index);
    if (!other) {
      out.push(`hop ${hop.index} is not in kspray's plan`);
      continue;
    }
    if (canonicalJson(relocateA(hopIdentity({ ...hop, steps: [] }))) !== canonicalJson(relocateB(hopIdentity({ ...other, steps: [] })))) {
      out.push(`hop ${hop.index} (${hop.tag}) differs from kspray's plan (tag, commit, versions, Ansible or paths)`);
    }
    for (const step of hop.steps) {
      const mine = freshSteps.get(step.id);
      if (!mine) out.push(`step ${step.id} is not in kspray's plan`);
      else if (canonicalJson(relocateA(step)) !== canonicalJson(relocateB(mine))) out.push(`step ${step.id} differs from kspray's plan (${changedFields(relocateA(step), relocateB(mine)).join(', ')})`);
    }
  }
  if (fresh.hops.length > recorded.hops.length) out.push(`kspray plans ${fresh.hops.length} hops; the plan has ${recorded.hops.length}`);
  return out;
}

function changedFields(a: PlanStep, b: PlanStep): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((key) => canonicalJson((a as Record<string, unknown>)[key]) !== canonicalJson((b as Record<string, unknown>)[key]));
}

function waves(plan: PlanDocument): string[][][] {
  return plan.hops.map((hop) => hop.steps.filter(isWorkerStep).map((step) => step.hosts));
}

function describeWaves(byHop: string[][][]): string {
  const first = byHop[0] ?? [];
  return `${first.length} batch${first.length === 1 ? '' : 'es'}: ${first.map((wave) => `[${wave.join(',')}]`).join(' ')}`;
}

function short(hash: string): string {
  return hash.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * The model's differences as an operator says them: nodes added, removed or
 * changed (by name), and every other setting by its path.
 */
export function modelDifferences(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const out: string[] = [];
  const nodesOf = (model: Record<string, unknown>): Map<string, unknown> =>
    new Map(((model.nodes as Array<{ name: string }> | undefined) ?? []).map((node) => [node.name, node]));
  const a = nodesOf(before);
  const b = nodesOf(after);
  for (const name of b.keys()) if (!a.has(name)) out.push(`node ${name} added`);
  for (const name of a.keys()) if (!b.has(name)) out.push(`node ${name} removed`);
  for (const [name, node] of a) {
    const other = b.get(name);
    if (other !== undefined) out.push(...leafDifferences(node, other, `nodes[${name}]`));
  }
  const rest = (model: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(model).filter(([key]) => key !== 'nodes'));
  out.push(...leafDifferences(rest(before), rest(after), ''));
  return out;
}

function leafDifferences(a: unknown, b: unknown, path: string): string[] {
  const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
  if (isMap(a) && isMap(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => leafDifferences(a[key], b[key], path ? `${path}.${key}` : key));
  }
  if (canonicalJson(a) === canonicalJson(b)) return [];
  if (a === undefined) return [`${path} set to ${display(b)}`];
  if (b === undefined) return [`${path} removed (was ${display(a)})`];
  return [`${path} changed from ${display(a)} to ${display(b)}`];
}

function display(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
