/**
 * A k1-like cluster wired to a Kubespray-shaped fixture repo: the catalog is
 * refreshed from the fixture (its shas are the fixture's), hosts run on
 * ansible_connection=local, and the fixture's plays write a journal of
 * `host play kube_version` lines and fake node state.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { buildKubesprayRepo, FIXTURE_ENV, readFixtureJournal, type FixtureJournalLine } from '../fixtures/kubespray-repo.js';
import { runCli, type CliResult } from './cli.js';

export interface ApplyFixture {
  dir: string;
  clusterFile: string;
  cacheDir: string;
  fixtureJournal: string;
  stateDir: string;
  env: Record<string, string>;
  shas: Record<string, string>;
  kspray(args: readonly string[], extraEnv?: Record<string, string>, options?: { preflight?: boolean; etcdSnapshot?: boolean }): Promise<CliResult>;
  journal(): FixtureJournalLine[];
}

export const K1_MASTERS = ['k1-master01', 'k1-master02', 'k1-master03'];

export function k1Workers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `k1-node${String(i + 1).padStart(2, '0')}`);
}

export async function setupApplyFixture(dir: string, options: { tags: string[]; workers?: number; version?: string; tag?: string; extra?: Record<string, unknown> }): Promise<ApplyFixture> {
  const repo = await buildKubesprayRepo({ dir: join(dir, 'kubespray'), tags: options.tags });
  const cacheDir = join(dir, 'cache');
  const fixtureJournal = join(dir, 'fixture-journal.log');
  const stateDir = join(dir, 'nodes');
  const env = {
    KSPRAY_CACHE_DIR: cacheDir,
    [FIXTURE_ENV.journal]: fixtureJournal,
    [FIXTURE_ENV.stateDir]: stateDir,
    ANSIBLE_HOST_KEY_CHECKING: 'False',
  };
  const workers = k1Workers(options.workers ?? 5);
  const nodes = [
    ...K1_MASTERS.map((name, i) => ({ name, ip: `192.168.30.${13 + i}`, roles: ['control-plane', 'etcd'], vars: { ansible_connection: 'local' } })),
    ...workers.map((name, i) => ({ name, ip: `192.168.31.${10 + i}`, roles: ['worker'], vars: { ansible_connection: 'local' } })),
  ];
  const cluster = {
    name: 'k1',
    kubernetes: { version: options.version ?? 'v1.16.3' },
    kubespray: { repo: repo.url, tag: options.tag ?? 'v2.12.10', ansible: 'system', forks: 10 },
    nodes,
    network: { plugin: 'calico', calico: { ipipMode: 'Never' } },
    kubeProxy: { mode: 'ipvs' },
    // The hosts are this machine: the cache cleanup must touch the test's files, never /root's.
    preflight: { cachePaths: [join(dir, 'caches', 'kube-http-cache'), join(dir, 'caches', 'docker-config')] },
    ...options.extra,
  };
  await mkdir(join(dir, 'caches'), { recursive: true });
  await writeFile(join(dir, 'caches', 'docker-config'), '{"auths": {"stale.example": {}}}\n');
  const clusterDir = join(dir, 'inventories', 'k1');
  await mkdir(clusterDir, { recursive: true });
  const clusterFile = join(clusterDir, 'cluster.yaml');
  await writeFile(clusterFile, stringify(cluster));
  // The fixture's hosts run no etcd and no kubeadm, so a real apply's preflight gate would block:
  // apply runs with --skip-preflight unless a test asks for the gate (test/preflight-apply.test.ts).
  // Without the fake API (no --kubeconfig) there is no cluster API: no API, no drain, unless waived,
  // so such a run waives it as an operator would (--no-cluster-api --reason). The fixture's hosts run
  // no etcd either: the snapshot before the control plane is waived the same way, unless a test gives
  // the hosts the real etcd of the tests (test/etcd-snapshot.test.ts).
  const kspray = (args: readonly string[], extraEnv: Record<string, string> = {}, options: { preflight?: boolean; etcdSnapshot?: boolean } = {}) => {
    const running = args[0] === 'apply' && !args.includes('--dry-run');
    return runCli([...args, ...(running ? fixtureWaivers(args, options, extraEnv) : [])], { cwd: dir, env: { ...env, ...extraEnv } });
  };
  // Refresh skips a tag it cannot read (meta.skipped_tags); under a loaded CI machine that has
  // happened once, so check every tag arrived and refresh again before giving up.
  for (let attempt = 1; ; attempt++) {
    const refresh = await kspray(['catalog', 'refresh', '--repo', repo.path]);
    if (refresh.exitCode !== 0) throw new Error(`catalog refresh failed: ${refresh.stderr}`);
    const catalog = JSON.parse(await readFile(join(cacheDir, 'catalog.json'), 'utf8')) as { tags: Array<{ tag: string }>; meta?: { skipped_tags?: unknown } };
    const missing = options.tags.filter((tag) => !catalog.tags.some((record) => record.tag === tag));
    if (missing.length === 0) break;
    if (attempt === 2) throw new Error(`catalog refresh left out ${missing.join(', ')}: ${JSON.stringify(catalog.meta?.skipped_tags)}`);
    console.warn(`catalog refresh left out ${missing.join(', ')} (${JSON.stringify(catalog.meta?.skipped_tags)}); refreshing again`);
  }
  return { dir, clusterFile, cacheDir, fixtureJournal, stateDir, env, shas: repo.shas, kspray, journal: () => readFixtureJournal(fixtureJournal) };
}

/** What a fixture apply waives, unless the test gives it (or waives it) itself. */
export function fixtureWaivers(args: readonly string[], options: { preflight?: boolean; etcdSnapshot?: boolean } = {}, env: Record<string, string> = {}): string[] {
  return [
    ...(!options.preflight && !args.includes('--skip-preflight') ? ['--skip-preflight'] : []),
    ...(!args.includes('--kubeconfig') && !args.includes('--no-cluster-api') && env.KUBECONFIG === undefined ? ['--no-cluster-api', '--reason', 'the fixture has no Kubernetes API'] : []),
    ...(!options.etcdSnapshot && !args.includes('--no-etcd-snapshot') ? ['--no-etcd-snapshot', '--reason', 'the fixture hosts run no etcd'] : []),
  ];
}
