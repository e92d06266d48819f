import { describe, expect, it } from 'vitest';
import { smallCluster } from '../../test/helpers/plan-doc.js';
import { restoreProcedure } from './etcd-restore.js';

const snapshot = {
  host: 'k1-master01', path: '/var/backups/kspray/etcd/k1-hop1-v2.13.4-20240501T100000Z.db', sizeBytes: 20512, sha256: 'a'.repeat(64),
  revision: 7, hash: 1, totalKeys: 9, at: '2024-05-01T10:00:00.000Z', stepId: 'hop1:etcd-snapshot',
};

describe('restoreProcedure', () => {
  it('quotes a value of the cluster file or the journal that is not one plain word, so it stays one shell word of what is pasted', () => {
    const cluster = smallCluster({ preflight: { etcdCertDir: '/etc/etcd certs;id' } });
    const text = restoreProcedure({ cluster, stamp: 'S', snapshot: { ...snapshot, path: '/backups/$(id) x.db' } });
    expect(text).toContain(`[k1-master01]  sha256sum '/backups/$(id) x.db'   # must print ${'a'.repeat(64)}`);
    expect(text).toContain("etcdctl snapshot restore '/backups/$(id) x.db' --name etcd1");
    expect(text).toContain("'--cacert=/etc/etcd certs;id/ca.pem'");
    expect(text).not.toMatch(/ \/etc\/etcd certs;id/);
  });

  it('shows a journal value with a line break in a comment as JSON: the comment cannot end early', () => {
    const text = restoreProcedure({ cluster: smallCluster(), stamp: 'S', snapshot: { ...snapshot, path: '/backups/a.db\nrm -rf /' } });
    expect(text).toContain('"/backups/a.db\\nrm -rf /" on k1-master01');
    // In a command it stays inside the quotes of its word.
    expect(text).toContain(`sha256sum '/backups/a.db\nrm -rf /'`);
    expect(text.split('\n').filter((line) => line.startsWith('rm ')).every((line) => line.startsWith("rm -rf /'"))).toBe(true);
  });

  it('puts an IPv6 member address in brackets in its URLs', () => {
    const cluster = smallCluster({ nodes: [{ name: 'k1-master01', ip: 'fd00::13', roles: ['control-plane', 'etcd'] }, { name: 'k1-node01', ip: 'fd00::12', roles: ['worker'] }] });
    const text = restoreProcedure({ cluster, stamp: 'S' });
    expect(text).toContain("--initial-advertise-peer-urls 'https://[fd00::13]:2380'");
    expect(text).toContain("'--endpoints=https://[fd00::13]:2379'");
  });
});
