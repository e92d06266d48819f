/**
 * `kspray artifacts` as users run it: the built CLI, k1 with its Kubespray
 * repository pointed at the real tags (the bundle's bare clone), so each hop
 * is checked out by kspray's own checkout code and templated with real
 * Ansible; the union over the plan, the lists for mirroring tools, --hop,
 * the cache, bad input, and secrets that are neither needed nor printed.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactsDocument } from '../src/artifacts/types.js';
import { k1ClusterFile, k1SecretEnv, repoRoot, runCli } from './helpers/cli.js';
import { realRepo } from './helpers/real-kubespray.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';

let dir: string;
let clusterFile: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kspray-artifacts-cli-'));
  clusterFile = join(dir, 'cluster.yaml');
  const k1 = await readFile(k1ClusterFile, 'utf8');
  await writeFile(clusterFile, k1.replace('repo: https://github.com/kubernetes-sigs/kubespray.git', `repo: ${await realRepo()}`));
  env = { KSPRAY_CACHE_DIR: join(dir, 'cache') };
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function artifacts(args: string[], extraEnv: Record<string, string> = {}) {
  return runCli(['artifacts', '-c', clusterFile, ...args], { env: { ...env, ...extraEnv }, cwd: dir });
}

describe('kspray artifacts', () => {
  let document: ArtifactsDocument;

  beforeAll(async () => {
    const result = await artifacts(['--to', '1.18', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    document = JSON.parse(result.stdout) as ArtifactsDocument;
  }, 180_000);

  it('prints the union over the plan as the published schema says, each entry with the first hop that needs it', async () => {
    const schema = JSON.parse(await readFile(join(repoRoot, 'schema', 'artifacts.schema.json'), 'utf8')) as Record<string, unknown>;
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    expect(document.hops.map((hop) => `${hop.index} ${hop.tag} ${hop.toVersion}`)).toEqual(['1 v2.13.4 v1.17.12', '2 v2.14.2 v1.18.10']);
    expect(document.hops.every((hop) => !hop.cached)).toBe(true);
    const kubeadm = document.files.filter((file) => file.name === 'kubeadm');
    expect(kubeadm.map((file) => [file.firstHop, file.version])).toEqual([[1, 'v1.17.12'], [2, 'v1.18.10']]);
    // An image both tags pull is listed once, for the first hop, naming both.
    const shared = document.images.find((image) => image.ref === 'quay.io/external_storage/local-volume-provisioner:v2.3.4');
    expect(shared).toMatchObject({ firstHop: 1, hops: [1, 2] });
    expect(new Set(document.images.map((image) => image.ref)).size).toBe(document.images.length);
    expect(document.hops.reduce((sum, hop) => sum + hop.images, 0)).toBeGreaterThan(document.images.length);
  });

  it('lists the files as `URL sha256` lines and the images one per line, ready for mirroring tools', async () => {
    const files = await artifacts(['--to', '1.18', '--format', 'files']);
    expect(files.exitCode).toBe(0);
    expect(files.stdout.trimEnd().split('\n')).toEqual(document.files.map((file) => `${file.url} ${file.sha256}`));
    for (const line of files.stdout.trimEnd().split('\n')) expect(line).toMatch(/^https:\/\/\S+ [0-9a-f]{64}$/);
    const images = await artifacts(['--to', '1.18', '--format', 'images']);
    expect(images.stdout.trimEnd().split('\n')).toEqual(document.images.map((image) => image.ref));
    const both = await artifacts(['--to', '1.18', '--format', 'both']);
    expect(both.stdout).toBe(`${files.stdout.trimEnd()}\n\n${images.stdout}`);
    // What no list can hold goes to stderr: install_socat runs only on Flatcar, which only a node's facts say.
    expect(files.stderr).toContain('not listed: install_socat');
  });

  it('comes from the cache the second time, and lists one hop with --hop', async () => {
    const again = await artifacts(['--to', '1.18', '--json', '--hop', '2']);
    expect(again.exitCode).toBe(0);
    const second = JSON.parse(again.stdout) as ArtifactsDocument;
    expect(second.hops.map((hop) => [hop.index, hop.cached])).toEqual([[2, true]]);
    expect(second.files.every((file) => file.firstHop === 2)).toBe(true);
    expect(again.stderr).not.toContain('templating');
  });

  it('needs no secret, prints none, and leaves nothing in the cluster\'s directory', async () => {
    const result = await artifacts(['--to', '1.18'], k1SecretEnv);
    expect(result.exitCode).toBe(0);
    for (const secret of Object.values(k1SecretEnv)) expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
    expect(result.stdout).toContain('Artifacts for k1: v1.16.3 → v1.18.10 in 2 hops (architectures: amd64)');
    expect((await readdir(dir)).sort()).toEqual(['cache', 'cluster.yaml']);
  });

  it('refuses a list it does not print, --json with --format, and a hop the plan does not have (exit 2)', async () => {
    const format = await artifacts(['--to', '1.18', '--format', 'xml']);
    expect(format.exitCode).toBe(2);
    expect(format.stderr).toContain('--format xml is not a list kspray prints');
    const both = await artifacts(['--to', '1.18', '--format', 'files', '--json']);
    expect(both.exitCode).toBe(2);
    expect(JSON.parse(both.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { kind: 'usage' } });
    const hop = await artifacts(['--to', '1.18', '--hop', '5']);
    expect(hop.exitCode).toBe(2);
    expect(hop.stderr).toContain('--hop 5: the plan has 2 hop(s)');
  });
});
