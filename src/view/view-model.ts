/**
 * What the live views know of a run, folded from the engine's events: the
 * run's steps with their estimates, the step (and wave) running now, each of
 * its hosts' state, the health gate being checked, and the clock. The views
 * render it (screen.ts); it renders nothing itself and reads no clock.
 */
import type { EngineEvent } from '../apply/events.js';

export type HostState = 'pending' | 'running' | 'done' | 'failed';

export interface HostView {
  state: HostState;
  /** It finished a batch of a play that drains (its node upgrade is done). */
  upgraded: boolean;
  play: string | null;
  task: string | null;
  message: string | null;
  retry: { attempt: number; of: number } | null;
}

export interface StepView {
  id: string;
  hop: number;
  kind: string;
  title: string;
  hosts: number;
  estimateMs: number;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'interrupted';
  startedAt: number | undefined;
  durationMs: number | undefined;
}

export interface CurrentStep {
  id: string;
  title: string;
  hop: number;
  startedAt: number;
  estimateMs: number;
  wave: number | undefined;
  play: string | null;
  batch: number | null;
  task: string | null;
  /** The plays that cordon and drain: a host that finished a batch of one is upgraded. */
  drains: ReadonlySet<string>;
  hosts: Map<string, HostView>;
}

export interface GateView {
  name: string;
  after: string;
  attempt: number;
  status: string;
  output: string | null;
  since: number;
}

export class ViewModel {
  startedAt: number | undefined;
  steps: StepView[] = [];
  hop: { index: number; tag: string; fromVersion: string; toVersion: string } | undefined;
  current: CurrentStep | undefined;
  gate: GateView | undefined;
  stopping: 'graceful' | 'immediate' | undefined;
  ended = false;

  apply(event: EngineEvent): void {
    const at = Date.parse(event.at);
    switch (event.type) {
      case 'run':
        if (event.phase === 'start') {
          this.startedAt = at;
          this.steps = event.steps.map((step) => ({ ...step, status: 'pending', startedAt: undefined, durationMs: undefined }));
        } else {
          this.ended = true;
          this.current = undefined;
          this.gate = undefined;
        }
        return;
      case 'hop':
        this.hop = event.phase === 'start' ? { index: event.hop, tag: event.tag, fromVersion: event.fromVersion, toVersion: event.toVersion } : this.hop;
        return;
      case 'step': {
        const step = this.steps.find((candidate) => candidate.id === event.stepId);
        if (event.phase === 'start') {
          if (step) Object.assign(step, { status: 'running', startedAt: at, estimateMs: event.estimateMs });
          this.gate = undefined;
          this.current = {
            id: event.stepId, title: event.title, hop: event.hop, startedAt: at, estimateMs: event.estimateMs, wave: undefined, play: null, batch: null, task: null,
            drains: new Set(event.drains),
            hosts: new Map(event.hosts.map((host) => [host, { state: 'pending', upgraded: false, play: null, task: null, message: null, retry: null }])),
          };
        } else {
          if (step) Object.assign(step, { status: event.status, durationMs: event.durationMs });
          if (this.current?.id === event.stepId) this.current = undefined;
        }
        return;
      }
      case 'wave':
        if (event.phase === 'start' && this.current?.id === event.stepId) this.current.wave = event.wave;
        return;
      case 'play':
        if (this.current?.id === event.stepId) this.nextPlay(this.current, event.name, event.batch);
        return;
      case 'task':
        if (this.current?.id === event.stepId) this.current.task = event.name;
        return;
      case 'host': {
        if (this.current?.id !== event.stepId || event.phase !== 'update') return;
        const state: HostState = event.status === 'failed' || event.status === 'unreachable' ? 'failed' : event.status === 'running' ? 'running' : event.status === 'pending' ? 'pending' : 'done';
        const upgraded = this.current.hosts.get(event.host)?.upgraded ?? false;
        this.current.hosts.set(event.host, { state, upgraded, play: event.play, task: event.task, message: event.message, retry: event.retry });
        return;
      }
      case 'gate':
        if (event.phase === 'end') this.gate = undefined;
        else this.gate = { name: event.name, after: event.after, attempt: event.attempt, status: event.status, output: event.output, since: this.gate?.name === event.name ? this.gate.since : at };
        return;
      case 'stop':
        this.stopping = event.mode;
        return;
      default:
    }
  }

  /**
   * A new play (or batch) begins: the hosts of the last one are not in it
   * until they show up. One that finished a batch of a play that drains is
   * upgraded (done); the others wait for their turn.
   */
  private nextPlay(current: CurrentStep, play: string, batch: number | null): void {
    for (const host of current.hosts.values()) {
      if (host.state !== 'running') continue;
      if (host.play !== null && current.drains.has(host.play)) host.upgraded = true;
      host.state = host.upgraded ? 'done' : 'pending';
    }
    Object.assign(current, { play, batch, task: null });
  }

  /** Hosts of the running step per state. */
  counts(): Record<HostState, number> {
    const counts: Record<HostState, number> = { pending: 0, running: 0, done: 0, failed: 0 };
    for (const host of this.current?.hosts.values() ?? []) counts[host.state] += 1;
    return counts;
  }

  /** What the estimates say is left: the steps not started, and what the running one has left of its own. */
  remainingMs(now: number): number | undefined {
    if (this.steps.length === 0 || this.steps.every((step) => step.estimateMs === 0)) return undefined;
    let left = 0;
    for (const step of this.steps) {
      if (step.status === 'pending') left += step.estimateMs;
      else if (step.status === 'running' && step.startedAt !== undefined) left += Math.max(0, step.estimateMs - (now - step.startedAt));
    }
    return left;
  }

  hops(): number {
    return new Set(this.steps.map((step) => step.hop)).size;
  }
}
