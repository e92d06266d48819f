import { describe, expect, it } from 'vitest';
import { parseEventLine, type AnsibleEvent } from '../src/ansible/events.js';
import { formatHostLine, inFlight, initialProgress, reduceProgress, type ProgressState } from '../src/ansible/host-progress.js';

const ev = (fields: Record<string, unknown>): AnsibleEvent => {
  const event = parseEventLine(JSON.stringify({ ts: '2026-01-01T00:00:00.000Z', ...fields }));
  if (!event) throw new Error(`fixture is not an event: ${JSON.stringify(fields)}`);
  return event;
};
const fold = (events: AnsibleEvent[], hosts: string[] = []): ProgressState => events.reduce(reduceProgress, initialProgress(hosts));

const WORKER_PLAY = 'Finally handle worker upgrades, based on given batch size';

describe('reduceProgress', () => {
  it('tracks each host’s play, task and counts as results arrive', () => {
    const state = fold([
      ev({ type: 'play_start', name: WORKER_PLAY, hosts: 'kube_node:!kube_control_plane', serial: ['20%'] }),
      ev({ type: 'task_start', name: 'Cordon node', uuid: 'a' }),
      ev({ type: 'host_task_start', host: 'k1-node01', task: 'Cordon node' }),
      ev({ type: 'host_result', host: 'k1-node01', status: 'changed', changed: true, task: 'Cordon node' }),
      ev({ type: 'task_start', name: 'Drain node', uuid: 'b' }),
      ev({ type: 'host_task_start', host: 'k1-node01', task: 'Drain node' }),
      ev({ type: 'host_result', host: 'k1-node01', status: 'skipped', task: 'Skip me' }),
    ], ['k1-node01', 'k1-node02']);

    expect(state.hosts['k1-node01']).toMatchObject({ status: 'running', play: WORKER_PLAY, task: 'Skip me', ok: 1, changed: 1, skipped: 1, failed: 0 });
    expect(state.hosts['k1-node02']).toMatchObject({ status: 'pending', ok: 0 });
  });

  it('marks a failed host with its message, counts an ignored failure as ok, and an unreachable host', () => {
    const state = fold([
      ev({ type: 'play_start', name: 'Upgrade', hosts: 'all' }),
      ev({ type: 'host_result', host: 'h1', status: 'failed', task: 'Drain node', message: 'drain timed out' }),
      ev({ type: 'host_result', host: 'h2', status: 'failed', task: 'Probe', ignored: true }),
      ev({ type: 'host_result', host: 'h3', status: 'unreachable', task: 'Gather', message: 'ssh: connect refused' }),
    ]);

    expect(state.hosts.h1).toMatchObject({ status: 'failed', failed: 1, message: 'drain timed out' });
    expect(state.hosts.h2).toMatchObject({ status: 'running', failed: 0, ok: 1 });
    expect(state.hosts.h3).toMatchObject({ status: 'unreachable', unreachable: 1 });
  });

  it('moves hosts along on task_start when Ansible (< 2.8) sends no per-host task start, within their batch only', () => {
    const state = fold([
      ev({ type: 'play_start', name: 'Upgrade', hosts: 'all', serial: [1] }),
      ev({ type: 'task_start', name: 'one' }),
      ev({ type: 'host_result', host: 'h1', status: 'ok', task: 'one' }),
      ev({ type: 'play_start', name: 'Upgrade', hosts: 'all', serial: [1] }), // the next serial batch
      ev({ type: 'task_start', name: 'one' }),
      ev({ type: 'host_result', host: 'h2', status: 'ok', task: 'one' }),
      ev({ type: 'task_start', name: 'two' }),
    ]);

    expect(state.hosts.h2?.task).toBe('two');
    expect(state.hosts.h1?.task).toBe('one');
  });

  it('says which hosts had started the current serial batch (a run cut short leaves those half done)', () => {
    const state = fold([
      ev({ type: 'play_start', name: WORKER_PLAY, hosts: 'kube_node', serial: [1, 2] }),
      ev({ type: 'host_task_start', host: 'n1', task: 'Cordon node' }),
      ev({ type: 'host_result', host: 'n1', status: 'ok', task: 'Uncordon node' }),
      ev({ type: 'play_start', name: WORKER_PLAY, hosts: 'kube_node', serial: [1, 2] }), // batch 2
      ev({ type: 'host_task_start', host: 'n2', task: 'Cordon node' }),
      ev({ type: 'host_result', host: 'n2', status: 'changed', changed: true, task: 'Cordon node' }),
      ev({ type: 'host_task_start', host: 'n2', task: 'Drain node' }),
    ], ['n1', 'n2', 'n3']);

    expect(inFlight(state)).toEqual({ play: WORKER_PLAY, hosts: ['n2'] });
    expect(inFlight(initialProgress(['n1']))).toEqual({ play: undefined, hosts: [] });
  });

  it('takes the final stats as the truth (a rescued failure is not a failed host)', () => {
    const state = fold([
      ev({ type: 'play_start', name: 'Upgrade', hosts: 'all' }),
      ev({ type: 'host_result', host: 'h1', status: 'failed', task: 'try', message: 'x' }),
      ev({ type: 'host_result', host: 'h2', status: 'failed', task: 'try', message: 'y' }),
      ev({ type: 'stats', hosts: { h1: { ok: 4, changed: 1, failed: 0, rescued: 1 }, h2: { ok: 1, failed: 1 } } }),
    ]);

    expect(state.finished).toBe(true);
    expect(state.hosts.h1).toMatchObject({ status: 'ok', ok: 4, changed: 1, failed: 0 });
    expect(state.hosts.h2).toMatchObject({ status: 'failed', failed: 1 });
  });
});

describe('formatHostLine', () => {
  it('shows the play (cut), the task and the counts', () => {
    const state = fold([
      ev({ type: 'play_start', name: WORKER_PLAY, hosts: 'kube_node' }),
      ...Array.from({ length: 12 }, (_, i) => ev({ type: 'host_result', host: 'k1-node01', status: i < 3 ? 'changed' : 'ok', changed: i < 3, task: 'x' })),
      ev({ type: 'host_task_start', host: 'k1-node01', task: 'Drain node' }),
    ]);

    expect(formatHostLine('k1-node01', state)).toBe('k1-node01  play: Finally handle worker upgrades…  task: Drain node  ok=12 changed=3 failed=0');
  });

  it('shows the try of a task that retries, until the host moves on', () => {
    const events = [
      ev({ type: 'play_start', name: 'Upgrade', hosts: 'all' }),
      ev({ type: 'host_task_start', host: 'k1-node01', task: 'Drain node' }),
      ev({ type: 'host_retry', host: 'k1-node01', task: 'Drain node', attempts: 1, retries: 4 }),
    ];

    const retrying = fold(events);
    const movedOn = fold([...events, ev({ type: 'host_result', host: 'k1-node01', status: 'ok', task: 'Drain node' })]);

    expect(formatHostLine('k1-node01', retrying)).toBe('k1-node01  play: Upgrade  task: Drain node (try 2/4)  ok=0 changed=0 failed=0');
    expect(formatHostLine('k1-node01', movedOn)).toBe('k1-node01  play: Upgrade  task: Drain node  ok=1 changed=0 failed=0');
  });

  it('aligns host names, shows pending hosts and flags failed ones', () => {
    const state = fold([
      ev({ type: 'play_start', name: 'Upgrade', hosts: 'all' }),
      ev({ type: 'host_result', host: 'm1', status: 'failed', task: 'kubeadm upgrade', message: 'x' }),
    ], ['m1', 'k1-node01']);

    expect(formatHostLine('k1-node01', state, { hostWidth: 10 })).toBe('k1-node01   pending');
    expect(formatHostLine('m1', state, { hostWidth: 10 })).toBe('m1          play: Upgrade  task: kubeadm upgrade  ok=0 changed=0 failed=1  FAILED');
  });
});
