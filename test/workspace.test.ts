/**
 * The Kubespray workspace per hop against real git (a Kubespray-shaped repo
 * served as file://) and the real ansible-inventory / ansible-config.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse as parseIni } from 'ini';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { groupMembers, inventoryList } from '../src/ansible/inventory.js';
import { loadCatalog } from '../src/catalog/load.js';
import { loadClusterFile, type LoadedCluster } from '../src/model/load.js';
import { hopWorkspace } from '../src/plan/plan.js';
import { run } from '../src/process/exec.js';
import { ensureKubesprayCheckout, kubesprayCachePaths } from '../src/kubespray/checkout.js';
import { prepareHopWorkspace } from '../src/kubespray/workspace.js';
import { KsprayError } from '../src/util/errors.js';
import { buildKubesprayRepo, type FixtureRepo } from './fixtures/kubespray-repo.js';
import { k1ClusterFile, k1SecretEnv } from './helpers/cli.js';

const TAGS = ['v2.13.2', 'v2.16.0'];
const masters = ['k1-master01', 'k1-master02', 'k1-master03'];
const workers = ['k1-node01', 'k1-node02', 'k1-node03', 'k1-node04', 'k1-node05'];

const temps: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kspray-ws-${prefix}-`));
  temps.push(dir);
  return dir;
}

let repo: FixtureRepo;
let k1: LoadedCluster;
const savedCacheEnv = process.env.KSPRAY_CACHE_DIR;

beforeAll(async () => {
  // The catalog loader looks for a refreshed catalog in the cache: keep it on the bundled one.
  process.env.KSPRAY_CACHE_DIR = tempDir('no-catalog');
  repo = await buildKubesprayRepo({ dir: join(tempDir('repo'), 'kubespray'), tags: TAGS });
  const loaded = await loadClusterFile(k1ClusterFile);
  if (!loaded.ok) throw new Error('k1 cluster file does not load');
  k1 = loaded;
});

afterAll(() => {
  if (savedCacheEnv === undefined) delete process.env.KSPRAY_CACHE_DIR;
  else process.env.KSPRAY_CACHE_DIR = savedCacheEnv;
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

async function git(cwd: string, ...args: string[]): Promise<string> {
  const env = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t.invalid' };
  return (await run(['git', ...args], { cwd, env })).stdout.trim();
}

async function refusal(promise: Promise<unknown>): Promise<KsprayError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(KsprayError);
  return error as KsprayError;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name))).sort();
}

function hopFor(tag: string, clusterDir: string, cacheDir: string, index = 1) {
  return {
    index, tag, sha: repo.shas[tag]!, toVersion: loadCatalog().defaultVersion(tag),
    workspace: hopWorkspace({ stateDir: join(clusterDir, '.kspray'), cacheDir }, tag, 'k1', true),
  };
}

describe('ensureKubesprayCheckout', () => {
  it('checks two tags out as two worktrees at their shas from one mirror, and reuses them without fetching', async () => {
    const cacheDir = tempDir('cache');

    // Three at once, two for the same tag: the mirror lock serializes them.
    const requested = [...TAGS, 'v2.13.2'];
    const first = await Promise.all(requested.map((tag) => ensureKubesprayCheckout({ repo: repo.url, cacheDir, tag, sha: repo.shas[tag]! })));

    for (const [index, tag] of TAGS.entries()) {
      const checkout = first[index]!;
      expect(checkout).toMatchObject({ dir: kubesprayCachePaths(cacheDir, tag).worktree, sha: repo.shas[tag] });
      expect(await git(checkout.dir, 'rev-parse', 'HEAD')).toBe(repo.shas[tag]);
      expect(await git(checkout.dir, 'status', '--porcelain')).toBe('');
      expect(existsSync(join(checkout.dir, 'inventory', 'sample', 'group_vars'))).toBe(true);
    }
    expect(first.map((checkout) => checkout.action)).toEqual(['created', 'created', 'reused']);
    const mirror = kubesprayCachePaths(cacheDir, 'x').mirror;
    expect(await git(mirror, 'rev-parse', '--is-bare-repository')).toBe('true');
    expect((await git(mirror, 'worktree', 'list', '--porcelain')).match(/^worktree /gm)).toHaveLength(3);
    expect(await readdir(join(cacheDir, 'kubespray'))).toEqual(['mirror.git', 'worktrees']);

    // A second call: same mirror (the marker survives), no lock, no fetch (the repo may even be gone).
    await writeFile(join(mirror, 'kspray-test-marker'), 'x');
    const again = await ensureKubesprayCheckout({ repo: 'file:///nonexistent/kubespray', cacheDir, tag: 'v2.13.2', sha: repo.shas['v2.13.2']! });

    expect(again.action).toBe('reused');
    expect(existsSync(join(mirror, 'kspray-test-marker'))).toBe(true);
  });

  it('recreates a worktree someone edited, and points the mirror at a new repo location', async () => {
    const cacheDir = tempDir('cache');
    const sha = repo.shas['v2.13.2']!;
    const first = await ensureKubesprayCheckout({ repo: repo.url, cacheDir, tag: 'v2.13.2', sha });
    await writeFile(join(first.dir, 'ansible.cfg'), '[defaults]\nedited = yes\n');
    const moved = join(tempDir('moved'), 'kubespray.git');
    await git(tmpdir(), 'clone', '--quiet', '--bare', repo.path, moved);

    const again = await ensureKubesprayCheckout({ repo: moved, cacheDir, tag: 'v2.13.2', sha });

    expect(again.action).toBe('created');
    expect(await git(again.dir, 'status', '--porcelain')).toBe('');
    expect(await git(again.mirror, 'config', '--get', 'remote.origin.url')).toBe(moved);
  });

  it('refuses a tag that moved upstream, naming both commits', async () => {
    const source = join(tempDir('upstream'), 'kubespray.git');
    await git(tmpdir(), 'clone', '--quiet', '--bare', repo.path, source);
    const cacheDir = tempDir('cache');
    const [oldSha, otherSha] = [repo.shas['v2.13.2']!, repo.shas['v2.16.0']!];
    await ensureKubesprayCheckout({ repo: source, cacheDir, tag: 'v2.13.2', sha: oldSha });

    // Upstream re-tags v2.13.2; preparing another tag fetches the move into the mirror.
    await git(source, 'tag', '--force', 'v2.13.2', otherSha);
    await ensureKubesprayCheckout({ repo: source, cacheDir, tag: 'v2.16.0', sha: otherSha });
    const known = await refusal(ensureKubesprayCheckout({ repo: source, cacheDir, tag: 'v2.13.2', sha: oldSha }));
    const fresh = await refusal(ensureKubesprayCheckout({ repo: source, cacheDir: tempDir('cache'), tag: 'v2.13.2', sha: oldSha }));

    for (const error of [known, fresh]) {
      expect(error.exitCode).toBe(2);
      expect(error.message).toContain(`Kubespray tag v2.13.2 in ${source} points to commit ${otherSha}, but kspray expects ${oldSha}`);
      expect(error.hint).toMatch(/tag moved upstream.*refresh the catalog.*re-pin the lock file deliberately/s);
    }
  });

  it('refuses a wrong pinned sha, a tag the repo lacks and a sha that is not one', async () => {
    const cacheDir = tempDir('cache');
    const base = { repo: repo.url, cacheDir, tag: 'v2.16.0' };

    const wrong = await refusal(ensureKubesprayCheckout({ ...base, sha: repo.shas['v2.13.2']! }));
    const missing = await refusal(ensureKubesprayCheckout({ ...base, tag: 'v2.99.0', sha: repo.shas['v2.16.0']! }));
    const short = await refusal(ensureKubesprayCheckout({ ...base, sha: repo.shas['v2.16.0']!.slice(0, 12) }));

    expect(wrong.message).toContain(`points to commit ${repo.shas['v2.16.0']}, but kspray expects ${repo.shas['v2.13.2']}`);
    expect(missing.message).toBe(`Kubespray tag v2.99.0 does not exist in ${repo.url}`);
    expect(short.message).toMatch(/not a full git sha/);
    expect([wrong.exitCode, missing.exitCode, short.exitCode]).toEqual([2, 2, 2]);
    expect(existsSync(kubesprayCachePaths(cacheDir, 'v2.16.0').worktree)).toBe(false);
  });

  it('takes over a lock left by a dead process, and waits out a live holder only up to the deadline', async () => {
    const cacheDir = tempDir('cache');
    const { lock } = kubesprayCachePaths(cacheDir, 'v2.16.0');
    await mkdir(join(cacheDir, 'kubespray'), { recursive: true });
    // Above Linux's pid_max (4194304): no such process can exist.
    await writeFile(lock, JSON.stringify({ pid: 99_999_999, host: (await import('node:os')).hostname(), token: 'dead', startedAt: 'then' }));

    const taken = await ensureKubesprayCheckout({ repo: repo.url, cacheDir, tag: 'v2.16.0', sha: repo.shas['v2.16.0']! });
    expect(taken.action).toBe('created');
    expect(existsSync(lock)).toBe(false);

    await writeFile(lock, JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), token: 'live', startedAt: 'now' }));
    const blocked = await refusal(ensureKubesprayCheckout({ repo: repo.url, cacheDir, tag: 'v2.13.2', sha: repo.shas['v2.13.2']!, lockTimeoutMs: 300 }));
    expect(blocked.exitCode).toBe(3);
    expect(blocked.message).toContain(`pid ${process.pid}`);
    expect(existsSync(lock)).toBe(true);
  });
});

describe('prepareHopWorkspace', () => {
  const resolveSecret = (ref: { fromEnv: string } | { fromFile: string }): string =>
    'fromEnv' in ref ? k1SecretEnv[ref.fromEnv as keyof typeof k1SecretEnv] : 'file-secret';

  it('writes inventory, fresh group_vars, extra-vars, secrets and ansible.cfg that Ansible reads as one', async () => {
    const cacheDir = tempDir('cache');
    const clusterDir = tempDir('cluster');
    const hop = hopFor('v2.13.2', clusterDir, cacheDir);
    const options = { hop, cluster: k1.cluster, clusterBaseDir: clusterDir, repo: repo.url, cacheDir, resolveSecret };

    const ws = await prepareHopWorkspace(options);

    // Paths are the plan's.
    expect(ws).toMatchObject({
      kubesprayDir: hop.workspace.kubesprayDir, inventory: hop.workspace.inventory, extraVars: hop.workspace.extraVars,
      secrets: hop.workspace.secrets, ansibleCfg: hop.workspace.ansibleCfg, factCache: hop.workspace.factCache,
      sha: repo.shas['v2.13.2'], checkout: 'created', env: { ANSIBLE_CONFIG: hop.workspace.ansibleCfg },
    });
    expect(ws.groupVars).toBe(join(clusterDir, '.kspray', 'work', 'v2.13.2', 'inventory', 'k1', 'group_vars'));
    // group_vars is the tag's sample, file for file.
    const sample = join(ws.kubesprayDir, 'inventory', 'sample', 'group_vars');
    expect(await filesUnder(ws.groupVars)).toEqual(await filesUnder(sample));
    expect(await filesUnder(ws.groupVars)).toContain(join('k8s-cluster', 'k8s-cluster.yml'));
    // extra-vars: kube_version in the tag's form; secrets apart, 0600.
    expect(parseYaml(await readFile(ws.extraVars, 'utf8'))).toMatchObject({ kube_version: hop.toVersion });
    expect((await stat(ws.secrets!)).mode & 0o777).toBe(0o600);
    expect(await readFile(ws.secrets!, 'utf8')).toContain(k1SecretEnv.K1_RBD_ADMIN_SECRET);
    expect(await readFile(ws.extraVars, 'utf8')).not.toContain(k1SecretEnv.K1_RBD_ADMIN_SECRET);
    expect((await stat(ws.factCache)).isDirectory()).toBe(true);
    // ansible.cfg: the tag's settings, absolute roles_path, kspray's fact cache.
    const cfg = parseIni(await readFile(ws.ansibleCfg, 'utf8'));
    expect(cfg.ssh_connection).toEqual({ pipelining: 'True' });
    expect(cfg.defaults).toEqual({
      roles_path: join(ws.kubesprayDir, 'roles'), host_key_checking: 'False', retry_files_enabled: 'False',
      deprecation_warnings: 'False', interpreter_python: '/usr/bin/python3',
      gathering: 'smart', fact_caching: 'jsonfile', fact_caching_connection: ws.factCache, fact_caching_timeout: '86400',
    });
    const dump = await run(['ansible-config', 'dump', '--only-changed'], { cwd: ws.kubesprayDir, env: { ...ws.env, ANSIBLE_NOCOLOR: '1' } });
    expect(dump.stdout).toContain(`DEFAULT_ROLES_PATH(${ws.ansibleCfg}) = ['${join(ws.kubesprayDir, 'roles')}']`);
    expect(dump.stdout).toContain(`CACHE_PLUGIN_CONNECTION(${ws.ansibleCfg}) = ${ws.factCache}`);
  });

  it.each([
    { tag: 'v2.13.2', controlPlane: 'kube-master', node: 'kube-node', cluster: 'k8s-cluster', groupDir: 'k8s-cluster' },
    { tag: 'v2.16.0', controlPlane: 'kube_control_plane', node: 'kube_node', cluster: 'k8s_cluster', groupDir: 'k8s_cluster' },
  ])('ansible-inventory sees the $tag dialect groups and the sample group_vars', async ({ tag, controlPlane, node, cluster, groupDir }) => {
    const cacheDir = tempDir('cache');
    const clusterDir = tempDir('cluster');
    const ws = await prepareHopWorkspace({ hop: hopFor(tag, clusterDir, cacheDir), cluster: k1.cluster, clusterBaseDir: clusterDir, repo: repo.url, cacheDir, resolveSecret });

    const list = await inventoryList(ws.inventory, { cwd: ws.kubesprayDir, env: ws.env });

    expect(groupMembers(list, controlPlane)).toEqual(masters);
    expect(groupMembers(list, node)).toEqual(workers);
    expect(new Set(groupMembers(list, cluster))).toEqual(new Set([...masters, ...workers]));
    const allVars = parseYaml(await readFile(join(ws.groupVars, 'all', 'all.yml'), 'utf8')) as Record<string, unknown>;
    const clusterVars = parseYaml(await readFile(join(ws.groupVars, groupDir, 'k8s-cluster.yml'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(allVars).length).toBeGreaterThan(0);
    expect(Object.keys(clusterVars).length).toBeGreaterThan(0);
    for (const host of ['k1-master01', 'k1-node05']) {
      expect(list.hostvars[host]).toMatchObject(allVars);
      expect(list.hostvars[host]).toMatchObject(clusterVars);
    }
  });

  it('refreshes group_vars on every call, reuses the checkout, and rewrites the same bytes', async () => {
    const cacheDir = tempDir('cache');
    const clusterDir = tempDir('cluster');
    const options = { hop: hopFor('v2.16.0', clusterDir, cacheDir), cluster: k1.cluster, clusterBaseDir: clusterDir, repo: repo.url, cacheDir, resolveSecret };
    const first = await prepareHopWorkspace(options);
    const before = await Promise.all([first.inventory, first.extraVars, first.ansibleCfg].map((path) => readFile(path, 'utf8')));
    await writeFile(join(first.groupVars, 'stale.yml'), 'stale_var: 1\n');
    await writeFile(join(first.groupVars, 'all', 'all.yml'), 'edited_by_hand: true\n');

    const second = await prepareHopWorkspace(options);

    expect(second.checkout).toBe('reused');
    expect(existsSync(join(second.groupVars, 'stale.yml'))).toBe(false);
    expect(await readFile(join(second.groupVars, 'all', 'all.yml'), 'utf8')).toBe(
      await readFile(join(second.kubesprayDir, 'inventory', 'sample', 'group_vars', 'all', 'all.yml'), 'utf8'),
    );
    expect(await Promise.all([second.inventory, second.extraVars, second.ansibleCfg].map((path) => readFile(path, 'utf8')))).toEqual(before);
    // No staging directories left beside group_vars.
    expect((await readdir(second.inventoryDir)).sort()).toEqual(['group_vars', 'inventory.ini']);
  });

  it('writes nothing when a secret cannot be resolved', async () => {
    const cacheDir = tempDir('cache');
    const clusterDir = tempDir('cluster');
    const failing = (): string => {
      throw new KsprayError('environment variable K1_RBD_ADMIN_SECRET is not set');
    };

    const error = await refusal(prepareHopWorkspace({ hop: hopFor('v2.13.2', clusterDir, cacheDir), cluster: k1.cluster, clusterBaseDir: clusterDir, repo: repo.url, cacheDir, resolveSecret: failing }));

    expect(error.message).toContain('K1_RBD_ADMIN_SECRET');
    expect(await readdir(clusterDir)).toEqual([]);
    expect(existsSync(join(cacheDir, 'kubespray'))).toBe(false);
  });

  it('refuses a plan made with another cache directory', async () => {
    const clusterDir = tempDir('cluster');
    const hop = hopFor('v2.13.2', clusterDir, tempDir('cache-a'));

    const error = await refusal(prepareHopWorkspace({ hop, cluster: k1.cluster, clusterBaseDir: clusterDir, repo: repo.url, cacheDir: tempDir('cache-b'), resolveSecret }));

    expect(error.exitCode).toBe(2);
    expect(error.hint).toMatch(/make the plan again/);
  });
});
