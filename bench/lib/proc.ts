/**
 * Whole-process measurements: the built CLI run as users run it, through the
 * project's one process chokepoint. Wall time is taken in this process around
 * the child; peak RSS comes from GNU time (`%M`) when /usr/bin/time exists,
 * else from the child itself (`process.resourceUsage().maxRSS` on exit).
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../src/process/exec.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const ksprayBin = join(repoRoot, 'bin', 'kspray.js');
const GNU_TIME = '/usr/bin/time';

// Loaded with --import when there is no GNU time: the child reports its own
// peak RSS (KB) and CPU seconds, in GNU time's `%M %U %S` layout.
const USAGE_HOOK = `data:text/javascript,${encodeURIComponent(
  'import { writeFileSync } from "node:fs"; process.on("exit", () => { const f = process.env.KSPRAY_BENCH_USAGE_FILE; const u = process.resourceUsage(); if (f) writeFileSync(f, `${u.maxRSS} ${u.userCPUTime / 1e6} ${u.systemCPUTime / 1e6}`); });',
)}`;

export interface ProcessFigures {
  wallMs: number;
  /** Peak resident set size in KB, when asked for and measurable. */
  peakRssKb: number | undefined;
  /** User + system CPU time of the child in ms, when asked for and measurable. */
  cpuMs: number | undefined;
  /** How the peak and CPU time were measured. */
  usageSource: 'gnu-time' | 'self' | 'none';
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface MeasureOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Measure peak RSS and CPU time (GNU time, or the child's own report). */
  usage?: boolean;
  timeoutMs?: number;
}

export function hasGnuTime(): boolean {
  return existsSync(GNU_TIME);
}

/** Runs argv once and measures it. Never throws on a non-zero exit: the caller reports it. */
export async function measureProcess(argv: readonly string[], options: MeasureOptions = {}): Promise<ProcessFigures> {
  const scratch = options.usage ? mkdtempSync(join(tmpdir(), 'kspray-bench-usage-')) : undefined;
  const usageFile = scratch ? join(scratch, 'usage') : undefined;
  let command = [...argv];
  let source: ProcessFigures['usageSource'] = 'none';
  const env: Record<string, string | undefined> = { NO_COLOR: '1', ...options.env };
  if (usageFile && hasGnuTime()) {
    command = [GNU_TIME, '-f', '%M %U %S', '-o', usageFile, ...argv];
    source = 'gnu-time';
  } else if (usageFile && argv[0] === 'node') {
    command = ['node', '--import', USAGE_HOOK, ...argv.slice(1)];
    env.KSPRAY_BENCH_USAGE_FILE = usageFile;
    source = 'self';
  }
  try {
    const start = performance.now();
    const result = await run(command, { cwd: options.cwd ?? repoRoot, env, reject: false, timeoutMs: options.timeoutMs ?? 600_000 });
    const wallMs = performance.now() - start;
    const usage = usageFile && existsSync(usageFile) ? parseUsage(readFileSync(usageFile, 'utf8')) : undefined;
    return {
      wallMs, peakRssKb: usage?.peakRssKb, cpuMs: usage?.cpuMs, usageSource: usage ? source : 'none',
      exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr,
    };
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** `node bin/kspray.js …args`. */
export function ksprayArgv(args: readonly string[]): string[] {
  return ['node', ksprayBin, ...args];
}

function parseUsage(text: string): { peakRssKb: number; cpuMs: number } | undefined {
  // GNU time writes "Command exited with non-zero status N" before the figures on failures.
  const [rss, user, system] = (text.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  if (![rss, user, system].every((n) => n !== undefined && Number.isFinite(n))) return undefined;
  return { peakRssKb: rss!, cpuMs: (user! + system!) * 1000 };
}

/** The newest modification time among the non-test sources under src/. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Whole-process figures are only worth something against a current build:
 * builds dist/ (tsc, then the start-up bundle dist/bundle/kspray.cjs that
 * bin/kspray.js runs: `npm run build`) when either is missing or older than
 * src/ (`--no-build` skips that and measures whatever dist/ holds). Returns a
 * note for the output.
 */
export async function ensureBuilt(log: (line: string) => void = console.log): Promise<string> {
  const outputs = [join(repoRoot, 'dist', 'cli', 'main.js'), join(repoRoot, 'dist', 'bundle', 'kspray.cjs')];
  const built = Math.min(...outputs.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)));
  const stale = built === 0 || newestSource(join(repoRoot, 'src')) > built;
  if (!stale) return 'dist/ is current';
  if (process.argv.includes('--no-build')) return built === 0 ? 'dist/ is missing (--no-build)' : 'dist/ is older than src/ (--no-build): figures are for the old build';
  log('  building dist/ (tsc -p tsconfig.build.json, then node scripts/bundle.mjs) …');
  const tsc = await run(['node', join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: repoRoot, reject: false });
  if (tsc.exitCode !== 0) {
    log(tsc.stdout.split('\n').slice(0, 10).map((line) => `    ${line}`).join('\n'));
    // tsc emits despite type errors (noEmitOnError is off); the bundle (esbuild) does not type-check.
  }
  const bundle = await run(['node', join(repoRoot, 'scripts', 'bundle.mjs')], { cwd: repoRoot, reject: false });
  if (bundle.exitCode !== 0) {
    log(bundle.stderr.split('\n').slice(0, 10).map((line) => `    ${line}`).join('\n'));
    // bin/kspray.js falls back to tsc's per-file build when the bundle is missing or older.
    return 'the bundle FAILED (above): bin/kspray.js runs tsc\'s per-file dist/: figures are not for the shipped start-up path';
  }
  return tsc.exitCode === 0 ? 'dist/ rebuilt' : 'tsc reported errors (above); dist/ and the bundle were still built: figures are for them';
}
