import { describe, expect, it } from 'vitest';
import {
  createJournal, failStep, finishStep, interruptRun, recordCordon, recordHostResults, registerSteps, startRun, startStep,
  type Journal,
} from './journal.js';
import { formatStatus, summarizeStatus } from './status.js';
import { testPlan } from '../../test/helpers/plan-doc.js';

const STEPS = [
  { id: 'hop1:facts', hop: 1, kind: 'facts' },
  { id: 'hop1:control-plane', hop: 1, kind: 'control-plane' },
  { id: 'hop1:wave1', hop: 1, kind: 'wave' },
  { id: 'hop2:facts', hop: 2, kind: 'facts' },
];
const HOLDER = { groups: [], pid: 1, host: 'ops1', startedAt: '2024-05-01T10:00:00.000Z', runId: 'r1', command: 'kspray apply' };

function ran(): Journal {
  let journal = startRun(registerSteps(createJournal('k1', testPlan()), STEPS), { runId: 'r1', at: '2024-05-01T10:00:00Z', pid: 7, host: 'ops1', flags: { skippedChecks: [{ id: 'pdb', reason: 'accepted' }] } });
  journal = finishStep(startStep(journal, 'hop1:facts', { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'facts' }), 'hop1:facts', { at: '2024-05-01T10:01:00Z' });
  journal = startStep(journal, 'hop1:control-plane', { at: '2024-05-01T10:01:00Z', hop: 1, kind: 'control-plane', logPath: '/logs/cp.log' });
  return journal;
}

describe('summarizeStatus', () => {
  it('shows the running step, progress and where a resume would start', () => {
    const summary = summarizeStatus(ran());

    expect(summary).toMatchObject({
      cluster: 'k1', runId: 'r1', runStatus: 'running', currentHop: 1,
      currentStep: { id: 'hop1:control-plane', status: 'running', logPath: '/logs/cp.log' },
      steps: { done: 1, total: 4, failed: 0, interrupted: 0, running: 1, pending: 2 },
      failedStep: null, interruption: null, resumeAt: 'hop1:control-plane', runDiedUnrecorded: null,
      skippedChecks: [{ id: 'pdb', reason: 'accepted' }],
    });
  });

  it('names the failed step, its failed hosts and its log', () => {
    let journal = recordHostResults(ran(), 'hop1:control-plane', { node2: { ok: 3, changed: 0, failed: 1, unreachable: 0, skipped: 0 } });
    journal = failStep(journal, 'hop1:control-plane', { at: '2024-05-01T10:02:00Z', message: 'ansible-playbook exited with code 2\nmore' });
    journal = recordCordon(journal, 'node2');

    const summary = summarizeStatus(journal);
    const text = formatStatus(summary);

    expect(summary.failedStep).toMatchObject({ id: 'hop1:control-plane', failedHosts: ['node2'], logPath: '/logs/cp.log' });
    expect(summary.currentStep?.id).toBe('hop1:control-plane');
    expect(text).toContain('failed step: hop1:control-plane (hop 1, control-plane)');
    expect(text).toContain('failed hosts: node2');
    expect(text).toContain('log: /logs/cp.log');
    expect(text).toContain('ansible-playbook exited with code 2\n');
    expect(text).not.toContain('more');
    expect(text).toContain('cordoned by kspray: node2');
    expect(text).toContain('next apply resumes at hop1:control-plane');
  });

  it('reports an interruption', () => {
    const summary = summarizeStatus(interruptRun(ran(), { at: '2024-05-01T10:01:30Z', signal: 'SIGINT' }));

    expect(summary.runStatus).toBe('interrupted');
    expect(summary.interruption).toEqual({ at: '2024-05-01T10:01:30.000Z', signal: 'SIGINT', step: 'hop1:control-plane' });
    expect(formatStatus(summary)).toContain('interrupted by SIGINT at 2024-05-01T10:01:30.000Z during hop1:control-plane');
  });

  it('tells a run that died unrecorded from one that is alive, by the lock', () => {
    expect(summarizeStatus(ran(), undefined, { lock: { state: 'held', holder: HOLDER } }).runDiedUnrecorded).toBe(false);
    expect(summarizeStatus(ran(), undefined, { lock: { state: 'stale', holder: HOLDER, why: 'pid 7 no longer runs' } }).runDiedUnrecorded).toBe(true);
    const orphaned = summarizeStatus(ran(), undefined, { lock: { state: 'orphaned', holder: HOLDER, orphans: [{ pid: 99, pgid: 98, command: 'ansible-playbook upgrade-cluster.yml' }] } });
    expect(orphaned).toMatchObject({ runDiedUnrecorded: true, needsBreakLock: false, orphans: [{ pid: 99, pgid: 98, command: 'ansible-playbook upgrade-cluster.yml' }] });
    expect(formatStatus(orphaned)).toContain('what it started still runs: pid 99 (ansible-playbook upgrade-cluster.yml); the next apply waits for it (stop it with kill -INT -- -98)');
    expect(summarizeStatus(ran(), undefined, { lock: { state: 'free' } }).runDiedUnrecorded).toBe(true);
    expect(summarizeStatus(ran(), undefined, { lock: { state: 'other-host', holder: HOLDER } })).toMatchObject({ runDiedUnrecorded: null, needsBreakLock: true });
    expect(formatStatus(summarizeStatus(ran(), undefined, { lock: { state: 'free' } }))).toContain('that run died');
  });

  it('counts steps of a given plan order that the journal has not seen as pending', () => {
    const summary = summarizeStatus(ran(), [...STEPS.map((step) => step.id), 'hop2:verify']);

    expect(summary.steps).toMatchObject({ total: 5, pending: 3 });
  });

  it('says so when every step succeeded, and before the first run', () => {
    let journal = finishStep(ran(), 'hop1:control-plane', { at: '2024-05-01T10:02:00Z' });
    for (const step of STEPS.slice(2)) journal = finishStep(startStep(journal, step.id, { at: '2024-05-01T10:03:00Z', ...step }), step.id, { at: '2024-05-01T10:04:00Z' });

    expect(summarizeStatus(journal).resumeAt).toBeNull();
    expect(formatStatus(summarizeStatus(journal))).toContain('every step succeeded');
    expect(formatStatus(summarizeStatus(registerSteps(createJournal('k1', testPlan()), STEPS)))).toContain('cluster k1: no run yet (4 steps planned)');
  });

  it('is plain JSON', () => {
    const summary = summarizeStatus(ran());

    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });
});
