import { describe, expect, it } from 'vitest';
import type { PlanDocument, PlanStep } from '../plan/types.js';
import { selectSteps, type StepState } from './select-steps.js';

const kinds: PlanStep['kind'][] = ['facts', 'control-plane', 'canary', 'workers', 'verify'];
const plan = {
  hops: [1, 2].map((index) => ({
    index,
    steps: kinds.map((kind) => ({ id: `hop${index}:${kind}`, kind, hop: index }) as PlanStep),
  })),
} as unknown as PlanDocument;
const states = (done: string[]): ((id: string) => StepState | undefined) => (id) => (done.includes(id) ? 'succeeded' : undefined);
const ids = (selection: { steps: PlanStep[] }) => selection.steps.map((s) => s.id);

describe('selectSteps', () => {
  it('resumes at the first unfinished step and runs every later hop', () => {
    const selection = selectSteps(plan, states(['hop1:facts', 'hop1:control-plane']));
    expect(ids(selection)).toEqual(['hop1:canary', 'hop1:workers', 'hop1:verify', ...kinds.map((k) => `hop2:${k}`)]);
    expect(selection.alreadyDone).toEqual(['hop1:facts', 'hop1:control-plane']);
  });

  it('runs nothing when every step is done', () => {
    expect(ids(selectSteps(plan, states(plan.hops.flatMap((h) => h.steps.map((s) => s.id)))))).toEqual([]);
  });

  it('--masters-only: facts and control plane of the current hop; --workers-only: the rest of it', () => {
    expect(ids(selectSteps(plan, states([]), { mastersOnly: true }))).toEqual(['hop1:facts', 'hop1:control-plane']);
    expect(ids(selectSteps(plan, states(['hop1:facts', 'hop1:control-plane']), { workersOnly: true }))).toEqual(['hop1:canary', 'hop1:workers', 'hop1:verify']);
  });

  it('refuses --workers-only before the control plane is done, unless the live cluster shows it upgraded', () => {
    expect(() => selectSteps(plan, states(['hop1:facts']), { workersOnly: true })).toThrow(/--workers-only refused: the control plane of hop 1 is not upgraded yet/);
    expect(ids(selectSteps(plan, states(['hop1:facts']), { workersOnly: true, controlPlaneUpgraded: (hop) => hop === 1 }))).toEqual(['hop1:canary', 'hop1:workers', 'hop1:verify']);
  });

  it('--hop N runs only that hop, and refuses while an earlier hop is unfinished', () => {
    expect(() => selectSteps(plan, states(['hop1:facts']), { hop: 2 })).toThrow(/hop 2 cannot start: hop1:control-plane of an earlier hop is not done/);
    expect(ids(selectSteps(plan, states(kinds.map((k) => `hop1:${k}`)), { hop: 2 }))).toEqual(kinds.map((k) => `hop2:${k}`));
    expect(() => selectSteps(plan, states([]), { hop: 3 })).toThrow(/the plan has no hop 3/);
  });

  it('refuses --masters-only with --workers-only', () => {
    expect(() => selectSteps(plan, states([]), { mastersOnly: true, workersOnly: true })).toThrow(/exclude each other/);
  });
});
