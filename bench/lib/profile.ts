/**
 * `--profile`: runs a command once more under `node --cpu-prof` and prints
 * where the time went, by package (self time) and by function, so a missed
 * target comes with its hotspot.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureProcess, type MeasureOptions } from './proc.js';

export const profileRequested = process.argv.includes('--profile');

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

/** Who a profiled function belongs to: an npm package, a kspray directory, node's internals, or V8. */
function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node internals (module loading, fs, …)';
  if (url.endsWith('/dist/bundle/kspray.cjs')) return 'dist/bundle/kspray.cjs (kspray and the packages bundled in)';
  if (url.endsWith('/bin/kspray.js')) return 'bin/kspray.js (the launcher)';
  const own = /\/(?:dist|src)\/([^/]+)\//.exec(url);
  return own ? `kspray ${own[1]}/` : url;
}

export interface ProfileSummary {
  totalMs: number;
  byOwner: Array<[string, number]>;
  byFunction: Array<[string, number]>;
}

export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const us = profile.timeDeltas[index] ?? 0;
    if (!node) return;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const owner = ownerOf(url, functionName);
    owners.set(owner, (owners.get(owner) ?? 0) + us);
    const where = url ? `${url.split('/').slice(-2).join('/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    functions.set(key, (functions.get(key) ?? 0) + us);
  });
  const sorted = (map: Map<string, number>): Array<[string, number]> => [...map.entries()].map(([k, v]): [string, number] => [k, v / 1000]).sort((a, b) => b[1] - a[1]);
  return { totalMs: total / 1000, byOwner: sorted(owners), byFunction: sorted(functions) };
}

/** Runs `node --cpu-prof <args>` (argv must start with 'node') and summarizes the profile. */
export async function profileProcess(argv: readonly string[], options: MeasureOptions = {}): Promise<ProfileSummary | undefined> {
  if (argv[0] !== 'node') return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'kspray-bench-prof-'));
  try {
    await measureProcess(['node', '--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200', ...argv.slice(1)], options);
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) return undefined;
    return summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printProfile(summary: ProfileSummary | undefined, log: (line: string) => void, top = 12): void {
  if (!summary) {
    log('    (no profile written)');
    return;
  }
  log(`    CPU profile: ${summary.totalMs.toFixed(0)} ms sampled; self time by owner:`);
  for (const [owner, msSelf] of summary.byOwner.slice(0, 10)) log(`      ${msSelf.toFixed(0).padStart(6)} ms  ${owner}`);
  log('    hottest functions (self time):');
  for (const [fn, msSelf] of summary.byFunction.slice(0, top)) log(`      ${msSelf.toFixed(0).padStart(6)} ms  ${fn}`);
}
