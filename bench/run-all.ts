/**
 * Runs every benchmark: `npm run bench` (builds dist/ first), or
 * `node --import tsx bench/run-all.ts [--strict] [--profile] [--only a,b]`.
 *
 * Each bench/*.ts (but this one) runs as its own process, one after the
 * other, so one bench's heap and JIT state never colour another's figures;
 * their output is streamed as it comes. Flags are passed on to every bench.
 * Exit code: 0 unless a benchmark could not run to the end (or, with
 * --strict, missed a target: the benchmarks then exit 1 themselves).
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { run } from '../src/process/exec.js';
import { loadAverage, machineLine, ms } from './lib/measure.js';

const benchDir = import.meta.dirname;
const self = basename(import.meta.filename);

function selected(): string[] {
  const onlyIndex = process.argv.indexOf('--only');
  const only = onlyIndex === -1 ? undefined : (process.argv[onlyIndex + 1] ?? '').split(',').map((name) => name.replace(/\.ts$/, ''));
  return readdirSync(benchDir)
    .filter((name) => name.endsWith('.ts') && name !== self && !name.endsWith('.test.ts'))
    .filter((name) => only === undefined || only.includes(name.replace(/\.ts$/, '')))
    .sort();
}

function passThrough(): string[] {
  const args = process.argv.slice(2);
  const onlyIndex = args.indexOf('--only');
  if (onlyIndex !== -1) args.splice(onlyIndex, 2);
  return args;
}

async function main(): Promise<void> {
  const benches = selected();
  console.log(`kspray benchmarks: ${benches.join(', ')}`);
  console.log(`machine: ${machineLine()}`);
  const results: Array<{ name: string; exitCode: number; wallMs: number; load: string }> = [];
  for (const name of benches) {
    console.log(`\n=== ${name} (node --import tsx bench/${name}) ===`);
    const start = performance.now();
    const result = await run(['node', '--import', 'tsx', join(benchDir, name), ...passThrough()], {
      cwd: join(benchDir, '..'),
      reject: false,
      onStdoutLine: (line) => console.log(line),
      onStderrLine: (line) => console.error(line),
    });
    results.push({ name, exitCode: result.exitCode, wallMs: performance.now() - start, load: loadAverage() });
  }
  console.log('\n=== summary ===');
  for (const r of results) {
    const outcome = r.exitCode === 0 ? 'ran' : `exit ${r.exitCode}`;
    console.log(`  ${r.name.padEnd(16)} ${outcome.padEnd(8)} ${ms(r.wallMs).padStart(10)}  (load ${r.load})`);
  }
  if (results.some((r) => r.exitCode !== 0)) process.exitCode = 1;
}

await main();
