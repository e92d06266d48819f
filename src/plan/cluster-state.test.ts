import { describe, expect, it } from 'vitest';
import { checkInHopMatches, resolveClusterState, type JournalClaim, type LiveClaim } from './cluster-state.js';

const FILE = { path: 'cluster.yaml', version: 'v1.16.3', tag: 'v2.12.10' };

function live(versions: Record<string, string>, apiServer: string, masters = ['m1', 'm2', 'm3']): LiveClaim {
  return {
    server: 'https://127.0.0.1:6443',
    apiServerVersion: apiServer,
    nodes: Object.entries(versions).map(([name, kubeletVersion]) => ({ name, kubeletVersion, controlPlane: masters.includes(name) })),
    unknownNodes: [],
  };
}

const ALL_16 = { m1: 'v1.16.3', m2: 'v1.16.3', m3: 'v1.16.3', w1: 'v1.16.3', w2: 'v1.16.3' };

describe('resolveClusterState', () => {
  it('takes the cluster file when it is the only source, and when the live nodes agree', () => {
    expect(resolveClusterState({ file: FILE })).toMatchObject({ ok: true, state: { version: 'v1.16.3', tag: 'v2.12.10', inHop: undefined, floor: 'v1.16.3' } });
    const agreed = resolveClusterState({ file: FILE, live: live(ALL_16, 'v1.16.3') });
    expect(agreed).toMatchObject({ ok: true, state: { version: 'v1.16.3', floor: 'v1.16.3' } });
    if (agreed.ok) expect(agreed.state.sources[1]).toBe('live cluster https://127.0.0.1:6443: every node runs v1.16.3; the API server runs v1.16.3');
  });

  it('refuses a stale cluster file: the nodes run a newer version, and says both values', () => {
    const result = resolveClusterState({ file: FILE, live: live({ m1: 'v1.18.10', m2: 'v1.18.10', m3: 'v1.18.10', w1: 'v1.18.10', w2: 'v1.18.10' }, 'v1.18.10') });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('every node runs v1.18.10');
    expect(result.message).toContain('the cluster file says v1.16.3');
    expect(result.hint).toMatch(/cluster file is stale, or the kubeconfig \(https:\/\/127\.0\.0\.1:6443\) is another cluster's/);
    expect(result.sources).toEqual([
      'cluster file cluster.yaml: Kubernetes v1.16.3, Kubespray v2.12.10',
      'live cluster https://127.0.0.1:6443: every node runs v1.18.10; the API server runs v1.18.10',
    ]);
  });

  it('refuses a cluster file behind the journal, and a journal behind the cluster file, naming each', () => {
    const journal: JournalClaim = { path: 'j.json', finished: { version: 'v1.18.10', tag: 'v2.14.2', at: '2026-12-01T02:00:00.000Z' }, inHop: undefined };
    const behind = resolveClusterState({ file: FILE, journal });
    expect(behind).toMatchObject({ ok: false, hint: expect.stringContaining('set kubernetes.version: v1.18.10 and kubespray.tag: v2.14.2 in cluster.yaml') });
    if (!behind.ok) expect(behind.message).toContain('the journal says kspray left the cluster at v1.18.10 (Kubespray v2.14.2)');
    const ahead = resolveClusterState({ file: { ...FILE, version: 'v1.19.16', tag: 'v2.15.1' }, journal });
    expect(ahead).toMatchObject({ ok: false, hint: expect.stringContaining('move j.json aside') });
    expect(resolveClusterState({ file: { ...FILE, version: 'v1.18.10', tag: 'v2.14.2' }, journal })).toMatchObject({ ok: true, state: { version: 'v1.18.10', tag: 'v2.14.2' } });
    // A file without a tag takes the journal's.
    expect(resolveClusterState({ file: { ...FILE, version: 'v1.18.10', tag: undefined }, journal })).toMatchObject({ ok: true, state: { tag: 'v2.14.2' } });
  });

  it('resumes the states kspray leaves inside a hop: the control plane ahead, some workers done', () => {
    const journal: JournalClaim = { path: 'j.json', finished: undefined, inHop: { index: 1, fromVersion: 'v1.16.3', fromTag: 'v2.12.10', toVersion: 'v1.17.12', tag: 'v2.13.4' } };
    const mid = live({ m1: 'v1.17.12', m2: 'v1.17.12', m3: 'v1.17.12', w1: 'v1.17.12', w2: 'v1.16.3' }, 'v1.17.12');
    expect(resolveClusterState({ file: FILE, journal, live: mid })).toMatchObject({
      ok: true, state: { version: 'v1.16.3', inHop: { toVersion: 'v1.17.12', tag: 'v2.13.4', source: 'journal' }, floor: 'v1.17.12' },
    });
    // A control-plane step that failed half way leaves the masters split: still kspray's own state.
    const split = live({ m1: 'v1.17.12', m2: 'v1.16.3', m3: 'v1.16.3', w1: 'v1.16.3', w2: 'v1.16.3' }, 'v1.16.3');
    expect(resolveClusterState({ file: FILE, journal, live: split }).ok).toBe(true);
    // Without a journal, only the clean split reads as a hop in progress.
    expect(resolveClusterState({ file: FILE, live: mid })).toMatchObject({ ok: true, state: { inHop: { toVersion: 'v1.17.12', tag: undefined, source: 'live' } } });
    expect(resolveClusterState({ file: FILE, live: split }).ok).toBe(false);
    // A node at neither end of the hop is not kspray's doing.
    const stray = live({ ...ALL_16, w2: 'v1.18.10' }, 'v1.17.12');
    expect(resolveClusterState({ file: FILE, journal, live: stray })).toMatchObject({ ok: false, message: expect.stringContaining('w2 runs v1.18.10') });
  });

  it('accepts a cluster file still where the journal\'s unfinished plan started (a pipeline job\'s checkout), and says so', () => {
    const finished: JournalClaim = {
      path: 'j.json', finished: { version: 'v1.17.12', tag: 'v2.13.4', at: '2026-12-06T02:00:00.000Z' }, inHop: undefined,
      planStart: { version: 'v1.16.3', tag: 'v2.12.10' },
    };
    const afterHop1 = resolveClusterState({ file: FILE, journal: finished });
    expect(afterHop1).toMatchObject({ ok: true, state: { version: 'v1.17.12', tag: 'v2.13.4' } });
    if (afterHop1.ok) expect(afterHop1.state.sources[0]).toContain('where the unfinished plan started; kspray has moved the cluster on since');
    const insideHop2: JournalClaim = { ...finished, inHop: { index: 2, fromVersion: 'v1.17.12', fromTag: 'v2.13.4', toVersion: 'v1.18.10', tag: 'v2.14.2' } };
    expect(resolveClusterState({ file: FILE, journal: insideHop2 })).toMatchObject({ ok: true, state: { version: 'v1.17.12', tag: 'v2.13.4', inHop: { toVersion: 'v1.18.10' } } });
    // Once the plan is finished there is nothing to explain the old file: it is stale.
    expect(resolveClusterState({ file: FILE, journal: { ...finished, planStart: undefined } }).ok).toBe(false);
  });

  it('refuses a journal inside a hop when the cluster file has moved on', () => {
    const journal: JournalClaim = { path: 'j.json', finished: undefined, inHop: { index: 2, fromVersion: 'v1.17.12', fromTag: 'v2.13.4', toVersion: 'v1.18.10', tag: 'v2.14.2' } };
    const result = resolveClusterState({ file: FILE, journal });
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('inside hop 2 (v1.17.12 → v1.18.10') });
  });

  it('refuses a kubeconfig of another cluster: none of the file\'s nodes', () => {
    const other: LiveClaim = { server: 'https://10.0.0.1:6443', apiServerVersion: 'v1.16.3', nodes: [], unknownNodes: ['prod-a', 'prod-b'] };
    expect(resolveClusterState({ file: FILE, live: other })).toMatchObject({ ok: false, message: expect.stringContaining('has none of the cluster file\'s nodes (it has prod-a, prod-b)') });
  });

  it('tolerates kubelet build suffixes', () => {
    expect(resolveClusterState({ file: FILE, live: live({ m1: 'v1.16.3+k8s-1', w1: 'v1.16.3' }, 'v1.16.3-eks') }).ok).toBe(true);
  });
});

describe('checkInHopMatches', () => {
  it('accepts a plan whose first hop is the hop in progress, and names the mismatch otherwise', () => {
    const resolved = resolveClusterState({ file: FILE, live: live({ m1: 'v1.17.12', w1: 'v1.16.3' }, 'v1.17.12', ['m1']) });
    if (!resolved.ok) throw new Error(resolved.message);
    expect(checkInHopMatches(resolved.state, { toVersion: 'v1.17.12', tag: 'v2.13.4' })).toBeUndefined();
    expect(checkInHopMatches(resolved.state, { toVersion: 'v1.17.7', tag: 'v2.13.2' })).toMatch(/inside a hop to v1\.17\.12 .*the plan's first hop goes to v1\.17\.7/);
  });
});
