/**
 * Host preflights end to end: kspray's own playbooks run by the real
 * ansible-playbook (hosts on ansible_connection=local) against a real
 * 3-member etcd cluster, real files in a temp dir, and a tiny fake `kubeadm`
 * put first on PATH that logs the argv it was given.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStaleCaches, parseCacheCleanupResult, parseCacheResult } from '../src/preflight/caches.js';
import { checkEtcdHealth, parseEtcdResult, type EtcdRawResult } from '../src/preflight/etcd.js';
import { gatherHostFacts, type GatherHostFactsOptions, type HostFactsResult } from '../src/preflight/host-facts.js';
import { checkKubeadmDryRun, kubeadmDryRunArgv, parseKubeadmResult, type KubeadmRawResult, type KubeadmTagFacts } from '../src/preflight/kubeadm.js';
import { dataDir } from '../src/util/paths.js';
import { startEtcdCluster, type EtcdCluster } from './fixtures/etcd-cluster.js';

let tmp: string;
let inventory: string;
let etcd: EtcdCluster | undefined;
let run = 0;

const LOCAL = 'ansible_connection=local ansible_python_interpreter=/usr/bin/python3';

async function gather(options: Omit<GatherHostFactsOptions, 'inventory' | 'resultDir' | 'become'> & { path?: string; inventory?: string }): Promise<HostFactsResult> {
  run += 1;
  const { path, inventory: own, ...rest } = options;
  return gatherHostFacts({
    inventory: own ?? inventory,
    resultDir: join(tmp, `run-${run}`),
    // No sudo here, and we are root already.
    become: false,
    ...rest,
    env: {
      ANSIBLE_HOST_KEY_CHECKING: 'False',
      // Fewer temp files per task: the suite runs a dozen plays.
      ANSIBLE_PIPELINING: 'True',
      ANSIBLE_LOCAL_TEMP: join(tmp, 'ansible-local'),
      ANSIBLE_REMOTE_TEMP: join(tmp, 'ansible-remote'),
      ...(path === undefined ? {} : { PATH: path }),
      ...rest.env,
    },
  });
}

function okResults(result: HostFactsResult): Record<string, unknown> {
  if (result.kind !== 'ok') throw new Error(`expected ok, got ${result.kind}: ${JSON.stringify(result, null, 2)}`);
  return result.byHost;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'kspray-preflight-hosts-'));
  inventory = join(tmp, 'inventory.ini');
  await writeFile(inventory, [
    '[etcd]', `e1 ${LOCAL}`, '',
    '[kube_control_plane]', `m1 ${LOCAL}`, `m2 ${LOCAL}`, '',
    '[far_away]', 'gone ansible_host=127.0.0.1 ansible_port=1 ansible_connection=ssh ansible_ssh_common_args="-o ConnectTimeout=3"', '',
  ].join('\n'));
  etcd = await startEtcdCluster({ members: 3, dir: join(tmp, 'etcd') });
});

afterAll(async () => {
  await etcd?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('etcd preflight on the first etcd host', () => {
  const gatherEtcd = (vars: Record<string, unknown> = {}) => gather({
    playbook: 'preflight-etcd.yml',
    hosts: 'etcd[0]',
    vars: { kspray_etcd_tls: false, kspray_etcd_endpoints: etcd!.endpoints.join(','), kspray_etcd_command_timeout: '2s', ...vars },
  });

  it('passes when every member is healthy', async () => {
    const byHost = okResults(await gatherEtcd());

    const facts = parseEtcdResult(byHost.e1 as EtcdRawResult);
    const outcome = checkEtcdHealth(facts);

    expect(facts.members.map((m) => [m.name, m.healthy]).sort()).toEqual([['etcd1', true], ['etcd2', true], ['etcd3', true]]);
    expect(facts.members.filter((m) => m.isLeader)).toHaveLength(1);
    expect(outcome).toMatchObject({ check: 'etcd-health', status: 'pass', findings: [] });
  });

  it('blocks, naming the member, when one is stopped', async () => {
    await etcd!.stopMember('etcd2');
    try {
      const byHost = okResults(await gatherEtcd());

      const outcome = checkEtcdHealth(parseEtcdResult(byHost.e1 as EtcdRawResult));

      expect(outcome.status).toBe('fail');
      expect(outcome.findings).toHaveLength(1);
      expect(outcome.findings[0]!.severity).toBe('block');
      expect(outcome.findings[0]!.what).toContain(`1 of 3 etcd members unhealthy: etcd2 (${etcd!.members[1]!.clientUrl}`);
      expect(outcome.findings[0]!.why).toContain('etcdserver: request timed out');
    } finally {
      await etcd!.startMember('etcd2');
    }
  });

  it('passes Kubespray\'s client certificates by default, and skips when etcdctl is missing', async () => {
    const byHost = okResults(await gatherEtcd({ kspray_etcd_tls: true, kspray_etcdctl: join(tmp, 'no-such-etcdctl') }));

    const raw = byHost.e1 as EtcdRawResult & { argv: string[] };
    const outcome = checkEtcdHealth(parseEtcdResult(raw));

    expect(raw.argv).toEqual(expect.arrayContaining([
      '--cacert=/etc/ssl/etcd/ssl/ca.pem', '--cert=/etc/ssl/etcd/ssl/admin-e1.pem', '--key=/etc/ssl/etcd/ssl/admin-e1-key.pem',
    ]));
    expect(outcome.status).toBe('skipped');
    expect(outcome.reason).toContain('etcdctl is not installed on e1');
  });
});

describe('stale caches on the control-plane hosts', () => {
  // Per-host roots: both "hosts" share this machine's filesystem.
  const roots = () => join(tmp, 'roots');
  // Each host's own paths as a host variable of the inventory: what kspray passes as extra-vars is never a template (ownVarsJson).
  const cachePaths = (host: string) => [`${roots()}/${host}/.kube/http-cache`, `${roots()}/${host}/.docker/config`];
  const cacheInventory = () => join(tmp, 'caches.ini');
  const cacheRun = (playbook: string) => gather({ playbook, hosts: 'kube_control_plane', vars: {}, inventory: cacheInventory() });
  beforeAll(async () => {
    await writeFile(cacheInventory(), ['[kube_control_plane]', ...['m1', 'm2'].map((host) => `${host} ${LOCAL} kspray_cache_paths='${JSON.stringify(cachePaths(host))}'`), ''].join('\n'));
  });

  it('warns naming host and path, cleanup removes them and reports it, then the check passes', async () => {
    await mkdir(join(roots(), 'm1', '.kube', 'http-cache', 'discovery'), { recursive: true });
    await writeFile(join(roots(), 'm1', '.kube', 'http-cache', 'discovery', 'x.json'), '{}');
    await mkdir(join(roots(), 'm2', '.docker'), { recursive: true });
    await writeFile(join(roots(), 'm2', '.docker', 'config'), '{"auths":{}}');

    const before = checkStaleCaches(Object.values(okResults(await cacheRun('preflight-caches.yml'))).map(parseCacheResult));
    expect(before.findings.map((f) => [f.severity, f.where, f.details?.paths])).toEqual([
      ['warn', 'm1', [`${roots()}/m1/.kube/http-cache`]],
      ['warn', 'm2', [`${roots()}/m2/.docker/config`]],
    ]);
    expect(before.findings[0]!.fix).toContain('apply will remove them');

    const cleanup = Object.values(okResults(await cacheRun('cleanup-caches.yml'))).map(parseCacheCleanupResult);
    expect(cleanup).toEqual([
      { host: 'm1', removed: [`${roots()}/m1/.kube/http-cache`], failed: [] },
      { host: 'm2', removed: [`${roots()}/m2/.docker/config`], failed: [] },
    ]);
    await expect(stat(join(roots(), 'm1', '.kube', 'http-cache'))).rejects.toThrow();
    await expect(stat(join(roots(), 'm2', '.docker', 'config'))).rejects.toThrow();

    const after = checkStaleCaches(Object.values(okResults(await cacheRun('preflight-caches.yml'))).map(parseCacheResult));
    expect(after).toMatchObject({ check: 'stale-caches', status: 'pass', findings: [] });
  });
});

describe('kubeadm dry run on the first control-plane host', () => {
  const catalog = async () => JSON.parse(await readFile(join(dataDir, 'kubespray', 'catalog.json'), 'utf8')) as { tags: KubeadmTagFacts[] };
  const tagNamed = async (name: string) => (await catalog()).tags.find((t) => t.tag === name)!;

  /** A fake kubeadm that logs its argv (one per line) and behaves as told. */
  async function fakeKubeadm(name: string, body: string): Promise<{ bin: string; log: string }> {
    const bin = join(tmp, `fake-${name}`);
    const log = join(bin, 'argv.log');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'kubeadm'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${log}'\n${body}\n`);
    await chmod(join(bin, 'kubeadm'), 0o755);
    return { bin, log };
  }
  const loggedArgv = async (log: string) => (await readFile(log, 'utf8')).trimEnd().split('\n');

  async function dryRun(argv: string[], bin: string) {
    const byHost = okResults(await gather({
      playbook: 'preflight-kubeadm.yml', hosts: 'kube_control_plane[0]', vars: { kspray_kubeadm_argv: argv }, path: `${bin}:${process.env.PATH}`,
    }));
    expect(Object.keys(byHost)).toEqual(['m1']);
    return checkKubeadmDryRun(parseKubeadmResult(byHost.m1 as KubeadmRawResult));
  }

  it('passes when kubeadm accepts the upgrade, and ran the v2.13 argv', async () => {
    const { bin, log } = await fakeKubeadm('ok', "printf 'apiVersion: kubeadm.k8s.io/v1beta2\\nkind: ClusterConfiguration\\nkubernetesVersion: v1.17.7\\n'\nexit 0");
    const argv = kubeadmDryRunArgv(await tagNamed('v2.13.2'), '1.17.7');

    const outcome = await dryRun(argv, bin);

    expect(outcome).toEqual({ check: 'kubeadm-dry-run', status: 'pass', findings: [] });
    expect(await loggedArgv(log)).toEqual([
      'upgrade', 'apply', '-y', 'v1.17.7', '--config=/etc/kubernetes/kubeadm-config.yaml', '--ignore-preflight-errors=all',
      '--allow-experimental-upgrades', '--etcd-upgrade=false', '--force', '--print-config', '--dry-run',
    ]);
  });

  it('ran the v2.28 argv as one list, no shell', async () => {
    const { bin, log } = await fakeKubeadm('v228', 'exit 0');
    const argv = kubeadmDryRunArgv(await tagNamed('v2.28.1'), '1.32.8', { skipPhases: ['addon/coredns', 'addon/kube-proxy'], configPath: '/etc/kubernetes/kubeadm config.yaml' });

    expect((await dryRun(argv, bin)).status).toBe('pass');
    expect(await loggedArgv(log)).toEqual([
      'upgrade', 'apply', '-y', 'v1.32.8', '--config=/etc/kubernetes/kubeadm config.yaml', '--skip-phases=addon/coredns,addon/kube-proxy', '--dry-run',
    ]);
  });

  it('blocks with kubeadm\'s own message when it refuses', async () => {
    const message = '[upgrade/postupgrade] FATAL post-upgrade error: unable to create/update the DNS service: Service "kube-dns" is invalid: spec.clusterIP: Invalid value: "10.233.0.10": field is immutable';
    const { bin } = await fakeKubeadm('dns-clash', `echo '[upgrade/config] Making sure the configuration is correct:'\necho '${message}' >&2\necho 'To see the stack trace of this error execute with --v=5 or higher' >&2\nexit 1`);

    const outcome = await dryRun(kubeadmDryRunArgv(await tagNamed('v2.13.2'), '1.17.7'), bin);

    expect(outcome.status).toBe('fail');
    expect(outcome.findings[0]).toMatchObject({ severity: 'block', where: 'm1', what: `kubeadm upgrade dry run fails on m1 (exit 1): ${message}` });
  });

  it('skips when kubeadm is not on the host', async () => {
    const argv = kubeadmDryRunArgv(await tagNamed('v2.13.2'), '1.17.7', { kubeadm: join(tmp, 'nowhere', 'kubeadm') });

    const outcome = await dryRun(argv, join(tmp, 'nowhere'));

    expect(outcome.status).toBe('skipped');
    expect(outcome.reason).toContain('kubeadm is not installed on m1');
  });
});

describe('gatherHostFacts', () => {
  it('reports unreachable hosts by name', async () => {
    const result = await gather({ playbook: 'preflight-caches.yml', hosts: 'far_away', vars: { kspray_cache_paths: [join(tmp, 'x')] } });

    expect(result.kind).toBe('unreachable');
    if (result.kind === 'unreachable') expect(result.unreachable).toEqual(['gone']);
  });

  it('is an error, not an empty success, when the pattern matches no host', async () => {
    const result = await gather({ playbook: 'preflight-caches.yml', hosts: 'kube-master', vars: { kspray_cache_paths: [join(tmp, 'x')] } });

    expect(result.kind).toBe('error');
    if (result.kind === 'error') expect(result.message).toBe('no host of the inventory matched "kube-master"');
  });

  it('is an error with ansible\'s words when the playbook cannot run', async () => {
    const result = await gather({ playbook: join(tmp, 'missing.yml'), hosts: 'all' });

    expect(result.kind).toBe('error');
    if (result.kind === 'error') expect(result.stderrTail).toContain('missing.yml');
  });
});
