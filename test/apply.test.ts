/**
 * kspray apply against real ansible-playbook and a Kubespray-shaped fixture
 * repo (plays, host patterns and serial copied from the real tags): order of
 * the steps, failure and resume, --masters-only / --workers-only, dialects.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupMembers, inventoryList } from '../src/ansible/inventory.js';
import type { FixtureJournalLine } from './fixtures/kubespray-repo.js';
import { withTempDir } from './helpers/cli.js';
import { K1_MASTERS, k1Workers, setupApplyFixture } from './helpers/apply-fixture.js';

const FACTS_PLAY = 'Gather facts';

/** The journal lines of one hop (by kube_version), checked for the order Kubespray's docs require. */
function checkHopOrder(lines: FixtureJournalLine[], kubeVersion: string, workers: string[]): void {
  const hop = lines.filter((line) => line.kubeVersion === kubeVersion);
  expect(hop.length, `no journal lines for ${kubeVersion}`).toBeGreaterThan(0);
  // 1. The facts step (no --limit) comes first and covers every host.
  const firstLimited = hop.findIndex((line) => line.play !== FACTS_PLAY);
  const facts = hop.slice(0, firstLimited);
  expect(new Set(facts.map((l) => l.host))).toEqual(new Set([...K1_MASTERS, ...workers]));
  const limited = hop.slice(firstLimited);
  // 2. Every control-plane/etcd host before any worker.
  const lastMaster = limited.map((l) => K1_MASTERS.includes(l.host)).lastIndexOf(true);
  const firstWorker = limited.findIndex((l) => workers.includes(l.host));
  expect(lastMaster).toBeGreaterThanOrEqual(0);
  expect(firstWorker).toBeGreaterThan(lastMaster);
  // 3. The canary before the other workers.
  const workerLines = limited.slice(firstWorker);
  const lastCanary = workerLines.map((l) => l.host === workers[0]).lastIndexOf(true);
  const firstOther = workerLines.findIndex((l) => l.host !== workers[0]);
  expect(lastCanary).toBeGreaterThanOrEqual(0);
  expect(firstOther).toBeGreaterThan(lastCanary);
  for (const master of K1_MASTERS) expect(limited.some((l) => l.host === master && l.play !== FACTS_PLAY)).toBe(true);
}

async function kubeletVersions(stateDir: string, hosts: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const host of hosts) out[host] = (await readFile(join(stateDir, host, 'kubelet_version'), 'utf8').catch(() => '')).trim();
  return out;
}

describe('kspray apply on the Kubespray-shaped fixture', () => {
  it('upgrades k1 from 1.16 to 1.18: per hop facts first, control plane and etcd, the canary, then the workers', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4', 'v2.14.2'] });
      const result = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.18', '--yes']);
      expect(result.exitCode, result.stderr).toBe(0);
      const lines = fx.journal();
      const workers = k1Workers(5);
      checkHopOrder(lines, 'v1.17.12', workers);
      checkHopOrder(lines, 'v1.18.10', workers);
      // Hop 1 entirely before hop 2, and no other version ever ran.
      expect(lines.map((l) => l.kubeVersion).lastIndexOf('v1.17.12')).toBeLessThan(lines.map((l) => l.kubeVersion).indexOf('v1.18.10'));
      expect(new Set(lines.map((l) => l.kubeVersion))).toEqual(new Set(['v1.17.12', 'v1.18.10']));
      expect(Object.values(await kubeletVersions(fx.stateDir, [...K1_MASTERS, ...workers]))).toEqual(Array(8).fill('v1.18.10'));
      // Kubespray's artifacts (admin.conf) go beside the cluster file, where plan and preflight look for them.
      expect(await readFile(join(dir, 'inventories', 'k1', '.kspray', 'work', 'v2.14.2', 'extra-vars.yml'), 'utf8')).toContain(`\nartifacts_dir: ${join(dir, 'inventories', 'k1', 'artifacts')}\n`);
      // Each hop's inventory speaks its tag's dialect (both dash here).
      for (const tag of ['v2.13.4', 'v2.14.2']) {
        const list = await inventoryList(join(dir, 'inventories', 'k1', '.kspray', 'work', tag, 'inventory', 'k1', 'inventory.ini'));
        expect(groupMembers(list, 'kube-master')).toEqual(K1_MASTERS);
        expect(list.groups.kube_control_plane).toBeUndefined();
      }
      const status = JSON.parse((await fx.kspray(['status', '-c', fx.clusterFile, '--json'])).stdout) as { runStatus: string; resumeAt: string | null };
      expect(status).toMatchObject({ runStatus: 'succeeded', resumeAt: null });
      // The stale docker login data was removed before the first control-plane step, and the journal says so.
      const journal = JSON.parse(await readFile(join(dir, 'inventories', 'k1', '.kspray', 'state', 'k1.json'), 'utf8')) as { cleanups: Array<{ host: string; paths: string[]; stepId?: string }> };
      expect(journal.cleanups).toEqual([expect.objectContaining({ paths: [join(dir, 'caches', 'docker-config')], stepId: 'hop1:cleanup-caches' })]);
    });
  });

  it('stops before any worker when a master fails, and resumes at that step without repeating finished ones', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'] });
      const failed = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes'], { KSPRAY_FIXTURE_FAIL_HOSTS: 'k1-master02' });
      expect(failed.exitCode).toBe(1);
      expect(failed.stderr).toMatch(/hop1:control-plane failed on k1-master02/);
      expect(failed.stderr).toMatch(/full output: .*hop1-control-plane\.log/);
      const workers = k1Workers(5);
      const afterFacts = fx.journal().filter((l) => l.play !== FACTS_PLAY);
      expect(afterFacts.some((l) => workers.includes(l.host))).toBe(false);
      const status = JSON.parse((await fx.kspray(['status', '-c', fx.clusterFile, '--json'])).stdout) as { failedStep: { id: string; failedHosts: string[] }; resumeAt: string };
      expect(status.failedStep).toMatchObject({ id: 'hop1:control-plane', failedHosts: ['k1-master02'] });
      expect(status.resumeAt).toBe('hop1:control-plane');

      const before = fx.journal().length;
      const resumed = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes']);
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/resuming: 3 step\(s\) already done, next is hop1:control-plane/);
      const rerun = fx.journal().slice(before);
      // The facts step (every host, no --limit) did not run again: the re-run starts on the control plane.
      const firstWorker = rerun.findIndex((l) => workers.includes(l.host));
      expect(K1_MASTERS).toContain(rerun[0]!.host);
      expect(rerun.slice(0, firstWorker).every((l) => K1_MASTERS.includes(l.host))).toBe(true);
      checkHopOrder([...fx.journal().slice(0, 8), ...rerun], 'v1.17.12', workers);
    });
  });

  it('--masters-only then --workers-only reaches the same end state; --workers-only first is refused', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'] });
      const refused = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--workers-only']);
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toMatch(/--workers-only refused: the control plane of hop 1 is not upgraded yet/);
      expect(fx.journal()).toEqual([]);

      const masters = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--masters-only']);
      expect(masters.exitCode, masters.stderr).toBe(0);
      const workers = k1Workers(5);
      expect(await kubeletVersions(fx.stateDir, K1_MASTERS)).toEqual(Object.fromEntries(K1_MASTERS.map((m) => [m, 'v1.17.12'])));
      expect(Object.values(await kubeletVersions(fx.stateDir, workers))).toEqual(Array(5).fill(''));

      const rest = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--workers-only']);
      expect(rest.exitCode, rest.stderr).toBe(0);
      expect(Object.values(await kubeletVersions(fx.stateDir, [...K1_MASTERS, ...workers]))).toEqual(Array(8).fill('v1.17.12'));
      checkHopOrder(fx.journal(), 'v1.17.12', workers);
      const status = JSON.parse((await fx.kspray(['status', '-c', fx.clusterFile, '--json'])).stdout) as { resumeAt: string | null };
      expect(status.resumeAt).toBeNull();
    });
  });

  it('writes each hop\'s inventory in its tag\'s dialect: dash up to v2.15.1, underscore from v2.16.0', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.14.2', 'v2.15.1', 'v2.16.0'], version: 'v1.18.10', tag: 'v2.14.2', workers: 2 });
      const result = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.20', '--yes', '--force-ansible']);
      expect(result.exitCode, result.stderr).toBe(0);
      const dash = await inventoryList(join(dir, 'inventories', 'k1', '.kspray', 'work', 'v2.15.1', 'inventory', 'k1', 'inventory.ini'));
      const underscore = await inventoryList(join(dir, 'inventories', 'k1', '.kspray', 'work', 'v2.16.0', 'inventory', 'k1', 'inventory.ini'));
      expect(groupMembers(dash, 'kube-master')).toEqual(K1_MASTERS);
      expect(groupMembers(underscore, 'kube_control_plane')).toEqual(K1_MASTERS);
      expect(groupMembers(underscore, 'kube_node')).toEqual(k1Workers(2));
      expect(underscore.groups['kube-master']).toBeUndefined();
      // The underscore hop really ran its plays on the workers (they matched the new group names).
      checkHopOrder(fx.journal(), 'v1.20.7', k1Workers(2));
    });
  });
});
