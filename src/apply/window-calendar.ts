/**
 * The calendar of maintenance windows: when a window opens and closes, and
 * by when a run must have finished its steps. Pure: the clock is passed in.
 */
import { atMinute, type MaintenanceWindow } from './window-spec.js';

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
