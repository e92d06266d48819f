/**
 * Maintenance windows as the operator writes them: `--window` and `--until`.
 * Pure.
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
export function atMinute(date: Date, offsetDays: number, minute: number, zone: WindowZone): number {
  if (zone === 'utc') return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + offsetDays, 0, minute);
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + offsetDays, 0, minute).getTime();
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
