/**
 * The etcd snapshot before each hop's control plane (issue 11), against the
 * real three-member etcd of the tests: apply takes it through Ansible on the
 * first etcd host with that host's etcdctl, checks it, and journals it; a
 * snapshot that cannot be taken stops the hop before the control plane;
 * `recover --etcd` prints the single-member restore with k1's hosts filled in.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/process/exec.js';
import { ETCDCTL_BIN, startEtcdCluster, type EtcdCluster } from './fixtures/etcd-cluster.js';
import { K1_MASTERS, setupApplyFixture } from './helpers/apply-fixture.js';
import { withTempDir } from './helpers/cli.js';

let etcdDir: string;
let etcd: EtcdCluster;

beforeAll(async () => {
  etcdDir = await mkdtemp(join(tmpdir(), 'kspray-etcd-snapshot-'));
  etcd = await startEtcdCluster({ members: 3, dir: etcdDir });
});

afterAll(async () => {
  await etcd?.stop();
  await rm(etcdDir, { recursive: true, force: true });
});

describe('the etcd snapshot before the control plane', () => {
  it('is taken on the first etcd host, checked, journaled and shown; recover --etcd prints the restore with it', async () => {
    await withTempDir(async (dir) => {
      const snapshots = join(dir, 'snapshots');
      const fx = await setupApplyFixture(dir, {
        tags: ['v2.12.10', 'v2.13.4'], workers: 1,
        extra: { preflight: { cachePaths: [join(dir, 'caches', 'kube-http-cache')], etcdTls: false, etcdEndpoints: [etcd.endpoints[0]!], etcdSnapshotDir: snapshots } },
      });
      const report = join(dir, 'report.json');
      const masters = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--masters-only', '--report', report], {}, { etcdSnapshot: true });
      expect(masters.exitCode, masters.stderr).toBe(0);

      const journal = JSON.parse(readFileSync(join(dir, 'inventories', 'k1', '.kspray', 'state', 'k1.json'), 'utf8')) as { snapshots: Array<{ path: string; host: string; sizeBytes: number; sha256: string; revision: number; hash: number; totalKeys: number; stepId: string }> };
      expect(journal.snapshots).toHaveLength(1);
      const snapshot = journal.snapshots[0]!;
      expect(snapshot).toMatchObject({ host: 'k1-master01', stepId: 'hop1:etcd-snapshot' });
      expect(snapshot.path).toMatch(new RegExp(`^${snapshots}/k1-hop1-v2\\.13\\.4-\\d{8}T\\d{6}Z\\.db$`));
      expect(existsSync(snapshot.path)).toBe(true);
      const bytes = readFileSync(snapshot.path);
      expect(snapshot.sizeBytes).toBe(bytes.length);
      expect(snapshot.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      const status = JSON.parse((await run([ETCDCTL_BIN, 'snapshot', 'status', snapshot.path, '-w', 'json'], { env: { ETCDCTL_API: '3' } })).stdout) as { hash: number; revision: number; totalKey: number };
      expect({ hash: snapshot.hash, revision: snapshot.revision, totalKeys: snapshot.totalKeys }).toEqual({ hash: status.hash, revision: status.revision, totalKeys: status.totalKey });
      // The snapshot came before any master was upgraded.
      expect(masters.stderr.indexOf('hop1:etcd-snapshot')).toBeLessThan(masters.stderr.indexOf('hop1:control-plane'));

      const shown = JSON.parse((await fx.kspray(['status', '-c', fx.clusterFile, '--json'])).stdout) as { lastSnapshot: { path: string } };
      expect(shown.lastSnapshot.path).toBe(snapshot.path);
      expect((await fx.kspray(['status', '-c', fx.clusterFile])).stdout).toContain(`etcd snapshot before hop1:etcd-snapshot: ${snapshot.path} on k1-master01`);
      expect(JSON.parse(readFileSync(report, 'utf8'))).toMatchObject({ snapshots: [expect.objectContaining({ path: snapshot.path })], noEtcdSnapshot: null });

      const restore = await fx.kspray(['recover', '-c', fx.clusterFile, '--etcd']);
      expect(restore.exitCode, restore.stderr).toBe(0);
      expect(restore.stdout).toContain('etcd1=k1-master01 (192.168.30.13), etcd2=k1-master02 (192.168.30.14), etcd3=k1-master03 (192.168.30.15)');
      expect(restore.stdout).toContain(`[k1-master01]  sha256sum ${snapshot.path}   # must print ${snapshot.sha256}`);
      expect(restore.stdout).toContain(`etcdctl snapshot restore ${snapshot.path} --name etcd1 --initial-cluster etcd1=https://192.168.30.13:2380`);
      expect(restore.stdout).not.toContain('--skip-hash-check');
      expect(restore.stdout).toContain('[k1-master01]  ETCDCTL_API=3 etcdctl --endpoints=https://192.168.30.13:2379 --cacert=/etc/ssl/etcd/ssl/ca.pem --cert=/etc/ssl/etcd/ssl/admin-k1-master01.pem --key=/etc/ssl/etcd/ssl/admin-k1-master01-key.pem member add etcd2 --peer-urls=https://192.168.30.14:2380');
      expect(restore.stdout).toContain('ETCD_INITIAL_CLUSTER=etcd1=https://192.168.30.13:2380,etcd2=https://192.168.30.14:2380|');
      const live = await fx.kspray(['recover', '-c', fx.clusterFile, '--etcd', '--from-live-db']);
      expect(live.stdout).toContain('etcdctl snapshot restore /var/lib/etcd.broken-');
      expect(live.stdout).toContain('--skip-hash-check');
    });
  });

  it('stops the hop before the control plane when no snapshot can be taken; --no-etcd-snapshot --reason goes on, recorded', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, {
        tags: ['v2.12.10', 'v2.13.4'], workers: 1,
        // Nothing listens there: etcdctl snapshot save fails.
        extra: { preflight: { cachePaths: [join(dir, 'caches', 'kube-http-cache')], etcdTls: false, etcdEndpoints: ['http://127.0.0.1:1'], etcdSnapshotDir: join(dir, 'snapshots') } },
      });
      const failed = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--json'], {}, { etcdSnapshot: true });
      expect(failed.exitCode).toBe(1);
      expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'failed', failedStep: 'hop1:etcd-snapshot', failedHosts: ['k1-master01'] });
      expect(failed.stderr).toContain('hop1:etcd-snapshot failed on k1-master01');
      expect(fx.journal().filter((line) => line.play !== 'Gather facts' && K1_MASTERS.includes(line.host))).toEqual([]);

      const waived = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--no-etcd-snapshot', '--reason', 'snapshot taken by hand (CHG-9)'], {}, { etcdSnapshot: true });
      expect(waived.exitCode, waived.stderr).toBe(0);
      const journal = JSON.parse(readFileSync(join(dir, 'inventories', 'k1', '.kspray', 'state', 'k1.json'), 'utf8')) as { steps: Record<string, { message?: string }>; runs: Array<{ flags: { noEtcdSnapshot?: string } }> };
      expect(journal.steps['hop1:etcd-snapshot']?.message).toBe('not run, waived: snapshot taken by hand (CHG-9)');
      expect(journal.runs.at(-1)!.flags.noEtcdSnapshot).toBe('snapshot taken by hand (CHG-9)');
    });
  });
});
