import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../catalog/load.js';
import type { ClusterFacts, PdbFact, PodFact } from '../kube/types.js';
import { checkPdbs, drainFallbackOffered, formatPdbTable, pdbSelects } from './pdb.js';

function pod(name: string, node: string, labels: Record<string, string>, owner = { kind: 'Deployment', name: 'web' }, namespace = 'apps'): PodFact {
  return { namespace, name, nodeName: node, labels, phase: 'Running', ready: true, owner };
}

function pdb(name: string, matchLabels: Record<string, string>, allowed: number, extra: Partial<PdbFact> = {}): PdbFact {
  return {
    namespace: 'apps', name, apiVersion: 'policy/v1', selector: { matchLabels, matchExpressions: [] },
    minAvailable: 1, maxUnavailable: undefined,
    status: { currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, disruptionsAllowed: allowed },
    ...extra,
  };
}

function facts(pods: PodFact[], pdbs: PdbFact[]): Pick<ClusterFacts, 'pods' | 'pdbs' | 'gaps'> {
  return { pods, pdbs, gaps: [] };
}

describe('checkPdbs', () => {
  it('blocks on a budget with zero allowed disruptions over a pod on a drained node, naming the workload and the fixes', () => {
    const input = facts([pod('web-1', 'w1', { app: 'web' })], [pdb('web', { app: 'web' }, 0)]);

    const outcome = checkPdbs(input, { drainNodes: ['w1', 'w2'], drainFallbackAvailable: true, hop: { index: 2, fromVersion: 'v1.20.7', toVersion: 'v1.21.6', fromTag: 'v2.16.0', toTag: 'v2.17.1', line: '2.17' } });

    expect(outcome.status).toBe('fail');
    expect(outcome.findings).toHaveLength(1);
    const [finding] = outcome.findings;
    expect(finding).toMatchObject({ check: 'pdb', severity: 'block', where: 'apps/web', hop: 2 });
    expect(finding?.what).toContain('Deployment apps/web');
    expect(finding?.fix).toContain('kubectl -n apps scale deployment web --replicas=2');
    expect(finding?.fix).toContain('drain_fallback_enabled: true');
    expect(finding?.fix).toContain('v2.17.1');
  });

  it('passes when every budget allows a disruption', () => {
    const input = facts([pod('web-1', 'w1', { app: 'web' }), pod('web-2', 'w2', { app: 'web' })], [pdb('web', { app: 'web' }, 1)]);

    const outcome = checkPdbs(input, { drainNodes: ['w1', 'w2'], drainFallbackAvailable: false });

    expect(outcome.status).toBe('pass');
    expect(outcome.findings).toEqual([]);
  });

  it('does not block on a budget whose pods are not on drained nodes, nor on one selecting nothing', () => {
    const input = facts(
      [pod('web-1', 'w9', { app: 'web' }), pod('db-1', 'w1', { app: 'db' }, { kind: 'DaemonSet', name: 'db' })],
      [pdb('web', { app: 'web' }, 0), pdb('ghost', { app: 'ghost' }, 0), pdb('db', { app: 'db' }, 0)],
    );

    const outcome = checkPdbs(input, { drainNodes: ['w1'], drainFallbackAvailable: false });

    expect(outcome.status).toBe('pass');
  });

  it('says the tag has no drain fallback when it has none, and asks for unhealthy pods first', () => {
    const budget = pdb('es', { app: 'es' }, 0, { minAvailable: undefined, maxUnavailable: 1, status: { currentHealthy: 2, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 0 } });
    const input = facts([pod('es-0', 'w1', { app: 'es' }, { kind: 'StatefulSet', name: 'es' })], [budget]);

    const outcome = checkPdbs(input, { drainNodes: ['w1'], drainFallbackAvailable: false });

    expect(outcome.findings[0]?.fix).toMatch(/^bring the unhealthy pods back \(2 of 3 healthy/);
    expect(outcome.findings[0]?.fix).toContain('StatefulSet apps/es');
    expect(outcome.findings[0]?.fix).toContain('has no drain_fallback_enabled');
  });

  it('blocks when the budgets or the pods could not be listed: a drain would go unchecked', () => {
    const outcome = checkPdbs({ pods: [], pdbs: [], gaps: [{ what: 'pdbs', reason: 'forbidden' }] }, { drainNodes: [], drainFallbackAvailable: false });

    expect(outcome).toMatchObject({ status: 'fail', reason: 'pdbs: forbidden' });
    expect(outcome.findings).toEqual([expect.objectContaining({ check: 'pdb', severity: 'block', what: expect.stringContaining('cannot be checked: pdbs: forbidden') })]);
  });
});

describe('pdbSelects', () => {
  it('treats an empty selector as every pod of the namespace on policy/v1 and as none on policy/v1beta1', () => {
    const any = pod('x', 'w1', { app: 'x' });
    const empty = { matchLabels: {}, matchExpressions: [] };

    expect(pdbSelects(pdb('v1', {}, 0, { selector: empty }), any)).toBe(true);
    expect(pdbSelects(pdb('beta', {}, 0, { selector: empty, apiVersion: 'policy/v1beta1' }), any)).toBe(false);
    expect(pdbSelects(pdb('null', {}, 0, { selector: null }), any)).toBe(false);
    expect(pdbSelects(pdb('other-ns', {}, 0, { selector: empty }), { ...any, namespace: 'elsewhere' })).toBe(false);
  });

  it('honours matchExpressions', () => {
    const selector = { matchLabels: {}, matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['web', 'api'] }] };

    expect(pdbSelects(pdb('p', {}, 0, { selector }), pod('a', 'w1', { tier: 'api' }))).toBe(true);
    expect(pdbSelects(pdb('p', {}, 0, { selector }), pod('b', 'w1', { tier: 'db' }))).toBe(false);
  });
});

describe('formatPdbTable', () => {
  it('renders the kubectl get pdb -A columns, sorted', () => {
    const text = formatPdbTable([
      pdb('web', { app: 'web' }, 1, { namespace: 'shop', minAvailable: 2 }),
      pdb('elasticsearch', { app: 'es' }, 0, { namespace: 'logging', minAvailable: undefined, maxUnavailable: 1 }),
    ]);

    expect(text).toBe([
      'NAMESPACE   NAME            MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS',
      'logging     elasticsearch   N/A             1                 0',
      'shop        web             2               N/A               1',
    ].join('\n'));
  });
});

describe('drainFallbackOffered', () => {
  it('reads drain_fallback_enabled from the catalog: absent in v2.17.0, present from v2.17.1', () => {
    const catalog = loadCatalog();

    expect(drainFallbackOffered(catalog.upgradeDefaults('v2.17.0'))).toBe(false);
    expect(drainFallbackOffered(catalog.upgradeDefaults('v2.17.1'))).toBe(true);
    expect(drainFallbackOffered(undefined)).toBe(false);
  });
});
