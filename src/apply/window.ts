/**
 * Maintenance windows: when may an unattended apply start its next step?
 * Pure: the clock is passed in. A step starts only when its estimated
 * duration ends before the window closes, so a run stops cleanly at a step
 * boundary instead of leaving a node half-upgraded at 05:01.
 *
 *   --window "Sat 01:00-05:00"            every Saturday, local time
 *   --window "Sat 23:00-03:00 UTC"        crosses midnight: ends Sunday 03:00
 *   --window "Sat,Sun 01:00-05:00"        several days; "Mon-Fri" is a range
 *   --window "01:00-05:00"                every day
 *   --window "Sat 01:00-05:00, Wed 22:00-23:30 UTC"   several windows
 *   --until 2024-05-04T05:00:00Z | 05:00  an end time (HH:MM: the next such time)
 *
 * Timezones: `UTC` (also `Z`) or `local` (the default: the controller's TZ).
 */
import { stepDurationsByHost, type Journal, type StepDurationSample } from '../journal/journal.js';
import type { PlanStep } from '../plan/types.js';
import { UsageError } from '../util/errors.js';

export type WindowZone = 'utc' | 'local';

export interface MaintenanceWindow {
  /** Days (0 = Sunday … 6 = Saturday) on which the window opens. */
  days: number[];
  /** Minutes after midnight the window opens. */
  startMinute: number;
  /** How long it stays open, in minutes (an end before the start crosses midnight). */
  lengthMinutes: number;
  zone: WindowZone;
  /** As the operator wrote it, for messages. */
  text: string;
}

const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];
const MINUTE = 60_000;
const HINT = 'write e.g. --window "Sat 01:00-05:00", "Sat,Sun 23:00-03:00 UTC", "Mon-Fri 22:00-23:30, Sat 01:00-05:00"';

/** "Sat", "sat", "Saturday" (three letters at least): 6; anything else -1. */
function dayIndex(name: string): number {
  const lower = name.toLowerCase();
  return lower.length < 3 ? -1 : DAY_NAMES.findIndex((full) => full.startsWith(lower));
}

/** "Mon-Fri", "Sat", "daily": day numbers; undefined when the word is not days. */
function parseDays(word: string): number[] | undefined {
  if (/^(daily|every|everyday|\*)$/i.test(word)) return [...ALL_DAYS];
  const range = /^([a-z]+)-([a-z]+)$/i.exec(word);
  if (range) {
    const from = dayIndex(range[1]!);
    const to = dayIndex(range[2]!);
    if (from < 0 || to < 0) return undefined;
    const days: number[] = [];
    for (let day = from; ; day = (day + 1) % 7) {
      days.push(day);
      if (day === to) break;
    }
    return days;
  }
  const day = dayIndex(word);
  return day < 0 ? undefined : [day];
}

function parseClock(text: string, allow24: boolean): number | undefined {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (minutes > 59 || hours > 24 || (hours === 24 && (minutes > 0 || !allow24))) return undefined;
  return hours * 60 + minutes;
}

/**
 * Parses one or more windows. Commas separate windows; a comma-separated
 * piece made of day names only ("Sat," in "Sat, Sun 01:00-05:00") belongs to
 * the window that follows it.
 */
export function parseWindows(text: string): MaintenanceWindow[] {
  const windows: MaintenanceWindow[] = [];
  let pendingDays: number[] = [];
  let pendingText = '';
  for (const rawPiece of text.split(/[,;]/)) {
    const piece = rawPiece.trim();
    if (piece === '') continue;
    const words = piece.split(/\s+/);
    const dayWords = words.filter((word) => parseDays(word) !== undefined && !/\d/.test(word));
    if (dayWords.length === words.length) {
      pendingDays.push(...dayWords.flatMap((word) => parseDays(word)!));
      pendingText += `${piece},`;
      continue;
    }
    windows.push(parseOne(words, pendingDays, `${pendingText}${piece}`));
    pendingDays = [];
    pendingText = '';
  }
  if (pendingDays.length > 0) throw new UsageError(`--window "${text}": days without hours (${pendingText.slice(0, -1)})`, HINT);
  if (windows.length === 0) throw new UsageError(`--window "${text}" names no window`, HINT);
  return windows;
}

function parseOne(words: string[], leadingDays: number[], text: string): MaintenanceWindow {
  let zone: WindowZone = 'local';
  const last = words.at(-1)!;
  if (/^(utc|z|gmt)$/i.test(last)) {
    zone = 'utc';
    words = words.slice(0, -1);
  } else if (/^local$/i.test(last)) {
    words = words.slice(0, -1);
  }
  const range = words.at(-1) ?? '';
  const hours = /^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(range);
  if (!hours) throw new UsageError(`--window: "${text}" has no HH:MM-HH:MM range`, HINT);
  const start = parseClock(hours[1]!, false);
  const end = parseClock(hours[2]!, true);
  if (start === undefined || end === undefined) throw new UsageError(`--window: "${range}" is not a time range (00:00 to 24:00)`, HINT);
  if (start === end % 1440 && end !== 1440) throw new UsageError(`--window: "${range}" opens and closes at the same time`, HINT);
  const days = [...leadingDays];
  for (const word of words.slice(0, -1)) {
    const parsed = parseDays(word);
    if (!parsed) throw new UsageError(`--window: "${word}" is not a day (Mon … Sun, Mon-Fri, daily)`, HINT);
    days.push(...parsed);
  }
  return {
    days: days.length === 0 ? [...ALL_DAYS] : [...new Set(days)].sort((a, b) => a - b),
    startMinute: start,
    lengthMinutes: end > start ? end - start : end + 1440 - start,
    zone,
    text: text.trim(),
  };
}

/** The day `offset` days after `date`'s, at `minute` (local: wall-clock, so DST shifts the instant). */
function atMinute(date: Date, offsetDays: number, minute: number, zone: WindowZone): number {
  if (zone === 'utc') return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + offsetDays, 0, minute);
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + offsetDays, 0, minute).getTime();
}

/** Every opening of the windows from a day before `from` to `days` days after, as [open, close) instants. */
export function windowOccurrences(windows: readonly MaintenanceWindow[], from: Date, days = 8): Array<{ opens: Date; closes: Date; window: MaintenanceWindow }> {
  const out: Array<{ opens: Date; closes: Date; window: MaintenanceWindow }> = [];
  for (const window of windows) {
    for (let offset = -1; offset <= days; offset += 1) {
      const midnight = new Date(atMinute(from, offset, 0, window.zone));
      const weekday = window.zone === 'utc' ? midnight.getUTCDay() : midnight.getDay();
      if (!window.days.includes(weekday)) continue;
      const opens = atMinute(from, offset, window.startMinute, window.zone);
      const closes = atMinute(from, offset, window.startMinute + window.lengthMinutes, window.zone);
      out.push({ opens: new Date(opens), closes: new Date(closes), window });
    }
  }
  return out.sort((a, b) => a.opens.getTime() - b.opens.getTime());
}

/**
 * When the window `now` is in closes; undefined when `now` is in none.
 * Windows that overlap or touch count as one (Sat 22:00-24:00, Sun 00:00-04:00).
 */
export function windowCloses(windows: readonly MaintenanceWindow[], now: Date): Date | undefined {
  const occurrences = windowOccurrences(windows, now);
  let closes: number | undefined;
  for (let changed = true; changed;) {
    changed = false;
    const point = closes ?? now.getTime();
    for (const occurrence of occurrences) {
      const inside = occurrence.opens.getTime() <= point && (closes === undefined ? point < occurrence.closes.getTime() : point <= occurrence.closes.getTime());
      if (inside && occurrence.closes.getTime() > (closes ?? -Infinity)) {
        closes = occurrence.closes.getTime();
        changed = true;
      }
    }
  }
  return closes === undefined ? undefined : new Date(closes);
}

/** When a window next opens after `now` (within 8 days), for "not now: it opens at …". */
export function nextWindowOpens(windows: readonly MaintenanceWindow[], now: Date): Date | undefined {
  return windowOccurrences(windows, now).find((occurrence) => occurrence.opens.getTime() > now.getTime())?.opens;
}

/**
 * `--until`: an ISO timestamp (with a zone, or local), or HH:MM meaning the
 * next such local time (today, else tomorrow; `HH:MM UTC` in UTC).
 */
export function parseUntil(text: string, now: Date): Date {
  const clock = /^(\d{1,2}:\d{2})(?:\s*(utc|z))?$/i.exec(text.trim());
  if (clock) {
    const minute = parseClock(clock[1]!, false);
    if (minute === undefined) throw new UsageError(`--until ${text}: not a time of day`, 'write --until 05:00, --until "05:00 UTC" or an ISO time like 2024-05-04T05:00:00Z');
    const zone: WindowZone = clock[2] ? 'utc' : 'local';
    const today = atMinute(now, 0, minute, zone);
    return new Date(today > now.getTime() ? today : atMinute(now, 1, minute, zone));
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text.trim())) {
    const at = Date.parse(text.trim().replace(' ', 'T'));
    if (Number.isFinite(at)) return new Date(at);
  }
  throw new UsageError(`--until ${text}: neither HH:MM nor an ISO time`, 'write --until 05:00, --until "05:00 UTC" or --until 2024-05-04T05:00:00Z');
}

export interface WindowLimits {
  windows?: readonly MaintenanceWindow[] | undefined;
  until?: Date | undefined;
}

/** When the run must have finished its steps: the earlier of the window's close and --until; undefined: not allowed to run now. */
export function runDeadline(limits: WindowLimits, now: Date): { closes: Date } | { closes: undefined; reason: string } {
  let closes = limits.until;
  if (closes !== undefined && closes.getTime() <= now.getTime()) return { closes: undefined, reason: `--until ${closes.toISOString()} has passed` };
  if (limits.windows && limits.windows.length > 0) {
    const windowEnd = windowCloses(limits.windows, now);
    if (windowEnd === undefined) {
      const opens = nextWindowOpens(limits.windows, now);
      return { closes: undefined, reason: `outside the maintenance window (${limits.windows.map((w) => w.text).join(', ')})${opens ? `: it opens at ${opens.toISOString()}` : ''}` };
    }
    if (closes === undefined || windowEnd.getTime() < closes.getTime()) closes = windowEnd;
  }
  if (closes === undefined) throw new Error('runDeadline: neither a window nor --until');
  return { closes };
}

/** Defaults when no earlier step of the kind tells: per batch of nodes, and for the steps that touch no node. */
export const DEFAULT_ESTIMATES = {
  perNodeBatchMs: 10 * MINUTE,
  factsMs: 2 * MINUTE,
  cleanupMs: 1 * MINUTE,
  etcdSnapshotMs: 2 * MINUTE,
  verifyMs: 1 * MINUTE,
} as const;

const NODE_KINDS = new Set(['control-plane', 'canary', 'workers']);
/** Kubespray's own worker serial when kspray sets none (upgrade-cluster.yml: `serial | default('20%')`). */
const KUBESPRAY_WORKER_SERIAL = 0.2;

/**
 * How many batches Kubespray runs a step's hosts in: the control-plane play
 * goes one node at a time (serial: 1); workers by kspray's serial, else 20%.
 */
export function batchesOf(step: Pick<PlanStep, 'kind' | 'hosts' | 'serial'>): number {
  const hosts = step.hosts.length;
  if (!NODE_KINDS.has(step.kind)) return 1;
  if (hosts === 0) return 0;
  if (step.kind === 'control-plane') return hosts;
  const size = step.serial ?? Math.max(1, Math.floor(hosts * KUBESPRAY_WORKER_SERIAL));
  return Math.ceil(hosts / Math.max(1, size));
}

export interface EstimateInput {
  /** Earlier samples: stepDurationsByHost(journal). */
  samples: Readonly<Record<string, readonly StepDurationSample[]>>;
  /** How many batches each earlier step ran in (the recorded plan knows); default 1. */
  batchesOfStep?: (stepId: string) => number;
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A step's expected duration: the median time one batch took in earlier
 * steps of the same kind (else canary and workers learn from each other,
 * else from any node-upgrade step), times
 * this step's batches. A host's sample is its step's whole duration when the
 * events gave no per-host time, so it is divided by that step's batches.
 */
export function estimateStepMs(step: Pick<PlanStep, 'kind' | 'hosts' | 'serial'>, input: EstimateInput): number {
  const batches = batchesOf(step);
  const isNode = NODE_KINDS.has(step.kind);
  const perBatch = (kinds: (kind: string) => boolean): number | undefined => {
    const values: number[] = [];
    const seenSteps = new Set<string>();
    for (const samples of Object.values(input.samples)) {
      for (const sample of samples) {
        if (!kinds(sample.kind)) continue;
        // Every host of a step carries the same step-wide duration: count the step once.
        const key = `${sample.stepId}:${sample.durationMs}`;
        if (seenSteps.has(key)) continue;
        seenSteps.add(key);
        values.push(sample.durationMs / Math.max(1, input.batchesOfStep?.(sample.stepId) ?? 1));
      }
    }
    return median(values);
  };
  const workerKinds = (kind: string): boolean => kind === 'canary' || kind === 'workers';
  const learned = perBatch((kind) => kind === step.kind)
    ?? (workerKinds(step.kind) ? perBatch(workerKinds) : undefined)
    ?? (isNode ? perBatch((kind) => NODE_KINDS.has(kind)) : undefined);
  if (learned !== undefined) return Math.round(learned * Math.max(1, batches));
  if (isNode) return DEFAULT_ESTIMATES.perNodeBatchMs * batches;
  if (step.kind === 'facts') return DEFAULT_ESTIMATES.factsMs;
  if (step.kind === 'cleanup-caches') return DEFAULT_ESTIMATES.cleanupMs;
  if (step.kind === 'etcd-snapshot') return DEFAULT_ESTIMATES.etcdSnapshotMs;
  return DEFAULT_ESTIMATES.verifyMs;
}

export type StartVerdict = { go: true } | { go: false; reason: string };

/** Start the step only if it should end before the window closes. */
export function shouldStart(step: Pick<PlanStep, 'id'>, now: Date, closes: Date | undefined, estimateMs: number): StartVerdict {
  if (closes === undefined) return { go: false, reason: `${step.id} not started: outside the maintenance window` };
  const ends = now.getTime() + estimateMs;
  if (ends <= closes.getTime()) return { go: true };
  return {
    go: false,
    reason: `${step.id} not started: it takes about ${formatDuration(estimateMs)} and the window closes at ${closes.toISOString()} (${formatDuration(Math.max(0, closes.getTime() - now.getTime()))} left)`,
  };
}

export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / MINUTE);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** What apply needs to know about the recorded plan: each step's batches, by id. */
export function planBatches(plan: { hops?: ReadonlyArray<{ steps?: ReadonlyArray<Pick<PlanStep, 'id' | 'kind' | 'hosts' | 'serial'>> }> } | undefined): (stepId: string) => number {
  const byId = new Map<string, number>();
  for (const hop of plan?.hops ?? []) for (const step of hop.steps ?? []) byId.set(step.id, batchesOf(step));
  return (stepId) => byId.get(stepId) ?? 1;
}

/**
 * apply's `beforeStep` for a maintenance window: asks the clock at each step
 * boundary, estimates the step from the journal's earlier durations, and
 * stops the run when the step would not end in time.
 */
export function windowGate(limits: WindowLimits, now: () => Date): (step: PlanStep, journal: Journal) => Promise<StartVerdict> {
  return async (step: PlanStep, journal: Journal): Promise<StartVerdict> => {
    const at = now();
    const deadline = runDeadline(limits, at);
    if (deadline.closes === undefined) return { go: false, reason: `${step.id} not started: ${deadline.reason}` };
    return shouldStart(step, at, deadline.closes, estimateStepMs(step, estimateInputOf(journal)));
  };
}

/**
 * apply's `fitSteps` for a maintenance window: how many of these steps (the
 * waves of a shared run), run back to back from now, end before it closes.
 */
export function windowFit(limits: WindowLimits, now: () => Date): (steps: readonly PlanStep[], journal: Journal) => Promise<number> {
  return async (steps: readonly PlanStep[], journal: Journal): Promise<number> => {
    const at = now();
    const deadline = runDeadline(limits, at);
    if (deadline.closes === undefined) return 0;
    const input = estimateInputOf(journal);
    let ends = at.getTime();
    let count = 0;
    for (const step of steps) {
      ends += estimateStepMs(step, input);
      if (ends > deadline.closes.getTime()) break;
      count++;
    }
    return count;
  };
}

/** What the journal tells about durations: earlier steps' samples, and each recorded step's batches. */
function estimateInputOf(journal: Journal): EstimateInput {
  return { samples: stepDurationsByHost(journal), batchesOfStep: planBatches(journal.plan as Parameters<typeof planBatches>[0]) };
}
