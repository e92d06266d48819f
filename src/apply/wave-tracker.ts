/**
 * Which waves of a shared run (plan/wave-run.ts) are over, folded from the
 * run's events. Ansible announces each serial batch of a play as a play
 * start, so the worker play's batch k is over when the next play starts;
 * with any_errors_fatal a failed batch starts nothing after it. A host that
 * runs the worker play in another wave's batch means the batches are not the
 * planned waves (an inventory in another order): the run must stop before
 * that batch drains more than the budgets allow. Pure.
 */
import type { AnsibleEvent } from '../ansible/events.js';

export interface WaveTrackerState {
  /** The play whose batches are the waves. */
  play: string;
  waves: ReadonlyArray<readonly string[]>;
  /** Batches of the worker play started so far. */
  started: number;
  /** The batch of the worker play running now, if it is the current play. */
  current: number | undefined;
  /** Waves whose batch of the worker play has ended (in order: 0 … over-1). */
  over: number;
  /** Why the run must stop: a host ran the worker play outside its wave. */
  misplaced: string | undefined;
}

export function initialWaveTracker(play: string, waves: ReadonlyArray<readonly string[]>): WaveTrackerState {
  return { play, waves, started: 0, current: undefined, over: 0, misplaced: undefined };
}

export function trackWaves(state: WaveTrackerState, event: AnsibleEvent): WaveTrackerState {
  if (event.type === 'batch_hold' || event.type === 'stopped') {
    // A boundary where no task runs: the batch before it is over, the next has not begun.
    return { ...state, current: undefined, over: state.current === undefined ? state.over : state.current + 1 };
  }
  if (event.type === 'play_start') {
    const over = state.current === undefined ? state.over : state.current + 1;
    if (event.name !== state.play) return { ...state, current: undefined, over };
    return { ...state, current: state.started, started: state.started + 1, over };
  }
  if ((event.type === 'host_task_start' || event.type === 'host_result') && state.current !== undefined && state.misplaced === undefined) {
    const wave = state.waves[state.current];
    if (wave !== undefined && !wave.includes(event.host)) {
      return { ...state, misplaced: `${event.host} ran "${state.play}" in the batch of wave ${state.current + 1} (${wave.join(', ')}): Ansible's batches are not the planned waves` };
    }
  }
  return state;
}

/** The events a wave's own progress view needs: its hosts' events, and the play and task announcements. */
export function eventForHosts(event: AnsibleEvent, hosts: ReadonlySet<string>): AnsibleEvent | undefined {
  switch (event.type) {
    case 'host_task_start':
    case 'host_result':
    case 'host_retry':
      return hosts.has(event.host) ? event : undefined;
    case 'stats':
      return { ...event, hosts: Object.fromEntries(Object.entries(event.hosts).filter(([host]) => hosts.has(host))) };
    default:
      return event;
  }
}
