import { describe, expect, it } from 'vitest';
import {
  createJournal, failStep, finishStep, recordCordon, recordHostResults, registerSteps, startRun, startStep, type Journal,
} from '../journal/journal.js';
import type { PlanDocument, PlanHop, PlanStep } from '../plan/types.js';
import { UsageError } from '../util/errors.js';
import { decideRecovery, findFailedStep, formatDecision, parseKubeletVersion, type RecoverInput } from './decide.js';
import { parseExtraVars, parseHostResult } from './node-playbook.js';
import { testPlan } from '../../test/helpers/plan-doc.js';

const NODES = [
  { name: 'm1', roles: ['control-plane' as const, 'etcd' as const] },
  { name: 'm2', roles: ['control-plane' as const, 'etcd' as const] },
  { name: 'w1', roles: ['worker' as const] },
  { name: 'w2', roles: ['worker' as const] },
  { name: 'w3', roles: ['worker' as const] },
];

function step(id: string, kind: PlanStep['kind'], hosts: string[]): PlanStep {
  return { id, kind, hop: 1, kubesprayTag: 'v2.13.4', title: id, limit: null, hosts, argv: [], inventory: 'inv', cwd: '.', serial: null };
}

const HOP = {
  index: 1, tag: 'v2.13.4', fromVersion: 'v1.16.3', toVersion: 'v1.17.12',
  steps: [step('hop1:control-plane', 'control-plane', ['m1', 'm2']), step('hop1:canary', 'canary', ['w1']), step('hop1:workers-1', 'workers', ['w2', 'w3'])],
} as unknown as PlanHop;
const PLAN = { hops: [HOP] } as unknown as PlanDocument;

/** A journal where the workers step failed on w2 (and kspray recorded w2 as cordoned). */
function failedOnW2(): Journal {
  // decide.ts reads only the hops: a real plan's journal, with this small plan in it.
  let journal = registerSteps({ ...createJournal('k1', testPlan()), plan: PLAN }, HOP.steps.map((s) => ({ id: s.id, hop: 1, kind: s.kind })));
  journal = startRun(journal, { runId: 'r1', at: '2024-05-04T01:00:00Z', pid: 1, host: 'ops' });
  for (const id of ['hop1:control-plane', 'hop1:canary']) {
    journal = finishStep(startStep(journal, id, { at: '2024-05-04T01:00:00Z', hop: 1, kind: 'x' }), id, { at: '2024-05-04T01:10:00Z' });
  }
  journal = startStep(journal, 'hop1:workers-1', { at: '2024-05-04T01:10:00Z', hop: 1, kind: 'workers' });
  journal = recordHostResults(journal, 'hop1:workers-1', { w2: { ok: 3, changed: 1, failed: 1, unreachable: 0, skipped: 0 } });
  journal = failStep(journal, 'hop1:workers-1', { at: '2024-05-04T01:20:00Z', message: 'failed on w2', failedHosts: ['w2'] });
  return recordCordon(journal, 'w2');
}

function input(journal: Journal, hosts: Record<string, string | null>, cordoned: boolean | null, extra: Partial<RecoverInput> = {}): RecoverInput {
  return {
    node: 'w2', nodes: NODES, journal, failed: findFailedStep(journal, PLAN, 'w2'),
    observed: { hosts: Object.fromEntries(Object.entries(hosts).map(([name, kubeletVersion]) => [name, { kubeletVersion }])), cordoned },
    ...extra,
  };
}

describe('findFailedStep', () => {
  it('finds the failed node-upgrade step that names the node, with its hop', () => {
    expect(findFailedStep(failedOnW2(), PLAN, 'w2')).toMatchObject({ stepId: 'hop1:workers-1', kind: 'workers', status: 'failed', hop: { index: 1 } });
  });

  it('refuses a node no failed step touched', () => {
    expect(() => findFailedStep(failedOnW2(), PLAN, 'w1')).toThrow(UsageError);
    expect(() => findFailedStep(failedOnW2(), PLAN, 'w1')).toThrow(/no failed or interrupted upgrade step on w1/);
  });
});

describe('decideRecovery', () => {
  it('copies the old kubelet from a same-role peer still at the hop\'s from version, restarts, uncordons what kspray cordoned', () => {
    const verdict = decideRecovery(input(failedOnW2(), { w2: 'v1.17.12', w1: 'v1.17.12', w3: 'v1.16.3', m1: 'v1.16.3' }, true));
    expect(verdict).toMatchObject({ ok: true, decision: { copyFrom: 'w3', restart: true, uncordon: true, forgetCordon: true, fromVersion: 'v1.16.3' } });
    const text = verdict.ok ? formatDecision(verdict.decision) : '';
    expect(text).toMatch(/copy the v1\.16\.3 kubelet from w3 to w2/);
    expect(text).toMatch(/uncordon w2/);
  });

  it('leaves a cordon kspray did not make, and says why', () => {
    const journal = { ...failedOnW2(), cordonedByKspray: [] };
    const verdict = decideRecovery(input(journal, { w2: 'v1.17.12', w3: 'v1.16.3' }, true));
    expect(verdict).toMatchObject({ ok: true, decision: { copyFrom: 'w3', uncordon: false, forgetCordon: false } });
    expect(verdict.ok && verdict.decision.notes.join('\n')).toMatch(/w2 is cordoned, but kspray did not cordon it .* it stays cordoned/);
  });

  it('falls back to another role, never to a node that failed or is at the new version', () => {
    const verdict = decideRecovery(input(failedOnW2(), { w2: 'v1.17.12', w1: 'v1.17.12', w3: null, m1: 'v1.17.12', m2: 'v1.16.3' }, true));
    expect(verdict).toMatchObject({ ok: true, decision: { copyFrom: 'm2' } });
    expect(verdict.ok && verdict.decision.notes.join('\n')).toMatch(/no node of w2's role is still at v1\.16\.3: copying from m2/);
    const none = decideRecovery(input(failedOnW2(), { w2: 'v1.17.12', w1: 'v1.17.12', w3: 'v1.17.12', m1: 'v1.17.12', m2: 'v1.17.12' }, true));
    expect(none).toMatchObject({ ok: false, reason: expect.stringMatching(/no healthy node still runs kubelet v1\.16\.3/) });
  });

  it('skips peers the API shows unready or cordoned, and takes the cordon and the running kubelet from the API', () => {
    const hosts = { w2: 'v1.17.12', w1: 'v1.16.3', w3: 'v1.16.3' };
    expect(decideRecovery(input(failedOnW2(), hosts, null))).toMatchObject({ ok: true, decision: { copyFrom: 'w1' } });
    const base = input(failedOnW2(), hosts, null);
    const api = {
      w1: { ready: true, unschedulable: true, kubeletVersion: 'v1.16.3' },
      w3: { ready: true, unschedulable: false, kubeletVersion: 'v1.16.3' },
      w2: { ready: false, unschedulable: true, kubeletVersion: 'v1.17.12' },
    };
    const withApi = decideRecovery({ ...base, observed: { ...base.observed, api } });
    expect(withApi).toMatchObject({ ok: true, decision: { copyFrom: 'w3', uncordon: true, state: { cordoned: true, runningKubelet: 'v1.17.12' } } });
  });

  it('does not copy when the kubelet is already the old one, and only forgets a cordon someone already lifted', () => {
    const verdict = decideRecovery(input(failedOnW2(), { w2: 'v1.16.3' }, false));
    expect(verdict).toMatchObject({ ok: true, decision: { copyFrom: null, restart: false, uncordon: false, forgetCordon: true } });
  });

  it('refuses a kubelet that is neither the hop\'s from nor its to version, and a --peer at the wrong version', () => {
    expect(decideRecovery(input(failedOnW2(), { w2: 'v1.15.0', w3: 'v1.16.3' }, true))).toMatchObject({ ok: false, reason: expect.stringMatching(/kspray will not guess/) });
    expect(decideRecovery(input(failedOnW2(), { w2: 'v1.17.12', w1: 'v1.17.12' }, true, { peer: 'w1' }))).toMatchObject({ ok: false, reason: '--peer w1 has kubelet v1.17.12, not v1.16.3' });
  });
});

describe('parsing what the node printed', () => {
  it('reads kubelet --version and bare versions', () => {
    expect(parseKubeletVersion('Kubernetes v1.17.12\n')).toBe('v1.17.12');
    expect(parseKubeletVersion('v1.16.3')).toBe('v1.16.3');
    expect(parseKubeletVersion('command not found')).toBeUndefined();
  });

  it('reads a result file leniently: kubectl prints "true" or nothing', () => {
    expect(parseHostResult({ kubelet: { rc: 0, stdout: 'Kubernetes v1.17.12', stderr: '' }, cordoned: { rc: 0, stdout: 'true', stderr: '' } }))
      .toEqual({ kubeletVersion: 'v1.17.12', cordoned: true });
    expect(parseHostResult({ kubelet: { rc: 0, stdout: 'v1.16.3' }, cordoned: { rc: 0, stdout: '' } })).toEqual({ kubeletVersion: 'v1.16.3', cordoned: false });
    expect(parseHostResult({ kubelet: { rc: 2, stdout: '', stderr: 'No such file\nmore' }, cordoned: null }))
      .toEqual({ kubeletVersion: null, kubeletError: 'No such file' });
    expect(parseHostResult({ kubelet: { rc: 0, stdout: 'v1.16.3' }, cordoned: { rc: 1, stdout: '', stderr: 'forbidden' } }))
      .toEqual({ kubeletVersion: 'v1.16.3', cordoned: null, cordonError: 'forbidden' });
  });

  it('takes -e as ansible-playbook does, but not kspray\'s own control variables', () => {
    expect(parseExtraVars(['@vars.yml', 'kspray_kubelet_path=/opt/bin/kubelet'])).toEqual({ files: ['vars.yml'], vars: { kspray_kubelet_path: '/opt/bin/kubelet' } });
    expect(() => parseExtraVars(['kspray_node=other'])).toThrow(/kspray sets these itself/);
    expect(() => parseExtraVars(['not a var'])).toThrow(UsageError);
  });
});
