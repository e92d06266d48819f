/**
 * Malformed cluster files: each problem is reported with file:line:col, the
 * path, a message and a fix; `validate` exits 1, `render` exits 2 and writes
 * nothing.
 */
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { k1SecretEnv, runCli, withTempDir } from './helpers/cli.js';

const head = `name: t1
kubernetes:
  version: 1.16.3
`;
const nodes3 = `nodes:
  - { name: m1, ip: 10.0.0.1, roles: [control-plane, etcd] }
  - { name: m2, ip: 10.0.0.2, roles: [control-plane, etcd] }
  - { name: m3, ip: 10.0.0.3, roles: [control-plane, etcd] }
  - { name: w1, ip: 10.0.0.4, roles: [worker] }
`;

interface Case { name: string; yaml: string; expect: Array<{ at: string; text: RegExp }> }

const cases: Case[] = [
  { name: 'YAML syntax error', yaml: `${head}nodes:\n  - { name: m1, ip: 10.0.0.1\n`, expect: [{ at: ':6:1', text: /YAML: Flow map .* end with a \}/ }] },
  { name: 'tab indentation', yaml: `${head}nodes:\n\t- name: m1\n`, expect: [{ at: ':5:1', text: /YAML: Tabs are not allowed as indentation — fix the indentation/ }] },
  { name: 'duplicate YAML key', yaml: `${head}name: t2\n${nodes3}`, expect: [{ at: ':4:1', text: /YAML: .*[Mm]ap keys must be unique.*remove or rename/ }] },
  { name: 'unknown key', yaml: `${head}${nodes3}kubeproxy:\n  mode: ipvs\n`, expect: [{ at: ':9:1', text: /kubeproxy: unknown key "kubeproxy" — remove it or fix its spelling/ }] },
  { name: 'unknown nested key', yaml: `${head}${nodes3}network:\n  calico:\n    ipipmode: Never\n`, expect: [{ at: ':11:5', text: /network\.calico\.ipipmode: unknown key/ }] },
  { name: 'duplicate node name', yaml: `${head}${nodes3}  - { name: w1, ip: 10.0.0.5, roles: [worker] }\n`, expect: [{ at: ':9:13', text: /nodes\[4\]\.name: duplicate node name "w1" \(also nodes\[3\]\)/ }] },
  { name: 'duplicate IP', yaml: `${head}${nodes3}  - { name: w2, ip: 10.0.0.4, roles: [worker] }\n`, expect: [{ at: ':9:21', text: /nodes\[4\]\.ip: duplicate ip 10\.0\.0\.4 \(also nodes\[3\], w1\)/ }] },
  {
    name: 'two etcd members',
    yaml: `${head}nodes:\n  - { name: m1, ip: 10.0.0.1, roles: [control-plane, etcd] }\n  - { name: m2, ip: 10.0.0.2, roles: [control-plane, etcd] }\n`,
    expect: [{ at: ':5:3', text: /nodes: 2 etcd members \(m1, m2\): an even count .* quorum — use an odd number of etcd members \(1 or 3\)/ }],
  },
  { name: 'no control plane', yaml: `${head}nodes:\n  - { name: e1, ip: 10.0.0.1, roles: [etcd, worker] }\n`, expect: [{ at: ':5:3', text: /nodes: no node has the control-plane role — add `control-plane`/ }] },
  { name: 'bad IP', yaml: `${head}nodes:\n  - { name: m1, ip: 10.0.0.300, roles: [control-plane, etcd] }\n`, expect: [{ at: ':5:21', text: /nodes\[0\]\.ip: "10\.0\.0\.300" is not an IP address/ }] },
  { name: 'bad version', yaml: `name: t1\nkubernetes:\n  version: 1.16\n${nodes3}`, expect: [{ at: ':3:12', text: /kubernetes\.version: must be a string, not the number 1\.16 — write a string here \(quote it/ }] },
  { name: 'version that is not 1.x.y', yaml: `name: t1\nkubernetes:\n  version: v1.16.3-rc.1\n${nodes3}`, expect: [{ at: ':3:12', text: /kubernetes\.version: must be a Kubernetes version like 1\.16\.3 or v1\.16\.3/ }] },
  { name: 'missing version', yaml: `name: t1\nkubernetes: {}\n${nodes3}`, expect: [{ at: ':2:13', text: /kubernetes\.version: required string is missing — add it/ }] },
  { name: 'extraVars shadows a typed field', yaml: `${head}${nodes3}extraVars:\n  kube_proxy_mode: iptables\n`, expect: [{ at: ':10:3', text: /extraVars\.kube_proxy_mode: "kube_proxy_mode" shadows the typed field kubeProxy\.mode — set kubeProxy\.mode instead/ }] },
  { name: 'extraVars sets skydns_server', yaml: `${head}${nodes3}extraVars:\n  skydns_server: 10.233.0.10\n`, expect: [{ at: ':10:3', text: /skydns_server is set only on a fresh install/ }] },
  { name: 'node var shadows a typed node field', yaml: `${head}${nodes3}  - { name: w2, ip: 10.0.0.9, roles: [worker], vars: { ip: 1.2.3.4 } }\n`, expect: [{ at: ':9:56', text: /nodes\[4\]\.vars\.ip: "ip" shadows the typed node field ip/ }] },
  { name: 'unknown role', yaml: `${head}nodes:\n  - { name: m1, ip: 10.0.0.1, roles: [master, etcd] }\n`, expect: [{ at: ':5:39', text: /nodes\[0\]\.roles\[0\]: the string "master" is not one of the allowed values — use one of: control-plane, etcd, worker/ }] },
  {
    name: 'secret whose environment variable is unset',
    yaml: `${head}${nodes3}addons:\n  rbdProvisioner:\n    monitors: [10.0.0.9:6789]\n    pool: kubes\n    adminSecret: { fromEnv: KSPRAY_TEST_UNSET_SECRET }\n    userSecret: { fromEnv: K1_RBD_USER_SECRET }\n`,
    expect: [{ at: ':13:18', text: /addons\.rbdProvisioner\.adminSecret: environment variable KSPRAY_TEST_UNSET_SECRET is not set — export KSPRAY_TEST_UNSET_SECRET/ }],
  },
  { name: 'secret written in clear', yaml: `${head}${nodes3}addons:\n  rbdProvisioner:\n    monitors: [10.0.0.9:6789]\n    pool: kubes\n    adminSecret: AQBclear==\n    userSecret: { fromEnv: K1_RBD_USER_SECRET }\n`, expect: [{ at: ':13:18', text: /adminSecret: .*fromEnv: VAR } or { fromFile: path }/ }] },
  {
    name: 'several problems at once',
    yaml: `${head}nodes:\n  - { name: m1, ip: 10.0.0.1, roles: [control-plane, etcd] }\n  - { name: m1, ip: 10.0.0.1, roles: [control-plane, etcd] }\n`,
    expect: [{ at: ':6:13', text: /duplicate node name/ }, { at: ':6:21', text: /duplicate ip/ }, { at: ':5:3', text: /2 etcd members/ }],
  },
];

describe('kspray validate and render on malformed cluster files', () => {
  it.each(cases)('$name', async (testCase) => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'cluster.yaml');
      await writeFile(file, testCase.yaml);

      const validate = await runCli(['validate', '-c', file], { env: k1SecretEnv });
      expect(validate.exitCode).toBe(1);
      for (const expected of testCase.expect) {
        const line = validate.stderr.split('\n').find((l) => l.includes(`${file}${expected.at}`) && expected.text.test(l));
        expect(line, `expected ${expected.at} ${expected.text} in:\n${validate.stderr}`).toBeDefined();
      }

      const out = join(dir, 'out');
      const render = await runCli(['render', '-c', file, '--tag', 'v2.13.2', '--out', out], { env: k1SecretEnv });
      expect(render.exitCode).toBe(2);
      await expect(readdir(out)).rejects.toThrow(/ENOENT/);
    });
  });

  it('accepts the k1 example and reports it valid', async () => {
    const result = await runCli(['validate', '-c', 'inventories/k1/cluster.yaml'], { env: k1SecretEnv });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/valid \(8 nodes\)/);
    expect(result.exitCode).toBe(0);
  });

  it('warns about a single etcd member but accepts it', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'cluster.yaml');
      await writeFile(file, `${head}nodes:\n  - { name: m1, ip: 10.0.0.1, roles: [control-plane, etcd, worker] }\n`);
      const result = await runCli(['validate', '-c', file]);
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toMatch(/:5:3 warning: nodes: a single etcd member/);
    });
  });

  it('warns about a secret file that others can read, naming it, and never prints the secret', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'cluster.yaml');
      await writeFile(join(dir, 'admin.key'), 'AQBreadableAdminKey==\n', { mode: 0o644 });
      await chmod(join(dir, 'admin.key'), 0o644);
      await writeFile(file, `${head}${nodes3}addons:\n  rbdProvisioner:\n    monitors: [10.0.0.9:6789]\n    pool: kubes\n    adminSecret: { fromFile: admin.key }\n    userSecret: { fromEnv: K1_RBD_USER_SECRET }\n`);

      const result = await runCli(['validate', '-c', file], { env: k1SecretEnv });

      expect(result.exitCode).toBe(0);
      expect(result.stderr).toContain(`${file}:13:18 warning: addons.rbdProvisioner.adminSecret: secret file ${join(dir, 'admin.key')} is readable by its group and everyone (mode 0644) — chmod 600 ${join(dir, 'admin.key')}`);
      expect(result.stdout + result.stderr).not.toContain('AQBreadableAdminKey');
    });
  });

  it('writes a secret-looking extraVars value to the secrets file only, with a warning that names it', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'cluster.yaml');
      await writeFile(file, `${head}${nodes3}extraVars:\n  ansible_become_password: pw-in-the-file\n  kube_token_auth: true\n`);

      const result = await runCli(['render', '-c', file, '--tag', 'v2.13.2', '--out', dir]);

      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/:10:28 warning: extraVars\.ansible_become_password: ansible_become_password looks like a secret written in the cluster file/);
      expect(result.stdout + result.stderr).not.toContain('pw-in-the-file');
      expect(await readFile(join(dir, 'extra-vars', 't1.secrets.yml'), 'utf8')).toContain('ansible_become_password: pw-in-the-file');
      const plain = await readFile(join(dir, 'extra-vars', 't1.yml'), 'utf8');
      expect(plain).not.toContain('pw-in-the-file');
      expect(plain).toContain('kube_token_auth: true');
    });
  });
});
