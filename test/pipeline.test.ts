/**
 * kspray pipeline through the real CLI: the plan comes from the catalog
 * refreshed from the Kubespray-shaped fixture (k1 1.16 → 1.18: hop 1 v2.13.4,
 * hop 2 v2.14.2), the paths from the git repository holding the cluster file.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { run } from '../src/process/exec.js';
import { withTempDir } from './helpers/cli.js';
import { setupApplyFixture } from './helpers/apply-fixture.js';

const SECRET_VALUE = 'AQBpipelineSecretNeverPrinted==';
const HOPS = [
  { hop: 1, tag: 'v2.13.4', from: 'v1.16.3', to: 'v1.17.12' },
  { hop: 2, tag: 'v2.14.2', from: 'v1.17.12', to: 'v1.18.10' },
];

type GitlabJob = { stage?: string; when?: string; allow_failure?: boolean; needs?: unknown[]; script?: string[]; artifacts?: { reports?: { junit?: string } } };
type GithubJob = { name?: string; needs?: string; environment?: string; env?: Record<string, string>; steps: Array<{ run?: string }> };

describe('kspray pipeline', () => {
  it('prints GitLab and GitHub definitions that parse, name every hop, gate each one, and keep secrets as CI variables', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, {
        tags: ['v2.12.10', 'v2.13.4', 'v2.14.2'], workers: 2,
        extra: { addons: { rbdProvisioner: { monitors: ['192.168.30.23:6789'], pool: 'kubes', adminSecret: { fromEnv: 'K1_RBD_ADMIN_SECRET' }, userSecret: { fromEnv: 'K1_RBD_USER_SECRET' } } } },
      });
      // The operator's repository: the cluster file sits at inventories/k1/cluster.yaml in it.
      await run(['git', 'init', '--quiet', dir]);
      const env = { K1_RBD_ADMIN_SECRET: SECRET_VALUE, K1_RBD_USER_SECRET: SECRET_VALUE };

      const gitlab = await fx.kspray(['pipeline', '-c', fx.clusterFile, '--ci', 'gitlab', '--to', '1.18'], env);
      expect(gitlab.exitCode, gitlab.stderr).toBe(0);
      const lab = parse(gitlab.stdout) as Record<string, GitlabJob> & { stages: string[]; variables: Record<string, string> };
      expect(lab.variables).toMatchObject({ KSPRAY_CLUSTER_FILE: 'inventories/k1/cluster.yaml', KSPRAY_TARGET: 'v1.18.10', KSPRAY_WINDOW: 'Sat 01:00-05:00 UTC' });
      expect(lab.stages).toEqual(['plan', 'preflight', 'hop-1', 'hop-2']);
      for (const { hop, tag, from, to } of HOPS) {
        const job = lab[`apply-hop-${hop}`]!;
        expect(job).toMatchObject({ stage: `hop-${hop}`, when: 'manual', allow_failure: false, needs: [{ job: 'plan', artifacts: true }, { job: hop === 1 ? 'preflight' : 'apply-hop-1', artifacts: false }] });
        expect(job.script!.at(-1)).toContain(`--plan kspray-plan.json --hop ${hop} --yes --window "$KSPRAY_WINDOW" --report kspray-hop${hop}-report.json --junit kspray-hop${hop}-junit.xml`);
        expect(job.artifacts?.reports?.junit).toBe(`kspray-hop${hop}-junit.xml`);
        expect(gitlab.stdout).toContain(`hop ${hop}: Kubespray ${tag}, Kubernetes ${from} → ${to}`);
      }
      expect(gitlab.stdout).toMatch(/K1_RBD_ADMIN_SECRET: read by the cluster file/);
      expect(gitlab.stdout).toMatch(/K1_RBD_USER_SECRET: read by the cluster file/);
      expect(gitlab.stderr).toMatch(/save it as \.gitlab-ci\.yml/);

      const out = join(dir, 'kspray-k1.yml');
      const github = await fx.kspray(['pipeline', '-c', fx.clusterFile, '--ci', 'github', '--to', '1.18', '--window', 'Sun 02:30-06:00 UTC', '--output', out], env);
      expect(github.exitCode, github.stderr).toBe(0);
      const text = await readFile(out, 'utf8');
      const hub = parse(text) as { on: { schedule: Array<{ cron: string }> }; env: Record<string, string>; jobs: Record<string, GithubJob> };
      expect(hub.on.schedule).toEqual([{ cron: '30 2 * * 0' }]);
      expect(hub.env.KSPRAY_WINDOW).toBe('Sun 02:30-06:00 UTC');
      for (const { hop, tag, from, to } of HOPS) {
        const job = hub.jobs[`apply-hop-${hop}`]!;
        expect(job).toMatchObject({ name: `hop ${hop}: Kubespray ${tag}, ${from} → ${to}`, environment: `k1-hop-${hop}`, needs: hop === 1 ? 'preflight' : 'apply-hop-1' });
        expect(job.env).toEqual({ K1_RBD_ADMIN_SECRET: '${{ secrets.K1_RBD_ADMIN_SECRET }}', K1_RBD_USER_SECRET: '${{ secrets.K1_RBD_USER_SECRET }}' });
        expect(job.steps.some((step) => step.run?.includes(`npx kspray apply -c "$KSPRAY_CLUSTER_FILE" --plan kspray-plan.json --hop ${hop} --yes`))).toBe(true);
      }
      for (const output of [gitlab.stdout, gitlab.stderr, text, github.stderr]) expect(output).not.toContain(SECRET_VALUE);
    });
  });

  it('refuses an unknown CI and a bad window as usage errors', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 1 });
      const jenkins = await fx.kspray(['pipeline', '-c', fx.clusterFile, '--ci', 'jenkins', '--to', '1.17']);
      expect(jenkins.exitCode).toBe(2);
      expect(jenkins.stderr).toMatch(/--ci jenkins: kspray writes gitlab or github pipelines/);
      const window = await fx.kspray(['pipeline', '-c', fx.clusterFile, '--ci', 'gitlab', '--to', '1.17', '--window', 'someday']);
      expect(window.exitCode).toBe(2);
    });
  });
});
