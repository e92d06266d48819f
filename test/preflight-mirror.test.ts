/**
 * The mirror preflight end to end: the built CLI, a k1 on containerd at
 * 1.30 (Kubespray v2.26.1) upgraded to 1.31 on the REAL v2.27.1 (checked out
 * by kspray from the bundle, its downloads templated with Ansible), with a
 * loopback files mirror and a loopback private registry (token auth) as its
 * offline mirrors, and the fake API serving the cluster with room to drain.
 *
 * The mirrors hold everything but one file and one image: the preflight
 * blocks naming exactly those two (where, and for which hop) and counts the
 * rest; once they are added, it passes (exit 0). The registry password is
 * used and never printed.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ArtifactsDocument } from '../src/artifacts/types.js';
import type { PlanDocument } from '../src/plan/types.js';
import type { PreflightReport } from '../src/preflight/run-preflights.js';
import { startFileServer, type FileServer } from './fixtures/file-server.js';
import { startKubeApiServer, type KubeApiServer, type KubeObject } from './fixtures/kube-api-server.js';
import { k1WithDisruptionsAllowed } from './fixtures/kube/k1.js';
import { startRegistryServer, type RegistryServer } from './fixtures/registry-server.js';
import { k1ClusterFile, k1SecretEnv, runCli } from './helpers/cli.js';
import { realRepo } from './helpers/real-kubespray.js';

const PASSWORD = 'Mirr0r-Registry-Passw0rd';
const VERSION = 'v1.30.4';

let dir: string;
let clusterFile: string;
let files: FileServer;
let registry: RegistryServer;
let api: KubeApiServer;
let env: Record<string, string>;
let artifacts: ArtifactsDocument;

/** k1 as the fake API serves it, every node on 1.30.4, budgets with room, DNS where kubeadm wants it, no Ingress on removed APIs. */
function k1At130(): KubeObject[] {
  const objects = k1WithDisruptionsAllowed().filter((o) => o.kind !== 'Ingress');
  for (const node of objects.filter((o) => o.kind === 'Node') as unknown as Array<{ status: { nodeInfo: Record<string, string> } }>) {
    node.status.nodeInfo.kubeletVersion = VERSION;
    node.status.nodeInfo.kubeProxyVersion = VERSION;
  }
  const dns = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'coredns') as unknown as { spec: { clusterIP: string } };
  dns.spec.clusterIP = '10.233.0.10';
  return objects;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kspray-preflight-mirror-'));
  [files, registry, api] = await Promise.all([
    startFileServer(),
    startRegistryServer({ auth: { username: 'mirror', password: PASSWORD } }),
    startKubeApiServer({ objects: k1At130(), gitVersion: VERSION }),
  ]);
  const k1 = parse(await readFile(k1ClusterFile, 'utf8')) as Record<string, any>;
  k1.kubernetes.version = VERSION;
  k1.kubespray = { ...k1.kubespray, tag: 'v2.26.1', repo: await realRepo(), ansible: 'venv' };
  k1.containerManager = 'containerd';
  k1.registries = { insecure: [registry.host] };
  k1.offline = { registry: registry.host, files: `${files.url}/mirror`, registryAuth: { username: 'mirror', password: { fromEnv: 'KSPRAY_TEST_MIRROR_PASSWORD' } } };
  clusterFile = join(dir, 'cluster.yaml');
  await writeFile(clusterFile, stringify(k1));
  env = { ...k1SecretEnv, KSPRAY_TEST_MIRROR_PASSWORD: PASSWORD, KSPRAY_CACHE_DIR: join(dir, 'cache') };

  const listed = await runCli(['artifacts', '-c', clusterFile, '--to', '1.31', '--json'], { env, cwd: dir });
  expect(listed.exitCode, listed.stderr).toBe(0);
  artifacts = JSON.parse(listed.stdout) as ArtifactsDocument;
}, 180_000);

afterAll(async () => {
  await Promise.all([files?.stop(), registry?.stop(), api?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

const preflight = () => runCli(['preflight', '-c', clusterFile, '--to', '1.31', '--kubeconfig', api.kubeconfigPath, '--skip-hosts', '--json'], { env, cwd: dir });
const pathOf = (url: string) => new URL(url).pathname;

describe('the mirror preflight', () => {
  it('lists downloads that all point at the mirrors', () => {
    expect(artifacts.hops.map((hop) => hop.tag)).toEqual(['v2.27.1']);
    expect(artifacts.files.length).toBeGreaterThan(5);
    expect(artifacts.files.every((file) => file.url.startsWith(`${files.url}/mirror/`))).toBe(true);
    expect(artifacts.images.every((image) => image.ref.startsWith(`${registry.host}/`))).toBe(true);
  });

  it('blocks naming exactly the one file and the one image the mirrors lack, for hop 1, and counts the rest', async () => {
    const kubelet = artifacts.files.find((file) => file.name === 'kubelet')!;
    const coredns = artifacts.images.find((image) => image.name === 'coredns')!;
    for (const file of artifacts.files) if (file !== kubelet) files.put(pathOf(file.url), 'x');
    for (const image of artifacts.images) if (image !== coredns) registry.add(image.ref);

    const result = await preflight();

    expect(result.exitCode, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as PreflightReport;
    const blocking = report.findings.filter((f) => f.severity === 'block');
    expect(blocking.map((f) => [f.check, f.hop, f.what, f.where])).toEqual([
      ['mirror', 1, `file kubelet ${kubelet.version} (amd64) is missing`, `${kubelet.url} (HTTP 404)`],
      ['mirror', 1, `image ${coredns.ref} is missing`, `${registry.host} (no such manifest (HTTP 404))`],
    ]);
    const outcome = report.outcomes.find((o) => o.check === 'mirror')!;
    expect(outcome.status).toBe('fail');
    expect(outcome.reason).toBe(`${artifacts.files.length - 1}/${artifacts.files.length} files answered, ${artifacts.images.length - 1}/${artifacts.images.length} images present, on registry ${registry.host} and files ${files.url}/mirror`);
    expect(outcome.table?.rows).toEqual([['1', 'v2.27.1', `${artifacts.files.length - 1}/${artifacts.files.length}`, `${artifacts.images.length - 1}/${artifacts.images.length}`]]);
    // Every file asked once with HEAD; every image with the registry's token, fetched with the configured credentials.
    expect(files.requests.filter((r) => r.startsWith('HEAD ')).length).toBe(artifacts.files.length);
    expect(registry.requests.some((r) => r.startsWith('GET /token') && r.endsWith(' basic'))).toBe(true);
    expect(`${result.stdout}${result.stderr}`).not.toContain(PASSWORD);
    expect(`${result.stdout}${result.stderr}`).not.toContain(Buffer.from(`mirror:${PASSWORD}`).toString('base64'));
  });

  it('shows per hop in the plan what it downloads and what the mirrors have (plan --preflight), and only the counts with plan --artifacts', async () => {
    const planned = await runCli(['plan', '-c', clusterFile, '--to', '1.31', '--kubeconfig', api.kubeconfigPath, '--preflight', '--skip-hosts', '--json'], { env, cwd: dir });
    expect(planned.exitCode, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as PlanDocument;
    const { files: f, images: i } = { files: artifacts.files.length, images: artifacts.images.length };
    expect(plan.hops[0]?.artifacts).toEqual({ files: f, images: i, mirror: { files: f - 1, images: i - 1 } });
    expect(plan.hops[0]?.findings.filter((finding) => finding.check === 'mirror' && finding.severity === 'block')).toHaveLength(2);
    const text = await runCli(['plan', '-c', clusterFile, '--to', '1.31', '--kubeconfig', api.kubeconfigPath, '--preflight', '--skip-hosts'], { env, cwd: dir });
    expect(text.stdout).toContain(`  downloads: ${f} files, ${i} images; the mirrors have ${f - 1}/${f} files, ${i - 1}/${i} images (the mirror findings name what is missing)`);
    const counted = await runCli(['plan', '-c', clusterFile, '--to', '1.31', '--artifacts', '--json'], { env, cwd: dir });
    expect((JSON.parse(counted.stdout) as PlanDocument).hops[0]?.artifacts).toEqual({ files: f, images: i, mirror: null });
    // --kubeconfig alone runs the API and model checks, not the mirror's.
    const quick = await runCli(['plan', '-c', clusterFile, '--to', '1.31', '--kubeconfig', api.kubeconfigPath, '--json'], { env, cwd: dir });
    expect((JSON.parse(quick.stdout) as PlanDocument).hops[0]?.artifacts).toBeUndefined();
    expect(quick.stderr).toContain('preflight: skipped mirror: not run (the mirror check runs with kspray plan --preflight)');
  });

  it('passes once they are added: nothing blocks, exit 0', async () => {
    const kubelet = artifacts.files.find((file) => file.name === 'kubelet')!;
    const coredns = artifacts.images.find((image) => image.name === 'coredns')!;
    files.put(pathOf(kubelet.url), 'x');
    registry.add(coredns.ref);

    const result = await preflight();

    const report = JSON.parse(result.stdout) as PreflightReport;
    expect(report.findings.filter((f) => f.severity === 'block')).toEqual([]);
    expect(report.outcomes.find((o) => o.check === 'mirror')).toMatchObject({ status: 'pass', reason: `${artifacts.files.length}/${artifacts.files.length} files answered, ${artifacts.images.length}/${artifacts.images.length} images present, on registry ${registry.host} and files ${files.url}/mirror` });
    expect(result.exitCode).toBe(0);
  });

  it('blocks on the checksum with --verify-checksums (the mirror holds placeholders, not the real files)', async () => {
    const result = await runCli(['preflight', '-c', clusterFile, '--to', '1.31', '--kubeconfig', api.kubeconfigPath, '--skip-hosts', '--json', '--verify-checksums'], { env, cwd: dir });
    const report = JSON.parse(result.stdout) as PreflightReport;
    const mirror = report.findings.filter((f) => f.check === 'mirror' && f.severity === 'block');
    expect(mirror).toHaveLength(artifacts.files.length);
    expect(mirror[0]?.what).toContain('on the mirror is not the file Kubespray v2.27.1 expects');
    expect(mirror[0]?.where).toContain(`sha256 ${'2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881'}, the tag expects`);
    expect(result.exitCode).toBe(1);
  });
});
