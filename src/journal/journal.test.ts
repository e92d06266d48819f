import { describe, expect, it } from 'vitest';
import {
  adoptPlan, createJournal, failStep, finishRun, finishStep, firstUnfinishedStep, hostStatusOf, interruptRun,
  journalClaim, recordCleanup, recordHopFinished, recordCordon, recordHostResults, recordSkippedCheck, recordUncordon, registerSteps,
  startRun, startStep, stepDurationsByHost, JournalSchema, type Journal,
} from './journal.js';
import { planId } from '../plan/identity.js';
import { testPlan } from '../../test/helpers/plan-doc.js';

const PLAN = testPlan();
const STEPS = [
  { id: 'hop1:facts', hop: 1, kind: 'facts' },
  { id: 'hop1:control-plane', hop: 1, kind: 'control-plane' },
  { id: 'hop1:wave1', hop: 1, kind: 'wave' },
];
const IDS = STEPS.map((step) => step.id);

function started(runId = 'r1', at = '2024-05-01T10:00:00.000Z'): Journal {
  return startRun(registerSteps(createJournal('k1', PLAN), STEPS), { runId, at, pid: 4242, host: 'ops1' });
}

function counts(ok: number, changed: number, failed = 0, unreachable = 0, skipped = 0) {
  return { ok, changed, failed, unreachable, skipped };
}

describe('the journal\'s plan id', () => {
  it('is the plan identity of plan/identity.ts', () => {
    expect(createJournal('k1', PLAN).planId).toBe(planId(PLAN));
    expect(planId(PLAN)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('journalClaim', () => {
  it('says nothing before a hop ran, the hop it is inside, then where the finished hop left the cluster', () => {
    const hop = PLAN.hops[0]!;
    const ids = hop.steps.map((step) => step.id);
    let journal = startRun(registerSteps(createJournal('k1', PLAN), hop.steps.map((s) => ({ id: s.id, hop: 1, kind: s.kind }))), { runId: 'r1', at: '2024-05-01T10:00:00Z', pid: 1, host: 'h' });
    expect(journalClaim(journal, 'j.json')).toEqual({ path: 'j.json', finished: undefined, inHop: undefined });
    journal = finishStep(startStep(journal, ids[0]!, { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'facts' }), ids[0]!, { at: '2024-05-01T10:00:01Z' });
    expect(journalClaim(journal, 'j.json').inHop).toEqual({ index: 1, fromVersion: 'v1.16.3', fromTag: 'v2.12.10', toVersion: hop.toVersion, tag: hop.tag });
    for (const id of ids.slice(1)) journal = finishStep(startStep(journal, id, { at: '2024-05-01T10:00:02Z', hop: 1, kind: 'x' }), id, { at: '2024-05-01T10:00:03Z' });
    journal = recordHopFinished(journal, { version: hop.toVersion, tag: hop.tag, at: '2024-05-01T10:00:04Z' });
    expect(journalClaim(journal, 'j.json')).toEqual({ path: 'j.json', finished: { version: hop.toVersion, tag: hop.tag, at: '2024-05-01T10:00:04.000Z' }, inHop: undefined });
    expect(JournalSchema.parse(journal)).toEqual(journal);
  });
});

describe('transitions', () => {
  it('registers steps as pending in plan order and opens a run', () => {
    const journal = started();

    expect(journal.stepOrder).toEqual(IDS);
    expect(Object.values(journal.steps).map((step) => step.status)).toEqual(['pending', 'pending', 'pending']);
    expect(journal.runId).toBe('r1');
    expect(journal.runs).toEqual([{ runId: 'r1', startedAt: '2024-05-01T10:00:00.000Z', status: 'running', pid: 4242, host: 'ops1', flags: { skippedChecks: [] } }]);
    expect(JournalSchema.parse(journal)).toEqual(journal);
  });

  it('never changes its input', () => {
    const before = started();
    const snapshot = structuredClone(before);

    startStep(before, 'hop1:facts', { at: '2024-05-01T10:00:01Z', hop: 1, kind: 'facts' });
    recordCordon(before, 'node3');

    expect(before).toEqual(snapshot);
  });

  it('runs a step to success with duration, attempts and host results', () => {
    let journal = startStep(started(), 'hop1:facts', { at: '2024-05-01T10:00:01Z', hop: 1, kind: 'facts', logPath: 'logs/r1/hop1-facts.log' });
    journal = recordHostResults(journal, 'hop1:facts', { node1: { ...counts(5, 1), durationMs: 1200 }, node2: counts(0, 0, 0, 0, 4) });
    journal = finishStep(journal, 'hop1:facts', { at: '2024-05-01T10:00:31.500Z' });

    const step = journal.steps['hop1:facts']!;
    expect(step.status).toBe('succeeded');
    expect(step.durationMs).toBe(30_500);
    expect(step.attempts).toBe(1);
    expect(step.runId).toBe('r1');
    expect(step.logPath).toBe('logs/r1/hop1-facts.log');
    expect(step.hosts.node1).toEqual({ ...counts(5, 1), durationMs: 1200, status: 'changed' });
    expect(step.hosts.node2?.status).toBe('skipped');
    expect(step.failedHosts).toEqual([]);
  });

  it('keeps only the fields it knows from recap counts', () => {
    const recap = { node1: { ok: 4, changed: 1, failed: 0, unreachable: 0, skipped: 2, rescued: 1, ignored: 0, extra: 'x' } };
    const journal = recordHostResults(startStep(started(), 'hop1:facts', { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'facts' }), 'hop1:facts', recap);

    expect(journal.steps['hop1:facts']?.hosts.node1).toEqual({ ok: 4, changed: 1, failed: 0, unreachable: 0, skipped: 2, rescued: 1, ignored: 0, status: 'changed' });
  });

  it('collects failed and unreachable hosts on a failed step', () => {
    let journal = startStep(started(), 'hop1:wave1', { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'wave' });
    journal = recordHostResults(journal, 'hop1:wave1', { node3: counts(10, 2, 1), node4: counts(0, 0, 0, 1), node5: counts(12, 3) });
    journal = failStep(journal, 'hop1:wave1', { at: '2024-05-01T10:05:00Z', message: 'ansible-playbook exited with code 2', failedHosts: ['node3', 'node6'] });

    const step = journal.steps['hop1:wave1']!;
    expect(step.status).toBe('failed');
    expect(step.failedHosts).toEqual(['node3', 'node4', 'node6']);
    expect(step.message).toBe('ansible-playbook exited with code 2');
    expect(step.durationMs).toBe(300_000);
  });

  it('counts attempts and starts each attempt with fresh host results', () => {
    let journal = startStep(started(), 'hop1:wave1', { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'wave' });
    journal = recordHostResults(journal, 'hop1:wave1', { node3: counts(1, 0, 1) });
    journal = failStep(journal, 'hop1:wave1', { at: '2024-05-01T10:01:00Z', message: 'failed' });
    journal = startStep(journal, 'hop1:wave1', { at: '2024-05-01T10:02:00Z', hop: 1, kind: 'wave' });

    const step = journal.steps['hop1:wave1']!;
    expect(step.attempts).toBe(2);
    expect(step.status).toBe('running');
    expect(step.hosts).toEqual({});
    expect(step.failedHosts).toEqual([]);
    expect(step.message).toBeUndefined();
  });

  it('refuses to finish a step that is not running', () => {
    expect(() => finishStep(started(), 'hop1:facts', { at: '2024-05-01T10:00:00Z' })).toThrow(/pending, not running/);
    expect(() => recordHostResults(started(), 'nope', {})).toThrow(/never started/);
    expect(() => startStep(createJournal('k1', PLAN), 'hop1:facts', { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'facts' })).toThrow(/no run started/);
  });

  it('records an interruption on the run and its running step', () => {
    let journal = startStep(started(), 'hop1:control-plane', { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'control-plane' });
    journal = interruptRun(journal, { at: '2024-05-01T10:00:20Z', signal: 'SIGINT' });

    expect(journal.runs[0]).toMatchObject({ status: 'interrupted', endedAt: '2024-05-01T10:00:20.000Z' });
    expect(journal.steps['hop1:control-plane']).toMatchObject({ status: 'interrupted', durationMs: 20_000 });
    expect(journal.interruption).toEqual({ at: '2024-05-01T10:00:20.000Z', signal: 'SIGINT', step: 'hop1:control-plane' });
  });

  it('marks a run that died unrecorded as interrupted when the next run starts', () => {
    const crashed = startStep(started('r1'), 'hop1:facts', { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'facts' });

    const next = startRun(crashed, { runId: 'r2', at: '2024-05-01T11:00:00Z', pid: 99, host: 'ops1', flags: { skippedChecks: [{ id: 'pdb', reason: 'known' }] } });

    expect(next.runs.map((run) => [run.runId, run.status])).toEqual([['r1', 'interrupted'], ['r2', 'running']]);
    expect(next.steps['hop1:facts']?.status).toBe('interrupted');
    expect(next.runId).toBe('r2');
    expect(next.runs[1]?.flags.skippedChecks).toEqual([{ id: 'pdb', reason: 'known' }]);
    expect(() => startRun(next, { runId: 'r2', at: '2024-05-01T11:00:00Z', pid: 99, host: 'ops1' })).toThrow(/already exists/);
  });

  it('finishes a run and clears nothing else', () => {
    const journal = finishRun(started(), { at: '2024-05-01T12:00:00Z', status: 'stopped-window' });

    expect(journal.runs[0]).toMatchObject({ status: 'stopped-window', endedAt: '2024-05-01T12:00:00.000Z' });
  });

  it('records skipped checks, cordons and cleanups', () => {
    let journal = recordSkippedCheck(started(), { id: 'etcd-quorum', reason: 'single etcd member by design' });
    journal = recordSkippedCheck(journal, { id: 'etcd-quorum', reason: 'updated reason' });
    journal = recordCordon(recordCordon(recordCordon(journal, 'node3'), 'node4'), 'node3');
    journal = recordUncordon(journal, 'node4');
    journal = recordCleanup(journal, { host: 'node1', paths: ['/root/.kube/http-cache'], at: '2024-05-01T10:00:00Z', stepId: 'hop1:control-plane' });

    expect(journal.runs[0]?.flags.skippedChecks).toEqual([{ id: 'etcd-quorum', reason: 'updated reason' }]);
    expect(journal.cordonedByKspray).toEqual(['node3']);
    expect(journal.cleanups).toEqual([{ host: 'node1', paths: ['/root/.kube/http-cache'], at: '2024-05-01T10:00:00.000Z', stepId: 'hop1:control-plane' }]);
  });
});

describe('hostStatusOf', () => {
  it('ranks unreachable over failed over changed over ok, and all-skipped as skipped', () => {
    expect(hostStatusOf(counts(3, 1, 1, 1))).toBe('unreachable');
    expect(hostStatusOf(counts(3, 1, 1))).toBe('failed');
    expect(hostStatusOf(counts(3, 1))).toBe('changed');
    expect(hostStatusOf(counts(3, 0, 0, 0, 2))).toBe('ok');
    expect(hostStatusOf(counts(0, 0, 0, 0, 2))).toBe('skipped');
  });
});

describe('firstUnfinishedStep', () => {
  it('is the first step in plan order that has not succeeded', () => {
    let journal = started();
    expect(firstUnfinishedStep(journal, IDS)).toBe('hop1:facts');

    journal = finishStep(startStep(journal, 'hop1:facts', { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'facts' }), 'hop1:facts', { at: '2024-05-01T10:01:00Z' });
    journal = failStep(startStep(journal, 'hop1:control-plane', { at: '2024-05-01T10:01:00Z', hop: 1, kind: 'control-plane' }), 'hop1:control-plane', { at: '2024-05-01T10:02:00Z', message: 'x' });
    expect(firstUnfinishedStep(journal, IDS)).toBe('hop1:control-plane');

    journal = finishStep(startStep(journal, 'hop1:control-plane', { at: '2024-05-01T10:03:00Z', hop: 1, kind: 'control-plane' }), 'hop1:control-plane', { at: '2024-05-01T10:04:00Z' });
    expect(firstUnfinishedStep(journal, IDS)).toBe('hop1:wave1');
    expect(firstUnfinishedStep(journal, [...IDS, 'hop2:facts'])).toBe('hop1:wave1');

    journal = finishStep(startStep(journal, 'hop1:wave1', { at: '2024-05-01T10:05:00Z', hop: 1, kind: 'wave' }), 'hop1:wave1', { at: '2024-05-01T10:06:00Z' });
    expect(firstUnfinishedStep(journal, IDS)).toBeUndefined();
    expect(firstUnfinishedStep(journal, [...IDS, 'hop2:facts'])).toBe('hop2:facts');
  });

  it('follows the order it is given, not the journal key order', () => {
    const journal = finishStep(startStep(started(), 'hop1:wave1', { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'wave' }), 'hop1:wave1', { at: '2024-05-01T10:00:01Z' });

    expect(firstUnfinishedStep(journal, ['hop1:wave1', 'hop1:control-plane', 'hop1:facts'])).toBe('hop1:control-plane');
  });
});

describe('adoptPlan', () => {
  it('keeps the journal for the same plan and starts over for another, keeping cordons and history', () => {
    let journal = recordCordon(started(), 'node3');
    journal = finishStep(startStep(journal, 'hop1:facts', { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'facts' }), 'hop1:facts', { at: '2024-05-01T10:00:01Z' });
    journal = interruptRun(journal, { at: '2024-05-01T10:00:02Z', signal: 'SIGTERM' });

    expect(adoptPlan(journal, 'k1', structuredClone(PLAN))).toBe(journal);
    const other = adoptPlan(journal, 'k1', testPlan({ to: '1.18' }));
    expect(other.planId).not.toBe(journal.planId);
    expect(other.steps).toEqual({});
    expect(other.interruption).toBeUndefined();
    expect(other.cordonedByKspray).toEqual(['node3']);
    expect(other.runs).toEqual(journal.runs);
    expect(adoptPlan(undefined, 'k1', PLAN).planId).toBe(planId(PLAN));
  });
});

describe('stepDurationsByHost', () => {
  it('gives each host its own duration, else the step duration, and leaves out failed hosts and unfinished steps', () => {
    let journal = startStep(started(), 'hop1:control-plane', { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'control-plane' });
    journal = recordHostResults(journal, 'hop1:control-plane', { node1: { ...counts(40, 9), durationMs: 250_000 }, node2: counts(40, 9) });
    journal = finishStep(journal, 'hop1:control-plane', { at: '2024-05-01T10:10:00Z' });
    journal = startStep(journal, 'hop1:wave1', { at: '2024-05-01T10:10:00Z', hop: 1, kind: 'wave' });
    journal = recordHostResults(journal, 'hop1:wave1', { node3: counts(20, 5), node4: counts(3, 0, 1) });
    journal = finishStep(journal, 'hop1:wave1', { at: '2024-05-01T10:15:00Z' });
    journal = startStep(journal, 'hop1:facts', { at: '2024-05-01T10:15:00Z', hop: 1, kind: 'facts' });
    journal = recordHostResults(journal, 'hop1:facts', { node1: counts(1, 0) });

    expect(stepDurationsByHost(journal)).toEqual({
      node1: [{ stepId: 'hop1:control-plane', hop: 1, kind: 'control-plane', durationMs: 250_000 }],
      node2: [{ stepId: 'hop1:control-plane', hop: 1, kind: 'control-plane', durationMs: 600_000 }],
      node3: [{ stepId: 'hop1:wave1', hop: 1, kind: 'wave', durationMs: 300_000 }],
    });
  });
});
