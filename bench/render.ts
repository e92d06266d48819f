/**
 * Validate + render benchmark: `node --import tsx bench/render.ts`.
 *
 * A generated 15,000-node cluster file (3 stacked control-plane/etcd nodes,
 * the rest workers with labels, iface, zone and two host vars; k1's network
 * and addons, rbd secrets from dummy environment values), written as YAML.
 * Measures, in this process, `loadClusterFile` (YAML parse, schema, rules,
 * secret probes) then `renderInventory` + `renderExtraVars` for v2.16.0, with
 * a breakdown of the load's phases; then the whole built CLI as users run it,
 * `kspray render -c big.yaml --tag v2.16.0 --out DIR`, with its peak RSS.
 * Targets: validate + render under 1 s wall; the process under 300 MB peak.
 *
 * Flags: --nodes N (default 15000), --control-planes 3|5, --profile (CPU
 * profile of the process by package and function), --strict, --no-build, --keep.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { loadCatalog } from '../src/catalog/load.js';
import { loadClusterFile } from '../src/model/load.js';
import { checkRules } from '../src/model/rules.js';
import { cluster as clusterSchema } from '../src/model/schema.js';
import { renderExtraVars } from '../src/render/extra-vars.js';
import { renderInventory } from '../src/render/inventory.js';
import { renderTarget } from '../src/render/target.js';
import { BENCH_SECRET_ENV, writeClusterModel } from './lib/model.js';
import { BenchReport, mb, ms, numberFlag, selfPeakRssKb, timeAsync, timeSync } from './lib/measure.js';
import { ensureBuilt, ksprayArgv, measureProcess } from './lib/proc.js';
import { printProfile, profileProcess, profileRequested } from './lib/profile.js';

const TAG = 'v2.16.0';
const WALL_TARGET_MS = 1000;
const RSS_TARGET_KB = 300 * 1024;

async function inProcess(report: BenchReport, file: string): Promise<void> {
  const env = { ...BENCH_SECRET_ENV };
  const load = await timeAsync(() => loadClusterFile(file, { checkSecrets: true, env }));
  if (!load.value.ok) throw new Error(`the generated model is invalid: ${load.value.problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const cluster = load.value.cluster;
  const target = timeSync(() => renderTarget(loadCatalog().requireTag(TAG)));
  const render = timeSync(() => ({
    inventory: renderInventory(cluster, target.value),
    extraVars: renderExtraVars(cluster, target.value, (ref) => ('fromEnv' in ref ? env[ref.fromEnv] ?? '' : '')),
  }));
  const total = load.wallMs + target.wallMs + render.wallMs;
  report.target('validate + render (first call)', total, WALL_TARGET_MS, ms, `CPU ${ms(load.cpuMs + target.cpuMs + render.cpuMs)}`);
  report.info('  loadClusterFile', ms(load.wallMs), `CPU ${ms(load.cpuMs)}; ${cluster.nodes.length} nodes, ${load.value.warnings.length} warnings`);
  report.info('  catalog + renderTarget', ms(target.wallMs));
  report.info('  renderInventory + renderExtraVars', ms(render.wallMs), `inventory ${(render.value.inventory.length / 1e6).toFixed(1)} MB, ${render.value.inventory.split('\n').length} lines`);
  report.flush('in-process (tsx):');

  // The same load again, phase by phase, with the functions load.ts calls (warm now).
  const text = readFileSync(file, 'utf8');
  const parse = timeSync(() => parseDocument(text, { lineCounter: new LineCounter(), prettyErrors: false, uniqueKeys: true }));
  const toJs = timeSync(() => parse.value.toJS() as unknown);
  const schema = timeSync(() => clusterSchema.safeParse(toJs.value));
  if (!schema.value.success) throw new Error('the generated model fails the schema');
  const parsed = schema.value.data;
  const rules = timeSync(() => checkRules(parsed, () => ({ ok: true })));
  const again = timeSync(() => renderInventory(parsed, target.value));
  report.info('YAML parseDocument (LineCounter, uniqueKeys)', ms(parse.wallMs), `CPU ${ms(parse.cpuMs)}; ${(text.length / 1e6).toFixed(1)} MB of YAML`);
  report.info('doc.toJS', ms(toJs.wallMs));
  report.info('zod cluster schema', ms(schema.wallMs));
  report.info('checkRules', ms(rules.wallMs), `${rules.value.length} problems`);
  report.info('renderInventory', ms(again.wallMs));
  report.info('peak RSS of this process so far', mb(selfPeakRssKb()), 'includes tsx and the runs above');
  report.flush('breakdown (second pass, warm):');
}

async function wholeProcess(report: BenchReport, dir: string, file: string): Promise<void> {
  const out = join(dir, 'out');
  const args = ['render', '-c', file, '--tag', TAG, '--out', out];
  const env = { ...BENCH_SECRET_ENV, KSPRAY_CACHE_DIR: join(dir, 'cache') };
  const result = await measureProcess(ksprayArgv(args), { env, usage: true });
  if (result.exitCode !== 0) throw new Error(`kspray render exited ${result.exitCode}: ${result.stderr.split('\n').slice(-5).join('\n')}`);
  const inventory = statSync(join(out, 'inventories', 'big', 'inventory.ini')).size;
  const cpu = result.cpuMs === undefined ? '' : `CPU ${ms(result.cpuMs)}; `;
  report.target('kspray render (whole process)', result.wallMs, WALL_TARGET_MS, ms, `${cpu}wrote a ${(inventory / 1e6).toFixed(1)} MB inventory`);
  if (result.peakRssKb === undefined) report.info('peak RSS', 'n/a', 'no /usr/bin/time and no report from the child');
  else report.target('peak RSS', result.peakRssKb, RSS_TARGET_KB, mb, result.usageSource === 'gnu-time' ? '/usr/bin/time %M' : 'maxRSS reported by the child');
  report.flush(`whole process: node bin/kspray.js ${args.join(' ').replaceAll(dir, '$TMP')}`);
  if (profileRequested) {
    rmSync(out, { recursive: true, force: true });
    printProfile(await profileProcess(ksprayArgv(args), { env }), (line) => console.log(line));
  }
}

export async function runRenderBench(): Promise<void> {
  const nodes = numberFlag('--nodes', 15_000);
  const controlPlanes = numberFlag('--control-planes', 3) === 5 ? 5 : 3;
  const report = new BenchReport(`render benchmark: ${nodes.toLocaleString('en')} nodes (${controlPlanes} control-plane/etcd), Kubespray ${TAG}`);
  report.line(await ensureBuilt());
  const dir = mkdtempSync(join(tmpdir(), 'kspray-bench-render-'));
  try {
    const written = await timeAsync(() => writeClusterModel(dir, { nodes, controlPlanes, name: 'big' }));
    report.line(`generated ${written.value.replace(dir, '$TMP')} (${(statSync(written.value).size / 1e6).toFixed(1)} MB) in ${ms(written.wallMs)}`);
    await inProcess(report, written.value);
    await wholeProcess(report, dir, written.value);
    report.finish();
  } finally {
    if (process.argv.includes('--keep')) console.log(`  kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runRenderBench();
}
