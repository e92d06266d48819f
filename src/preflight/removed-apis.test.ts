import { describe, expect, it } from 'vitest';
import { hopsFrom } from '../../test/fixtures/kube/hops.js';
import { loadRemovedApis } from '../kube/k8s-data.js';
import type { ServedGroupVersion, ServedObject } from '../kube/types.js';
import type { ManifestDoc } from './manifests.js';
import { checkRemovedApis, scanTargets } from './removed-apis.js';

const removedApis = loadRemovedApis();
const hops16to22 = hopsFrom('v1.16.3', 22, 'v2.12.10');
const hops16to18 = hopsFrom('v1.16.3', 18, 'v2.12.10');

const gv = (groupVersion: string, kinds: Array<[string, string]>): ServedGroupVersion => {
  const [group, version] = groupVersion.includes('/') ? (groupVersion.split('/') as [string, string]) : ['', groupVersion];
  return { group, version, groupVersion, resources: kinds.map(([kind, name]) => ({ kind, name, namespaced: true, verbs: ['get', 'list'] })) };
};

/** What a 1.16 API server serves for Ingress. */
const served116 = [gv('extensions/v1beta1', [['Ingress', 'ingresses']]), gv('networking.k8s.io/v1beta1', [['Ingress', 'ingresses']]), gv('v1', [['Pod', 'pods']])];
/** And a 1.20 one. */
const served120 = [...served116, gv('networking.k8s.io/v1', [['Ingress', 'ingresses']])];

const ingressAs = (apiVersion: string): ServedObject => ({ apiVersion, kind: 'Ingress', namespace: 'shop', name: 'storefront', uid: 'u-1' });

const manifest = (apiVersion: string, kind: string, extra: Partial<ManifestDoc> = {}): ManifestDoc => ({
  file: 'deploy/app.yaml', line: 12, apiVersion, kind, name: 'storefront', namespace: 'shop', helmSource: undefined, ...extra,
});

describe('checkRemovedApis: manifests', () => {
  it('reports an extensions/v1beta1 Ingress planned 1.16→1.22 at the 1.22 hop, with networking.k8s.io/v1 from 1.19', () => {
    const outcome = checkRemovedApis({ served: [], servedObjects: undefined, gaps: [], manifests: [manifest('extensions/v1beta1', 'Ingress')] }, { hops: hops16to22, removedApis });

    expect(outcome.status).toBe('fail');
    expect(outcome.findings).toHaveLength(1);
    const [finding] = outcome.findings;
    expect(finding).toMatchObject({ severity: 'block', hop: 6, where: 'deploy/app.yaml:12' });
    expect(finding?.details).toMatchObject({ removedIn: '1.22', replacement: 'networking.k8s.io/v1', replacementAvailableIn: '1.19', replacementHop: 3, breaksAtHop: 6 });
    expect(finding?.fix).toContain('networking.k8s.io/v1, served from 1.19 (hop 3), before hop 6');
  });

  it('passes manifests on APIs every hop serves, and ignores removals beyond the plan', () => {
    const docs = [manifest('networking.k8s.io/v1beta1', 'Ingress'), manifest('apps/v1', 'Deployment')];

    const outcome = checkRemovedApis({ served: [], servedObjects: undefined, gaps: [], manifests: docs }, { hops: hops16to18, removedApis });

    expect(outcome).toMatchObject({ status: 'pass', findings: [] });
  });

  it('warns on a manifest whose API the cluster already stopped serving', () => {
    const outcome = checkRemovedApis({ served: [], servedObjects: undefined, gaps: [], manifests: [manifest('extensions/v1beta1', 'Deployment')] }, { hops: hops16to18, removedApis });

    expect(outcome.findings.map((f) => [f.severity, f.hop])).toEqual([['warn', undefined]]);
    expect(outcome.findings[0]?.what).toContain('since 1.16');
  });
});

describe('checkRemovedApis: objects the cluster serves', () => {
  it('blocks at the 1.22 hop when the kind is served only through doomed versions (a 1.16 cluster), counting each object once', () => {
    const objects = [ingressAs('extensions/v1beta1'), ingressAs('networking.k8s.io/v1beta1')];

    const outcome = checkRemovedApis({ served: served116, servedObjects: objects, gaps: [] }, { hops: hops16to22, removedApis });

    expect(outcome.findings).toHaveLength(1);
    expect(outcome.findings[0]).toMatchObject({ severity: 'block', hop: 6, where: 'shop/storefront' });
    expect(outcome.findings[0]?.what).toMatch(/^1 Ingress object\(s\) served only as extensions\/v1beta1, networking.k8s.io\/v1beta1/);
    expect(outcome.findings[0]?.details).toMatchObject({ replacementAvailableIn: '1.19', replacementHop: 3 });
  });

  it('only warns when the kind also survives through a served version (a 1.20 cluster)', () => {
    const hops = hopsFrom('v1.20.7', 22, 'v2.16.0');
    const objects = [ingressAs('extensions/v1beta1'), ingressAs('networking.k8s.io/v1beta1')];

    const outcome = checkRemovedApis({ served: served120, servedObjects: objects, gaps: [] }, { hops, removedApis });

    expect(outcome.status).toBe('pass');
    expect(outcome.findings.map((f) => [f.severity, f.hop])).toEqual([['warn', 2]]);
    expect(outcome.findings[0]?.fix).toContain('served already (since 1.19)');
  });

  it('passes a cluster with nothing on doomed APIs, and is skipped when neither cluster nor manifests were looked at', () => {
    expect(checkRemovedApis({ served: served116, servedObjects: [], gaps: [] }, { hops: hops16to22, removedApis }).status).toBe('pass');
    expect(checkRemovedApis({ served: [], servedObjects: undefined, gaps: [] }, { hops: hops16to22, removedApis }).status).toBe('skipped');
  });
});

describe('scanTargets', () => {
  it('lists the served, listable group/version/kinds a hop stops serving, and leaves component-managed kinds out', () => {
    const served = [...served116, gv('coordination.k8s.io/v1beta1', [['Lease', 'leases']])];

    expect(scanTargets(served, hops16to22, removedApis)).toEqual([
      { group: 'extensions', version: 'v1beta1', kind: 'Ingress', resource: 'ingresses', namespaced: true },
      { group: 'networking.k8s.io', version: 'v1beta1', kind: 'Ingress', resource: 'ingresses', namespaced: true },
    ]);
    expect(scanTargets(served, hops16to18, removedApis)).toEqual([]);
  });
});
