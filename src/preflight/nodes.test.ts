import { describe, expect, it } from 'vitest';
import { loadVersionSkew } from '../kube/k8s-data.js';
import type { NodeFact } from '../kube/types.js';
import { allowedKubeletLag, checkNodes, kubeadmKubeletLag } from './nodes.js';
import type { HopContext } from './types.js';

const skew = loadVersionSkew();

const hop16to17: HopContext = { index: 1, fromVersion: 'v1.16.3', toVersion: 'v1.17.12', fromTag: 'v2.12.10', toTag: 'v2.13.4', line: '2.13' };

function node(name: string, kubeletVersion: string, extra: Partial<NodeFact> = {}): NodeFact {
  return { name, ready: true, unschedulable: false, kubeletVersion, roles: [], labels: {}, zone: undefined, ...extra };
}

const master = (name: string, version: string) => node(name, version, { roles: ['master'] });

describe('checkNodes', () => {
  it('passes k1-like nodes: all Ready, all on the hop\'s from version', () => {
    const nodes = [master('m1', 'v1.16.3'), master('m2', 'v1.16.3'), master('m3', 'v1.16.3'), node('w1', 'v1.16.3'), node('w2', 'v1.16.3')];

    const outcome = checkNodes({ nodes }, { hop: hop16to17, skew });

    expect(outcome.status).toBe('pass');
    expect(outcome.findings).toEqual([]);
    expect(outcome.table?.rows[0]).toEqual(['m1', 'Ready', 'master', 'v1.16.3']);
  });

  it('blocks on a NotReady node and warns on a cordoned one', () => {
    const nodes = [master('m1', 'v1.16.3'), node('w1', 'v1.16.3', { ready: false }), node('w2', 'v1.16.3', { unschedulable: true })];

    const outcome = checkNodes({ nodes }, { hop: hop16to17, skew });

    expect(outcome.status).toBe('fail');
    expect(outcome.findings.map((f) => [f.severity, f.where])).toEqual([['block', 'w1'], ['warn', 'w2']]);
  });

  it('blocks on a kubelet a minor ahead of the target and warns on a newer patch', () => {
    const nodes = [node('w1', 'v1.18.2'), node('w2', 'v1.17.13'), node('w3', 'v1.17.12')];

    const outcome = checkNodes({ nodes }, { hop: hop16to17, skew });

    expect(outcome.findings.map((f) => [f.severity, f.where])).toEqual([['block', 'w1'], ['warn', 'w2']]);
  });

  it('blocks on a kubelet further behind the target API server than the skew policy allows, and warns past kubeadm\'s own limit', () => {
    const hop = { ...hop16to17, fromVersion: 'v1.19.9', toVersion: 'v1.20.7', toTag: 'v2.16.0' };
    const nodes = [node('old', 'v1.18.20'), node('older', 'v1.16.3'), node('fine', 'v1.19.9')];

    const outcome = checkNodes({ nodes }, { hop, skew });

    expect(outcome.findings.map((f) => [f.severity, f.where])).toEqual([['warn', 'old'], ['block', 'older']]);
    expect(outcome.findings[1]?.what).toContain('4 minors behind');
  });

  it('blocks when control-plane nodes run different minors (an upgrade stopped half way)', () => {
    const nodes = [master('m1', 'v1.17.12'), master('m2', 'v1.16.3'), master('m3', 'v1.16.3')];

    const outcome = checkNodes({ nodes }, { hop: hop16to17, skew });

    const spread = outcome.findings.find((f) => f.what.startsWith('control-plane'));
    expect(spread).toMatchObject({ severity: 'block', where: 'm1, m2, m3' });
    expect(spread?.what).toContain('(v1.16.3: m2, m3; v1.17.12: m1)');
  });
});

describe('skew rules from data', () => {
  it('allows kubelets 2 minors behind up to 1.27 and 3 from 1.28, but only 2 for kubelets older than 1.25', () => {
    const eras = skew.componentSkew.kubeletVsApiserver.eras;

    expect(allowedKubeletLag(eras, 20, 18)).toBe(2);
    expect(allowedKubeletLag(eras, 28, 25)).toBe(3);
    expect(allowedKubeletLag(eras, 28, 24)).toBe(2);
  });

  it('knows kubeadm tolerates one minor up to 1.28 and three from 1.29', () => {
    expect(kubeadmKubeletLag(skew.kubeadmUpgrade.kubeletSkewCheck, 20)).toBe(1);
    expect(kubeadmKubeletLag(skew.kubeadmUpgrade.kubeletSkewCheck, 29)).toBe(3);
  });
});
