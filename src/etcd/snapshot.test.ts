import { describe, expect, it } from 'vitest';
import { parseSnapshotResult } from './snapshot.js';

const ok = { rc: 0, stdout: '', stderr: '' };
const result = (over: Record<string, unknown> = {}) => ({
  host: 'm1', path: '/var/backups/kspray/etcd/k1-hop1-v2.13.4-20261206T020000Z.db', endpoint: 'https://127.0.0.1:2379',
  health: ok, save: ok, status: { ...ok, stdout: '{"hash":3700863346,"revision":13,"totalKey":20,"totalSize":20480}' },
  stat: { exists: true, size: 20512, sha256: 'a'.repeat(64) }, ...over,
});

describe('parseSnapshotResult', () => {
  it('accepts a snapshot etcdctl saved and reads back, its hash appended', () => {
    expect(parseSnapshotResult(result())).toEqual({
      ok: true, snapshot: { host: 'm1', path: result().path, sizeBytes: 20512, sha256: 'a'.repeat(64), revision: 13, hash: 3700863346, totalKeys: 20 },
    });
  });

  it('refuses a member that does not answer, a failed save or status, a missing file, and a size that is not the database', () => {
    expect(parseSnapshotResult(result({ health: { rc: 1, stderr: 'context deadline exceeded' } }))).toEqual({ ok: false, reason: 'etcd at https://127.0.0.1:2379 does not answer on m1 (etcdctl endpoint health): context deadline exceeded' });
    expect(parseSnapshotResult(result({ save: { rc: 5, stderr: 'permission denied' } }))).toMatchObject({ ok: false, reason: expect.stringContaining('etcdctl snapshot save on m1 failed: permission denied') });
    expect(parseSnapshotResult(result({ status: { rc: 1, stderr: 'invalid database' } }))).toMatchObject({ ok: false, reason: expect.stringContaining('snapshot status') });
    expect(parseSnapshotResult(result({ stat: { exists: false } }))).toMatchObject({ ok: false, reason: expect.stringContaining('is not on m1') });
    expect(parseSnapshotResult(result({ stat: { exists: true, size: 100, sha256: 'a'.repeat(64) } }))).toMatchObject({ ok: false, reason: expect.stringContaining('100 bytes on disk') });
    expect(parseSnapshotResult(result({ status: { ...ok, stdout: 'no json' } }))).toMatchObject({ ok: false, reason: expect.stringContaining('printed no JSON') });
  });
});
