/**
 * The JSON-lines event stream written by playbooks/callback_plugins/kspray_events.py:
 * lenient schemas (a tool prints it, so unknown fields pass and junk lines are
 * dropped), and a follower that delivers each line once as the file grows.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

const text = z.string().optional().catch(undefined);
const count = z.number().int().nonnegative().catch(0);

export const HostCountsSchema = z.looseObject({
  ok: count,
  changed: count,
  unreachable: count,
  failed: count,
  skipped: count,
  rescued: count,
  ignored: count,
});
export type HostCounts = z.infer<typeof HostCountsSchema>;

const base = { ts: z.string().catch(''), v: z.number().optional().catch(undefined) };

const PlaybookStart = z.looseObject({ type: z.literal('playbook_start'), ...base, playbook: text });
const PlayStart = z.looseObject({
  type: z.literal('play_start'),
  ...base,
  name: z.string().catch(''),
  hosts: z.string().catch(''),
  serial: z.array(z.union([z.number(), z.string()])).optional().catch(undefined),
  uuid: text,
  /** Which serial batch of the play this start is, 1-based (Ansible starts every batch as the play again). */
  batch: z.number().int().positive().optional().catch(undefined),
});
/** A batch of the held play waits for kspray's go (run-control.ts): the batch before it is over. */
const BatchHold = z.looseObject({ type: z.literal('batch_hold'), ...base, play: z.string().catch(''), batch: z.number().int().positive() });
/** The run ended at a play start, as kspray asked (run-control.ts): that batch never began, the one before it is over. */
const Stopped = z.looseObject({ type: z.literal('stopped'), ...base, play: z.string().catch(''), batch: z.number().int().positive().optional().catch(undefined), reason: text });
const TaskStart = z.looseObject({ type: z.literal('task_start'), ...base, name: z.string().catch(''), uuid: text, action: text });
const HandlerStart = z.looseObject({ type: z.literal('handler_start'), ...base, name: z.string().catch(''), uuid: text, action: text });
const HostTaskStart = z.looseObject({ type: z.literal('host_task_start'), ...base, host: z.string(), task: z.string().catch(''), uuid: text });
const HostResult = z.looseObject({
  type: z.literal('host_result'),
  ...base,
  host: z.string(),
  status: z.enum(['ok', 'changed', 'failed', 'unreachable', 'skipped']),
  task: z.string().catch(''),
  uuid: text,
  action: text,
  changed: z.boolean().catch(false).default(false),
  ignored: z.boolean().catch(false).default(false),
  message: text,
});
/** An `until` loop that will try again: `retries` is Ansible's total of tries (the task's retries + 1), so tries left = retries - attempts. */
const HostRetry = z.looseObject({
  type: z.literal('host_retry'),
  ...base,
  host: z.string(),
  task: z.string().catch(''),
  attempts: z.number().optional().catch(undefined),
  retries: z.number().optional().catch(undefined),
});
const NoHostsMatched = z.looseObject({ type: z.literal('no_hosts_matched'), ...base });
const NoHostsRemaining = z.looseObject({ type: z.literal('no_hosts_remaining'), ...base });
const Stats = z.looseObject({
  type: z.literal('stats'),
  ...base,
  hosts: z.record(z.string(), HostCountsSchema).catch({}),
});

export const AnsibleEventSchema = z.discriminatedUnion('type', [
  PlaybookStart, PlayStart, BatchHold, Stopped, TaskStart, HandlerStart, HostTaskStart, HostResult, HostRetry,
  NoHostsMatched, NoHostsRemaining, Stats,
]);
export type AnsibleEvent = z.infer<typeof AnsibleEventSchema>;
export type AnsibleEventType = AnsibleEvent['type'];
export type HostResultEvent = Extract<AnsibleEvent, { type: 'host_result' }>;
export type StatsEvent = Extract<AnsibleEvent, { type: 'stats' }>;

/** One line of the stream, or undefined for anything that is not a known event (blank, truncated, foreign). */
export function parseEventLine(line: string): AnsibleEvent | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  const parsed = AnsibleEventSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export interface FollowOptions {
  /** Byte offset to start from (e.g. the size of a file reused across runs). Default 0. */
  fromOffset?: number;
  /** Poll interval in milliseconds. Default 100. */
  intervalMs?: number;
}

/**
 * Follows `file` as it grows and calls `onEvent` for every event line, each
 * exactly once and in order. Polling (not fs.watch) because it behaves the
 * same on every filesystem and the file may not exist yet when we start. When
 * `signal` aborts, the rest of the file is read and delivered before the
 * promise resolves, so a caller that aborts after the writer exited loses
 * nothing. A final line without a newline is delivered at that point too.
 */
export async function followEvents(
  file: string,
  onEvent: (event: AnsibleEvent) => void,
  signal: AbortSignal,
  options: FollowOptions = {},
): Promise<void> {
  const intervalMs = options.intervalMs ?? 100;
  let offset = options.fromOffset ?? 0;
  let pending = '';
  let handle: FileHandle | undefined;
  const buffer = Buffer.alloc(64 * 1024);
  const decoder = new TextDecoder('utf-8');

  const deliver = (chunk: string, final: boolean): void => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const event = parseEventLine(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      if (event) onEvent(event);
      newline = pending.indexOf('\n');
    }
    if (final && pending.length > 0) {
      const event = parseEventLine(pending);
      pending = '';
      if (event) onEvent(event);
    }
  };

  const drain = async (): Promise<void> => {
    if (!handle) {
      try {
        handle = await open(file, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // not written yet
        throw error;
      }
    }
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      if (bytesRead === 0) return;
      offset += bytesRead;
      // stream: true keeps a multi-byte character split across reads intact.
      deliver(decoder.decode(buffer.subarray(0, bytesRead), { stream: true }), false);
    }
  };

  try {
    while (!signal.aborted) {
      await drain();
      await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
    }
    await drain();
    deliver(decoder.decode(), true);
  } finally {
    await handle?.close();
  }
}
