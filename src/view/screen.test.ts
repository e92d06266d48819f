import { describe, expect, it } from 'vitest';
import { createEventBus, type EngineEvent, type EngineEventInput } from '../apply/events.js';
import { lastingLine } from './lines.js';
import { fit, palette, renderBlock, visibleLength } from './screen.js';
import { ViewModel } from './view-model.js';

const T0 = Date.parse('2024-05-04T01:00:00Z');
const hosts = Array.from({ length: 30 }, (_, i) => `k1-node${String(i + 1).padStart(2, '0')}`);

function modelOf(inputs: EngineEventInput[]): ViewModel {
  let clock = T0;
  const bus = createEventBus(() => new Date((clock += 1000)));
  const model = new ViewModel();
  bus.subscribe((event) => model.apply(event));
  for (const input of inputs) bus.emit(input);
  return model;
}

const start: EngineEventInput[] = [
  { type: 'run', phase: 'start', runId: 'r', cluster: 'k1', from: 'v1.16.3', to: 'v1.17.12', planId: 'sha256:x', alreadyDone: [], steps: [
    { id: 'hop1:canary', hop: 1, kind: 'canary', title: 'Upgrade the canary worker', hosts: 1, estimateMs: 60_000 },
    { id: 'hop1:workers-1', hop: 1, kind: 'workers', title: 'Upgrade workers, batch 1 of 1', hosts: 30, estimateMs: 600_000 },
  ] },
  { type: 'hop', phase: 'start', hop: 1, tag: 'v2.13.4', fromVersion: 'v1.16.3', toVersion: 'v1.17.12' },
  { type: 'step', phase: 'start', stepId: 'hop1:workers-1', hop: 1, kind: 'workers', title: 'Upgrade workers, batch 1 of 1', hosts, estimateMs: 600_000, drains: ['Finally handle worker upgrades'] },
  { type: 'play', stepId: 'hop1:workers-1', name: 'Finally handle worker upgrades', batch: 1 },
];
const update = (host: string, status: 'running' | 'failed', extra: Partial<Extract<EngineEvent, { type: 'host' }>> = {}): EngineEventInput => ({
  type: 'host', phase: 'update', stepId: 'hop1:workers-1', host, status, play: 'Finally handle worker upgrades', task: 'Drain node', message: null, retry: null, counts: null, durationMs: null, ...extra,
});

describe('the live block', () => {
  it('pins the step title, counts hosts per state, lists the failed then the running, and fits the height it is given', () => {
    const model = modelOf([
      ...start,
      ...hosts.slice(0, 12).map((host) => update(host, 'running')),
      update('k1-node05', 'failed', { message: 'non-zero return code: evictions refused' }),
    ]);
    const lines = renderBlock(model, { width: 120, height: 8 }, T0 + 31_000);
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^▶ hop1:workers-1  Upgrade workers, batch 1 of 1  \[hop 1 v1\.16\.3→v1\.17\.12 · 30s elapsed, ~\d+m\d\ds left\]$/);
    expect(lines[1]).toBe('  done 0 · running 11 · failed 1 · waiting 18');
    expect(lines[3]).toBe('  ✖ k1-node05  play: Finally handle worker upgrades  task: Drain node: non-zero return code: evictions refused');
    expect(lines[4]).toMatch(/^ {2}• k1-node01 {2}running$/);
    expect(lines[7]).toBe('  … and 8 more (8 running)');
    const listed = lines.join('\n').match(/k1-node\d\d/g)!;
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('keeps a host\'s message to one row of the block, whatever Ansible said (a line break, a colour of the remote command)', () => {
    const model = modelOf([
      ...start,
      update('k1-node05', 'failed', { message: 'MODULE FAILURE\nSee stdout/stderr for the exact error: \u001b[31mboom\u001b[0m\r' }),
    ]);
    const lines = renderBlock(model, { width: 200, height: 8 }, T0 + 31_000);
    expect(lines[3]).toBe('  ✖ k1-node05  play: Finally handle worker upgrades  task: Drain node: MODULE FAILURE See stdout/stderr for the exact error: boom');
  });

  it('counts a host done once it finished a batch of a play that drains, and waiting when it finished another', () => {
    const model = modelOf([
      ...start,
      ...['k1-node01', 'k1-node02'].map((host) => update(host, 'running')),
      { type: 'play', stepId: 'hop1:workers-1', name: 'Finally handle worker upgrades', batch: 2 },
      update('k1-node03', 'running'),
    ]);
    expect(model.counts()).toEqual({ done: 2, running: 1, failed: 0, pending: 27 });
  });

  it('cuts every line to the width, escapes and all, and uses no colour without a palette', () => {
    const colors = palette(true);
    const line = `${colors.red('✖')} ${'x'.repeat(200)}`;
    expect(visibleLength(fit(line, 50))).toBe(50);
    expect(fit('short', 50)).toBe('short');
    const model = modelOf([...start, update('k1-node01', 'running')]);
    for (const text of renderBlock(model, { width: 40, height: 40 }, T0)) {
      expect(visibleLength(text)).toBeLessThan(40);
      expect(text).not.toContain('\u001b[');
    }
  });

  it('shows the next step between steps, and nothing once the run ended', () => {
    const model = modelOf([...start.slice(0, 2)]);
    expect(renderBlock(model, { width: 120, height: 10 }, T0)[0]).toContain('hop1:canary  Upgrade the canary worker  (next)');
    model.apply({ v: 1, seq: 9, at: new Date(T0).toISOString(), type: 'run', phase: 'end', runId: 'r', status: 'succeeded', exitCode: 0, message: null, durationMs: 1 });
    expect(renderBlock(model, { width: 120, height: 10 }, T0)).toEqual([]);
  });

  it('says a step that ended, a gate and a stop request in lines that stay', () => {
    const plain = palette(false);
    const base = { v: 1 as const, seq: 0, at: new Date(T0).toISOString() };
    expect(lastingLine({ ...base, type: 'step', phase: 'end', stepId: 'hop1:canary', title: 'Upgrade the canary worker', status: 'succeeded', durationMs: 1234, message: null, failedHosts: [], atBoundary: false }, plain))
      .toBe('✔ hop1:canary  Upgrade the canary worker  (1.2s)');
    expect(lastingLine({ ...base, type: 'gate', phase: 'end', name: 'ceph', kind: 'command', after: 'hop1:canary', before: 'hop1:workers-1', status: 'failed', attempt: 4, output: 'HEALTH_WARN', durationMs: 40_000 }, plain))
      .toBe('✖ health gate ceph failed after 4 check(s): HEALTH_WARN');
    expect(lastingLine({ ...base, type: 'stop', mode: 'graceful', signal: 'SIGTERM' }, plain)).toMatch(/^SIGTERM received: stopping at the next boundary/);
  });
});
