/**
 * The PLAY RECAP block of ansible-playbook's default stdout, and the outcome
 * of a run: what the exit code says, checked against what the recap (or the
 * event stream's final stats) shows, because the exit codes overlap.
 */
import type { AnsibleEvent, HostCounts } from './events.js';

export type { HostCounts } from './events.js';
export type Recap = Record<string, HostCounts>;

const ANSI = /\u001b\[[0-9;]*m/g;
// `%-26s : ok=1 changed=0 ...`; older Ansible (2.7) stops after failed=, newer adds skipped/rescued/ignored.
const RECAP_LINE = /^(\S.*?)\s+:\s+((?:[a-z]+=\d+\s*)+)$/;

/**
 * Per-host counts from the last PLAY RECAP block in `stdout` (a log may hold
 * several runs), or undefined when there is none (parse error, bad options).
 * Columns an Ansible version does not print are 0.
 */
export function parseRecap(stdout: string): Recap | undefined {
  const lines = stdout.replace(ANSI, '').split(/\r?\n/);
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^PLAY RECAP\b/.test(lines[i]!)) {
      start = i;
      break;
    }
  }
  if (start === -1) return undefined;
  const recap: Recap = {};
  for (const line of lines.slice(start + 1)) {
    const match = RECAP_LINE.exec(line.trimEnd());
    if (!match) {
      if (line.trim() === '') continue;
      break; // the block ends at the first line that is not a host line (e.g. profile_tasks output)
    }
    const counts: Record<string, number> = {};
    for (const pair of match[2]!.trim().split(/\s+/)) {
      const [key, value] = pair.split('=');
      counts[key!] = Number(value);
    }
    recap[match[1]!] = {
      ok: counts.ok ?? 0,
      changed: counts.changed ?? 0,
      unreachable: counts.unreachable ?? 0,
      failed: counts.failed ?? 0,
      skipped: counts.skipped ?? 0,
      rescued: counts.rescued ?? 0,
      ignored: counts.ignored ?? 0,
    };
  }
  return recap;
}

export type PlaybookOutcome =
  | { kind: 'ok'; hosts: Recap; /** Plays that matched no host: wrong inventory dialect, a typo in --limit. */ unmatchedPlays: string[] }
  | { kind: 'failed'; failedHosts: string[]; unreachableHosts: string[]; hosts: Recap; exitCode: number }
  | { kind: 'interrupted' }
  /** Ended at a play start as kspray asked (run-control.ts): that batch of `play` never began. */
  | { kind: 'stopped'; play: string; batch: number | undefined }
  | { kind: 'error'; exitCode: number; message: string };

/**
 * ansible-playbook's exit codes. The documented 3 for "unreachable" is stale:
 * the task queue manager returns a bit set (2 failed hosts, 4 unreachable),
 * so 4 means either a parser error or unreachable hosts, told apart only by
 * whether a recap shows unreachable hosts.
 */
export const ANSIBLE_EXIT = {
  ok: 0,
  error: 1,
  hostsFailed: 2,
  hostsUnreachableDocumented: 3,
  parserErrorOrUnreachable: 4,
  badOptions: 5,
  userInterrupted: 99,
  unexpected: 250,
} as const;

const ERROR_MESSAGES: Record<number, string> = {
  1: 'ansible-playbook failed with an error',
  4: 'ansible-playbook could not parse the playbook or inventory',
  5: 'ansible-playbook was given bad or incomplete options',
  6: 'ansible-playbook was given arguments that are not UTF-8',
  250: 'ansible-playbook stopped on an unexpected error',
};

/** 99 is Ansible's own "User interrupted execution"; 130/143 are SIGINT/SIGTERM seen through a shell. */
const INTERRUPTED_CODES = new Set([99, 130, 143]);

/**
 * The outcome of a run, from its exit code and the recap; the event stream's
 * final stats stand in for the recap when stdout had none (another stdout
 * callback, or a log that was cut).
 */
export function summarizeRun(exitCode: number, recap: Recap | undefined, events: readonly AnsibleEvent[] = []): PlaybookOutcome {
  const stopped = stoppedAt(events);
  if (stopped) return stopped;
  if (INTERRUPTED_CODES.has(exitCode)) return { kind: 'interrupted' };
  const hosts = recap ?? statsFromEvents(events) ?? {};
  if (exitCode === 0) return { kind: 'ok', hosts, unmatchedPlays: unmatchedPlays(events) };

  const failedHosts = Object.keys(hosts).filter((host) => hosts[host]!.failed > 0).sort();
  const unreachableHosts = Object.keys(hosts).filter((host) => hosts[host]!.unreachable > 0).sort();
  if (failedHosts.length > 0 || unreachableHosts.length > 0) {
    return { kind: 'failed', failedHosts, unreachableHosts, hosts, exitCode };
  }
  // 2 and 3 always mean hosts failed, even when no recap told us which.
  if (exitCode === ANSIBLE_EXIT.hostsFailed || exitCode === ANSIBLE_EXIT.hostsUnreachableDocumented) {
    return { kind: 'failed', failedHosts, unreachableHosts, hosts, exitCode };
  }
  return { kind: 'error', exitCode, message: ERROR_MESSAGES[exitCode] ?? `ansible-playbook exited with code ${exitCode}` };
}

/** The run ended at a boundary as asked: the callback said so before it ended the run. */
export function stoppedAt(events: readonly AnsibleEvent[]): Extract<PlaybookOutcome, { kind: 'stopped' }> | undefined {
  const event = events.find((candidate) => candidate.type === 'stopped');
  return event?.type === 'stopped' ? { kind: 'stopped', play: event.play, batch: event.batch } : undefined;
}

/** The per-host counts of the last stats event, if any. */
export function statsFromEvents(events: readonly AnsibleEvent[]): Recap | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.type === 'stats') return { ...event.hosts };
  }
  return undefined;
}

/** Names of plays immediately followed by "no hosts matched". */
export function unmatchedPlays(events: readonly AnsibleEvent[]): string[] {
  const names: string[] = [];
  let play: string | undefined;
  for (const event of events) {
    if (event.type === 'play_start') play = event.name;
    else if (event.type === 'no_hosts_matched' && play !== undefined && !names.includes(play)) names.push(play);
  }
  return names;
}

/** The last `ERROR!` line Ansible printed, for an error outcome's message. */
export function ansibleErrorLine(output: string): string | undefined {
  const lines = output.replace(ANSI, '').split(/\r?\n/).filter((line) => line.startsWith('ERROR!'));
  return lines.at(-1)?.trim();
}
