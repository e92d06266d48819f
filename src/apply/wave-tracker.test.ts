import { describe, expect, it } from 'vitest';
import type { AnsibleEvent } from '../ansible/events.js';
import { eventForHosts, initialWaveTracker, trackWaves } from './wave-tracker.js';

const PLAY = 'Finally handle worker upgrades, based on given batch size';
const play = (name: string): AnsibleEvent => ({ type: 'play_start', ts: '', name, hosts: 'kube_node', serial: undefined, uuid: undefined });
const task = (host: string): AnsibleEvent => ({ type: 'host_task_start', ts: '', host, task: 't', uuid: undefined });

describe('trackWaves', () => {
  const waves = [['a'], ['b', 'c'], ['d']];

  it('ends a wave when the next play starts after its batch of the worker play; calico batches end none', () => {
    const events = [play('calico'), task('a'), play('calico'), task('b'), play(PLAY), task('a'), play(PLAY), task('b'), task('c')];
    const state = events.reduce(trackWaves, initialWaveTracker(PLAY, waves));
    expect(state).toMatchObject({ started: 2, current: 1, over: 1, misplaced: undefined });
    expect(trackWaves(state, play('trailing'))).toMatchObject({ current: undefined, over: 2 });
  });

  it('ends the batch before a held batch or a stop at a play start: the next one has not begun', () => {
    const held = [play(PLAY), task('a'), { type: 'batch_hold', ts: '', play: PLAY, batch: 2 } as AnsibleEvent].reduce(trackWaves, initialWaveTracker(PLAY, waves));
    expect(held).toMatchObject({ started: 1, current: undefined, over: 1 });
    expect(trackWaves(held, play(PLAY))).toMatchObject({ started: 2, current: 1, over: 1 });
    const stopped = trackWaves(held, { type: 'stopped', ts: '', play: PLAY, batch: 2, reason: 'stop requested' } as AnsibleEvent);
    expect(stopped).toMatchObject({ started: 1, current: undefined, over: 1 });
  });

  it('names a host that runs the worker play in another wave\'s batch', () => {
    const state = [play(PLAY), task('b')].reduce(trackWaves, initialWaveTracker(PLAY, waves));
    expect(state.misplaced).toBe('b ran "Finally handle worker upgrades, based on given batch size" in the batch of wave 1 (a): Ansible\'s batches are not the planned waves');
  });
});

describe('eventForHosts', () => {
  it('keeps a wave\'s own hosts\' events and the announcements, and cuts the stats to its hosts', () => {
    const hosts = new Set(['a']);
    expect(eventForHosts(task('b'), hosts)).toBeUndefined();
    expect(eventForHosts(task('a'), hosts)).toEqual(task('a'));
    expect(eventForHosts(play(PLAY), hosts)).toEqual(play(PLAY));
    const counts = { ok: 1, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };
    expect(eventForHosts({ type: 'stats', ts: '', hosts: { a: counts, b: counts } } as AnsibleEvent, hosts)).toMatchObject({ hosts: { a: counts } });
  });
});
