/**
 * The failure paths of listing and checking downloads: a tag Ansible cannot
 * template (exit 1, the work directory gone), and the mirror preflight's bad
 * input — a CA file that is not there, a registry password whose environment
 * variable is not set (exit 2, saying which and how to fix it).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { templateHop } from '../src/artifacts/template-hop.js';
import { groupNamesOf } from '../src/catalog/groups.js';
import { KsprayError } from '../src/util/errors.js';
import { k1ClusterFile, runCli, withTempDir } from './helpers/cli.js';

describe('templating a tag that is not Kubespray', () => {
  it('fails with Ansible\'s own message (exit 1) and leaves no work directory', async () => {
    await withTempDir(async (dir) => {
      const tree = join(dir, 'tree');
      await mkdir(join(tree, 'inventory', 'sample', 'group_vars', 'all'), { recursive: true });
      await writeFile(join(tree, 'inventory', 'sample', 'group_vars', 'all', 'all.yml'), '---\n');
      const workDir = join(dir, 'work');
      const failure = await templateHop({
        tag: 'v2.99.0', kubesprayDir: tree, groups: groupNamesOf('underscore'), extraVars: 'kube_version: 1.33.7\n', architectures: ['amd64'], workDir,
      }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(KsprayError);
      expect((failure as KsprayError).exitCode).toBe(1);
      expect((failure as KsprayError).message).toMatch(/^could not template the downloads of Kubespray v2\.99\.0 with Ansible \(exit \d+\): .*kubespray-defaults/);
      expect(existsSync(workDir)).toBe(false);
    });
  });
});

describe('the mirror preflight\'s own settings', () => {
  async function withMirrors(dir: string, offline: string): Promise<string> {
    const file = join(dir, 'cluster.yaml');
    await writeFile(file, `${await readFile(k1ClusterFile, 'utf8')}offline:\n${offline}`);
    return file;
  }
  const preflight = (file: string, dir: string, env: Record<string, string> = {}) =>
    runCli(['preflight', '-c', file, '--to', '1.18', '--kubeconfig', join(dir, 'none.conf'), '--skip-hosts', '--json'], { cwd: dir, env: { KSPRAY_CACHE_DIR: join(dir, 'cache'), ...env } });

  it('refuses a CA file that is not there (exit 2), naming it', async () => {
    await withTempDir(async (dir) => {
      const file = await withMirrors(dir, '  registry: registry.local:5000\n  caFile: mirror-ca.pem\n');
      const result = await preflight(file, dir);
      expect(result.exitCode).toBe(2);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { kind: 'usage', message: `offline.caFile ${join(dir, 'mirror-ca.pem')} cannot be read: ENOENT` } });
    });
  });

  it('refuses a registry password whose environment variable is not set (exit 2), saying which', async () => {
    await withTempDir(async (dir) => {
      const file = await withMirrors(dir, '  registry: registry.local:5000\n  registryAuth: { username: mirror, password: { fromEnv: KSPRAY_TEST_UNSET_MIRROR_PASSWORD } }\n');
      const result = await preflight(file, dir);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('environment variable KSPRAY_TEST_UNSET_MIRROR_PASSWORD is not set');
      expect(existsSync(join(dir, 'cache', 'artifacts'))).toBe(false);
    });
  });
});
