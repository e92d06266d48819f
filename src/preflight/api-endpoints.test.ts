import { describe, expect, it } from 'vitest';
import type { EndpointProbe } from '../kube/endpoints.js';
import { cluster as clusterSchema, type ClusterInput } from '../model/schema.js';
import { apiEndpointsOf, checkApiEndpoints } from './api-endpoints.js';

const base: ClusterInput = {
  name: 'ha', kubernetes: { version: '1.20.7' },
  nodes: [
    { name: 'cp1', ip: '10.0.0.1', roles: ['control-plane', 'etcd'] },
    { name: 'cp2', ip: '10.0.0.2', accessIp: '172.16.0.2', roles: ['control-plane', 'etcd'] },
    { name: 'w1', ip: '10.0.0.9', roles: ['worker'] },
  ],
};

describe('apiEndpointsOf', () => {
  it('probes the external balancer by address and name (names verified), then each control plane (CA only)', () => {
    const cluster = clusterSchema.parse({ ...base, apiServer: { port: 8443, loadBalancer: { external: { address: '10.0.0.100', port: 443, domainName: 'api.example.com' } } } });
    expect(apiEndpointsOf(cluster)).toEqual({
      endpoints: [
        { name: 'load balancer 10.0.0.100:443', address: '10.0.0.100:443', verifyName: true },
        { name: 'load balancer api.example.com:443', address: 'api.example.com:443', verifyName: true },
        { name: 'cp1', address: '10.0.0.1:8443', verifyName: false },
        { name: 'cp2', address: '172.16.0.2:8443', verifyName: false },
      ],
      notes: [],
    });
  });

  it('says plainly what it cannot probe: no external balancer, a proxy on 127.0.0.1 of each node', () => {
    const { endpoints, notes } = apiEndpointsOf(clusterSchema.parse(base));
    expect(endpoints).toEqual([]);
    expect(notes.join('; ')).toMatch(/names no external load balancer.*; the local proxy .* cannot be reached from here/);
    expect(checkApiEndpoints([], notes)).toMatchObject({ status: 'pass', findings: [], reason: expect.stringContaining('nothing to probe') });
  });
});

describe('checkApiEndpoints', () => {
  const lb = { name: 'load balancer 10.0.0.100:6443', address: '10.0.0.100:6443', verifyName: true };
  const cp = { name: 'cp1', address: '10.0.0.1:6443', verifyName: false };
  const down = (endpoint: typeof lb, message: string, certificateName = false): EndpointProbe => ({ endpoint, url: `https://${endpoint.address}`, ok: false, certificateName, error: { kind: 'unreachable', server: `https://${endpoint.address}`, message } });

  it('blocks on a balancer that does not answer, a certificate that does not name it, a control plane down', () => {
    const outcome = checkApiEndpoints([
      down(lb, 'cluster not reachable at https://10.0.0.100:6443: connection refused (ECONNREFUSED)'),
      down(lb, "cluster not reachable: TLS: Hostname/IP does not match certificate's altnames (ERR_TLS_CERT_ALTNAME_INVALID)", true),
      down(cp, 'cluster not reachable at https://10.0.0.1:6443: connection timed out (ETIMEDOUT)'),
      { endpoint: { ...cp, name: 'cp2', address: '10.0.0.2:6443' }, url: 'https://10.0.0.2:6443', ok: true, gitVersion: 'v1.20.7' },
    ], []);

    expect(outcome.status).toBe('fail');
    expect(outcome.findings.map((f) => [f.severity, f.what.split(':')[0]])).toEqual([
      ['block', 'the API does not answer through load balancer 10.0.0.100'],
      ['block', 'the API certificate does not name 10.0.0.100'],
      ['block', 'control plane cp1 does not answer at https'],
    ]);
    expect(outcome.findings[1]?.why).toContain('loadbalancer_apiserver');
    expect(outcome.table?.rows.at(-1)).toEqual(['cp2', 'https://10.0.0.2:6443', 'ok (v1.20.7)']);
  });
});
