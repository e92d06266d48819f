/**
 * Per-host progress of a playbook run, folded from the event stream: a pure
 * reducer (no IO, no clock) so the live view, the journal and tests all agree.
 */
import type { AnsibleEvent } from './events.js';

export type HostStatus = 'pending' | 'running' | 'ok' | 'failed' | 'unreachable';

export interface HostProgress {
  status: HostStatus;
  play: string | undefined;
  task: string | undefined;
  ok: number;
  changed: number;
  failed: number;
  unreachable: number;
  skipped: number;
  /** The last failure or unreachable message, already short (the plugin truncates it). */
  message: string | undefined;
  /** The tries of the current task's `until` loop, while it retries (a drain waiting on evictions). */
  retry: { attempts: number; retries: number } | undefined;
  /** Which play_start (a serial batch is a new play_start) the host last ran in. */
  playSeq: number;
}

export interface ProgressState {
  play: string | undefined;
  task: string | undefined;
  /** Increments on every play_start: Ansible announces each serial batch as a play start. */
  playSeq: number;
  hosts: Readonly<Record<string, HostProgress>>;
  /** True once the final stats arrived. */
  finished: boolean;
}

function emptyHost(): HostProgress {
  return {
    status: 'pending', play: undefined, task: undefined, ok: 0, changed: 0, failed: 0,
    unreachable: 0, skipped: 0, message: undefined, retry: undefined, playSeq: -1,
  };
}

/** The state before any event; `hosts` lists hosts expected to run, shown as pending. */
export function initialProgress(hosts: readonly string[] = []): ProgressState {
  return {
    play: undefined, task: undefined, playSeq: 0, finished: false,
    hosts: Object.fromEntries(hosts.map((host) => [host, emptyHost()])),
  };
}

function withHost(state: ProgressState, host: string, update: (current: HostProgress) => HostProgress): ProgressState {
  return { ...state, hosts: { ...state.hosts, [host]: update(state.hosts[host] ?? emptyHost()) } };
}

/** The host is in the current play from now on; a failed host seen again in a later play was rescued. */
function joinPlay(state: ProgressState, current: HostProgress): HostProgress {
  const sticky = current.status === 'failed' || current.status === 'unreachable';
  const laterPlay = current.playSeq !== state.playSeq;
  return {
    ...current,
    play: state.play,
    playSeq: state.playSeq,
    retry: undefined,
    status: sticky && !laterPlay ? current.status : 'running',
  };
}

/** The current play (a serial batch is a play of its own) and the hosts that had started it: what a run cut short now left half done. */
export function inFlight(state: ProgressState): { play: string | undefined; hosts: string[] } {
  const hosts = Object.entries(state.hosts).filter(([, host]) => host.playSeq === state.playSeq && host.status !== 'pending');
  return { play: state.play, hosts: hosts.map(([name]) => name).sort() };
}

export function reduceProgress(state: ProgressState, event: AnsibleEvent): ProgressState {
  switch (event.type) {
    case 'play_start':
      return { ...state, play: event.name, task: undefined, playSeq: state.playSeq + 1 };
    case 'stopped':
      // Stopped at a play start, as asked: no host is inside a play any more.
      return { ...state, play: undefined, task: undefined, playSeq: state.playSeq + 1 };
    case 'task_start':
    case 'handler_start': {
      // Ansible < 2.8 has no per-host task start: move the hosts already seen in this play along.
      const hosts: Record<string, HostProgress> = {};
      for (const [name, host] of Object.entries(state.hosts)) {
        hosts[name] = host.playSeq === state.playSeq && host.status === 'running' ? { ...host, task: event.name } : host;
      }
      return { ...state, task: event.name, hosts };
    }
    case 'host_task_start':
      return withHost(state, event.host, (current) => ({ ...joinPlay(state, current), task: event.task }));
    case 'host_result':
      return withHost(state, event.host, (current) => {
        const host = { ...joinPlay(state, current), task: event.task || current.task };
        switch (event.status) {
          case 'ok':
          case 'changed':
            return { ...host, ok: host.ok + 1, changed: host.changed + (event.changed ? 1 : 0) };
          case 'skipped':
            return { ...host, skipped: host.skipped + 1 };
          case 'unreachable':
            return { ...host, unreachable: host.unreachable + 1, status: 'unreachable', message: event.message };
          case 'failed':
            // Ansible counts an ignored failure as ok; a rescued one is only known from the stats.
            if (event.ignored) return { ...host, ok: host.ok + 1, changed: host.changed + (event.changed ? 1 : 0) };
            return { ...host, failed: host.failed + 1, status: 'failed', message: event.message };
        }
      });
    case 'host_retry':
      if (event.attempts === undefined || event.retries === undefined) return state;
      return withHost(state, event.host, (current) => ({ ...current, retry: { attempts: event.attempts!, retries: event.retries! } }));
    case 'stats': {
      // The final stats are authoritative (they know about rescues and ignored errors).
      let next: ProgressState = { ...state, finished: true, task: undefined };
      for (const [name, counts] of Object.entries(event.hosts)) {
        next = withHost(next, name, (current) => ({
          ...current,
          ok: counts.ok,
          changed: counts.changed,
          failed: counts.failed,
          unreachable: counts.unreachable,
          skipped: counts.skipped,
          status: counts.unreachable > 0 ? 'unreachable' : counts.failed > 0 ? 'failed' : 'ok',
        }));
      }
      return next;
    }
    default:
      return state;
  }
}

export interface FormatOptions {
  /** Pad host names to this width, so lines of several hosts align. */
  hostWidth?: number;
  /** Longest play or task name shown before it is cut with an ellipsis. */
  maxName?: number;
}

function shorten(name: string, max: number): string {
  return name.length <= max ? name : `${name.slice(0, max).trimEnd()}…`;
}

/** One line for one host, e.g. `k1-node01  play: Finally handle worker upgrades…  task: Drain node  ok=12 changed=3 failed=0`. */
export function formatHostLine(host: string, state: ProgressState, options: FormatOptions = {}): string {
  const progress = state.hosts[host] ?? emptyHost();
  const maxName = options.maxName ?? 30;
  const parts = [host.padEnd(options.hostWidth ?? 0)];
  if (progress.status === 'pending') {
    parts.push('pending');
  } else {
    if (progress.play !== undefined) parts.push(`play: ${shorten(progress.play, maxName)}`);
    if (progress.task !== undefined && !state.finished) {
      const retry = progress.retry ? ` (try ${progress.retry.attempts + 1}/${progress.retry.retries})` : '';
      parts.push(`task: ${shorten(progress.task, maxName)}${retry}`);
    }
    let counts = `ok=${progress.ok} changed=${progress.changed} failed=${progress.failed}`;
    if (progress.unreachable > 0) counts += ` unreachable=${progress.unreachable}`;
    parts.push(counts);
    if (progress.status === 'failed' || progress.status === 'unreachable') parts.push(progress.status.toUpperCase());
  }
  return parts.join('  ');
}
