/**
 * kspray recover against real ansible-playbook and the Kubespray-shaped
 * fixture. A failed node upgrade in the fixture leaves the node cordoned with
 * the new kubelet (<state>/<host>/cordoned, kubelet_version), as a failed
 * Kubespray upgrade does; playbooks/recover-node.yml is pointed at that state
 * through its documented override variables, and at the fake API server for
 * the API path. Everything else (journal, peer choice, the uncordon rule) is
 * kspray's production code.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runReportJsonSchema, RunReportSchema } from '../src/report/run-report.js';
import { withTempDir } from './helpers/cli.js';
import { K1_MASTERS, k1Workers, setupApplyFixture, type ApplyFixture } from './helpers/apply-fixture.js';
import { parseJUnit, validateJsonSchema } from './helpers/report-check.js';
import { startKubeApiServer, type KubeObject } from './fixtures/kube-api-server.js';

const K1_API_FILE = join(import.meta.dirname, 'fixtures', 'kube', 'k1.yaml');

/** The fixture's node: the kubelet "binary" is the kubelet_version file, kubectl is a file test/rm, kubelet has no systemd unit. */
const FIXTURE_NODE_VARS = {
  kspray_state: "{{ lookup('env', 'KSPRAY_FIXTURE_STATE_DIR') }}",
  kspray_kubelet_path: '{{ kspray_state }}/{{ inventory_hostname }}/kubelet_version',
  kspray_kubelet_version_command: ['cat', '{{ kspray_kubelet_path }}'],
  kspray_restart_kubelet: false,
  kspray_cordoned_command: ['sh', '-c', 'if [ -e "$1" ]; then echo true; else echo false; fi', 'sh', '{{ kspray_state }}/{{ kspray_node }}/cordoned'],
  kspray_uncordon_command: ['rm', '-f', '{{ kspray_state }}/{{ kspray_node }}/cordoned'],
};

async function seedNodes(fx: ApplyFixture, hosts: string[], version: string): Promise<void> {
  for (const host of hosts) {
    await mkdir(join(fx.stateDir, host), { recursive: true });
    await writeFile(join(fx.stateDir, host, 'kubelet_version'), `${version}\n`);
  }
}

const kubelet = async (fx: ApplyFixture, host: string): Promise<string> => (await readFile(join(fx.stateDir, host, 'kubelet_version'), 'utf8')).trim();
const cordoned = (fx: ApplyFixture, host: string): boolean => existsSync(join(fx.stateDir, host, 'cordoned'));

async function status(fx: ApplyFixture): Promise<{ cordonedByKspray: string[]; failedStep: { id: string; failedHosts: string[] } | null }> {
  return JSON.parse((await fx.kspray(['status', '-c', fx.clusterFile, '--json'])).stdout) as never;
}

describe('kspray recover', () => {
  it('puts the previous kubelet back on a worker a failed step left cordoned, and uncordons only what kspray cordoned', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 3 });
      const all = [...K1_MASTERS, ...k1Workers(3)];
      await seedNodes(fx, all, 'v1.16.3');
      const varsFile = join(dir, 'recover-vars.yml');
      await writeFile(varsFile, stringify(FIXTURE_NODE_VARS));
      const recover = (args: string[]) => fx.kspray(['recover', '-c', fx.clusterFile, '-e', `@${varsFile}`, ...args]);

      // The upgrade of k1-node02 fails mid-step: cordoned, new kubelet; k1-node03 is not reached.
      const report = join(dir, 'report.json');
      const junit = join(dir, 'junit.xml');
      const failed = await fx.kspray(['apply', '-c', fx.clusterFile, '--skip-preflight', '--to', '1.17', '--yes', '--report', report, '--junit', junit], { KSPRAY_FIXTURE_FAIL_HOSTS: 'k1-node02' });
      expect(failed.exitCode).toBe(1);
      expect(failed.stderr).toMatch(/hop1:workers-1 failed on k1-node02/);
      expect([await kubelet(fx, 'k1-node01'), await kubelet(fx, 'k1-node02'), await kubelet(fx, 'k1-node03')]).toEqual(['v1.17.12', 'v1.17.12', 'v1.16.3']);
      expect(cordoned(fx, 'k1-node02')).toBe(true);
      expect(await status(fx)).toMatchObject({ cordonedByKspray: ['k1-node02'], failedStep: { id: 'hop1:workers-1', failedHosts: ['k1-node02'] } });

      // The failed run's reports: valid against the published schema, the failure named in both.
      const document = JSON.parse(await readFile(report, 'utf8')) as unknown;
      expect(validateJsonSchema(runReportJsonSchema(), document)).toEqual([]);
      expect(RunReportSchema.parse(document)).toMatchObject({ status: 'failed', totals: { failedHosts: ['k1-node02'] }, cordonedByKspray: ['k1-node02'] });
      const cases = (await parseJUnit(junit)).cases;
      expect(cases.find((c) => c.name === 'hop1:workers-1')).toMatchObject({ outcome: 'failure', message: 'workers failed on k1-node02' });
      expect(cases.filter((c) => c.outcome === 'passed').map((c) => c.name)).toEqual(['hop1:facts', 'hop1:cleanup-caches', 'hop1:etcd-snapshot', 'hop1:control-plane', 'hop1:canary']);

      // A peer that is not at the old version is refused.
      const badPeer = await recover(['--node', 'k1-node02', '--peer', 'k1-node01', '--yes']);
      expect(badPeer.exitCode).toBe(1);
      expect(badPeer.stderr).toMatch(/--peer k1-node01 has kubelet v1\.17\.12, not v1\.16\.3/);

      // --dry-run shows the state and the plan, and changes nothing.
      const dry = await recover(['--node', 'k1-node02', '--dry-run']);
      expect(dry.exitCode, dry.stderr).toBe(0);
      expect(dry.stderr).toMatch(/k1-node02: hop1:workers-1 \(hop 1, Kubespray v2\.13\.4, v1\.16\.3 → v1\.17\.12\) failed/);
      expect(dry.stderr).toMatch(/kubelet binary: v1\.17\.12/);
      expect(dry.stderr).toMatch(/cordoned: yes; cordoned by kspray: yes/);
      expect(dry.stderr).toMatch(/copy the v1\.16\.3 kubelet from k1-node03 to k1-node02/);
      expect(dry.stderr).toMatch(/uncordon k1-node02/);
      expect(await kubelet(fx, 'k1-node02')).toBe('v1.17.12');
      expect(cordoned(fx, 'k1-node02')).toBe(true);

      const done = await recover(['--node', 'k1-node02', '--yes']);
      expect(done.exitCode, done.stderr).toBe(0);
      expect(await kubelet(fx, 'k1-node02')).toBe('v1.16.3');
      expect(cordoned(fx, 'k1-node02')).toBe(false);
      expect(done.stderr).toMatch(/k1-node02 recovered: kubelet v1\.16\.3, uncordoned\. .*resumes at hop1:workers-1/);
      expect((await status(fx)).cordonedByKspray).toEqual([]);

      // Someone cordons the node by hand and the new kubelet is back: recover restores the
      // kubelet, but leaves the cordon it did not make, and says why.
      await writeFile(join(fx.stateDir, 'k1-node02', 'cordoned'), '');
      await writeFile(join(fx.stateDir, 'k1-node02', 'kubelet_version'), 'v1.17.12\n');
      const manual = await recover(['--node', 'k1-node02', '--yes']);
      expect(manual.exitCode, manual.stderr).toBe(0);
      expect(await kubelet(fx, 'k1-node02')).toBe('v1.16.3');
      expect(cordoned(fx, 'k1-node02')).toBe(true);
      expect(manual.stderr).toMatch(/k1-node02 is cordoned, but kspray did not cordon it \(the journal does not list it\): it stays cordoned/);
      expect(manual.stderr).not.toMatch(/uncordoned/);
    });
  }, 400_000);

  it('recovers a failed master through the API: peer from the control plane, uncordon by the API', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 1 });
      await seedNodes(fx, [...K1_MASTERS, 'k1-node01'], 'v1.16.3');
      const failed = await fx.kspray(['apply', '-c', fx.clusterFile, '--skip-preflight', '--to', '1.17', '--yes'], { KSPRAY_FIXTURE_FAIL_HOSTS: 'k1-master02' });
      expect(failed.exitCode).toBe(1);
      expect(await kubelet(fx, 'k1-master02')).toBe('v1.17.12');
      expect((await status(fx)).cordonedByKspray).toEqual(['k1-master02']);

      const server = await startKubeApiServer({ files: [K1_API_FILE] });
      try {
        // The API agrees with the node: k1-master02 cordoned.
        server.setObjects(server.objects().map((object): KubeObject => (object.kind === 'Node' && object.metadata.name === 'k1-master02'
          ? { ...object, spec: { ...(object.spec as object), unschedulable: true } }
          : object)));
        const { kspray_uncordon_command: _byKubectl, ...vars } = FIXTURE_NODE_VARS;
        const varsFile = join(dir, 'recover-vars.yml');
        // kubectl would fail here: the uncordon must come from the API.
        await writeFile(varsFile, stringify({ ...vars, kspray_uncordon_command: ['false'] }));
        const done = await fx.kspray(['recover', '-c', fx.clusterFile, '--node', 'k1-master02', '--yes', '--kubeconfig', server.kubeconfigPath, '-e', `@${varsFile}`]);
        expect(done.exitCode, done.stderr).toBe(0);
        expect(done.stderr).toMatch(/copy the v1\.16\.3 kubelet from k1-master03 to k1-master02/);
        expect(await kubelet(fx, 'k1-master02')).toBe('v1.16.3');
        const node = server.objects().find((object) => object.kind === 'Node' && object.metadata.name === 'k1-master02')!;
        expect((node.spec as { unschedulable?: boolean }).unschedulable ?? false).toBe(false);
        expect(server.requests.some((request) => request.startsWith('PATCH /api/v1/nodes/k1-master02'))).toBe(true);
        expect((await status(fx)).cordonedByKspray).toEqual([]);
      } finally {
        await server.stop();
      }
    });
  }, 300_000);
});
