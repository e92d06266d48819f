/**
 * What every benchmark shares: timing, medians, the machine's load, and a
 * report that prints each figure with its target. Benchmarks print; they do
 * not fail on time, except with `--strict` (exit 1 when a target is missed),
 * because wall time on a shared machine is a measurement, not a verdict.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export const strict = process.argv.includes('--strict');

/** `--name N` as a positive integer, else `fallback`. */
export function numberFlag(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

/** `1m 5m 15m` from /proc/loadavg, or `n/a` where there is none. */
export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}

/** One line about the machine, for the top of a benchmark's output. */
export function machineLine(): string {
  const cpu = cpus();
  return `node ${process.version}, ${cpu.length} CPU (${cpu[0]?.model.trim() ?? 'unknown'}), load ${loadAverage()}`;
}

export interface Timed<T> {
  value: T;
  wallMs: number;
  /** CPU time of this process (user + system) spent in the call: less sensitive to load than wall time. */
  cpuMs: number;
}

export function timeSync<T>(fn: () => T): Timed<T> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = fn();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { value, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

export async function timeAsync<T>(fn: () => Promise<T>): Promise<Timed<T>> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await fn();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { value, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function ms(value: number): string {
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ms`;
}

export function mb(kilobytes: number): string {
  return `${(kilobytes / 1024).toFixed(0)} MB`;
}

/** Peak RSS of this process so far, in kilobytes. */
export function selfPeakRssKb(): number {
  return process.resourceUsage().maxRSS;
}

interface Row { label: string; text: string; note: string }

/**
 * Collects figures and prints them aligned. `target` records whether a
 * figure met its limit; `finish` prints the summary and sets the exit code
 * (non-zero only with --strict).
 */
export class BenchReport {
  private readonly missed: string[] = [];
  private rows: Row[] = [];

  constructor(private readonly title: string, private readonly log: (line: string) => void = console.log) {
    this.log(`${title}`);
    this.log(`  machine: ${machineLine()}`);
  }

  /** A figure without a target (context, breakdowns). */
  info(label: string, text: string, note = ''): void {
    this.rows.push({ label, text, note });
  }

  /** A figure with a target `value < limit`; prints met/MISSED and the load at the time it was taken. */
  target(label: string, value: number, limit: number, format: (n: number) => string, note = ''): boolean {
    const met = value < limit;
    if (!met) this.missed.push(label);
    const verdict = `target < ${format(limit)}: ${met ? 'met' : 'MISSED'}`;
    this.rows.push({ label, text: format(value), note: [verdict, note, `load ${loadAverage()}`].filter(Boolean).join('; ') });
    return met;
  }

  /** Prints the rows collected since the last flush, under an optional heading. */
  flush(heading?: string): void {
    if (heading) this.log(`  ${heading}`);
    const width = Math.max(0, ...this.rows.map((row) => row.label.length));
    const valueWidth = Math.max(0, ...this.rows.map((row) => row.text.length));
    for (const row of this.rows) {
      this.log(`    ${row.label.padEnd(width)}  ${row.text.padStart(valueWidth)}${row.note ? `  (${row.note})` : ''}`);
    }
    this.rows = [];
  }

  line(text: string): void {
    this.log(`  ${text}`);
  }

  finish(): void {
    this.flush();
    this.log(this.missed.length === 0 ? `  ${this.title}: every target met` : `  ${this.title}: MISSED ${this.missed.join(', ')}`);
    if (strict && this.missed.length > 0) process.exitCode = 1;
  }
}
