/**
 * api-endpoints: before the control-plane step, the API must answer through
 * the load balancer the cluster file names (and its certificate must name
 * that address), and through each control plane. An upgrade that restarts
 * API servers behind a balancer that does not answer, or through a
 * certificate that no longer names it, leaves kubelets and operators without
 * the API. A local proxy on each node (nginx/haproxy on 127.0.0.1) cannot be
 * reached from here: said plainly, not guessed. Pure: the probes are
 * src/kube/endpoints.ts's.
 */
import { isIP } from 'node:net';
import type { Endpoint, EndpointProbe } from '../kube/endpoints.js';
import type { Cluster } from '../model/schema.js';
import { variableOfField } from '../vars/select.js';
import type { CheckOutcome, Finding, OutcomeTable } from './types.js';

export const API_ENDPOINTS_CHECK = 'api-endpoints';
const DEFAULT_API_PORT = 6443;

function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/**
 * What to probe for this cluster: its external load balancer (address, and
 * DNS name when set), then every control plane behind it. Without an external
 * balancer in the cluster file there is nothing to probe beyond the API the
 * other checks already read: said so.
 */
export function apiEndpointsOf(cluster: Cluster): { endpoints: Endpoint[]; notes: string[] } {
  const lb = cluster.apiServer?.loadBalancer;
  const apiPort = cluster.apiServer?.port ?? DEFAULT_API_PORT;
  const notes: string[] = [];
  if (lb?.localhost?.enabled !== false && !lb?.external) {
    notes.push('the local proxy Kubespray puts on every node listens on 127.0.0.1 there and cannot be reached from here: not checked');
  }
  if (!lb?.external) {
    notes.unshift('the cluster file names no external load balancer (apiServer.loadBalancer.external): nothing to probe beyond the API the other checks read');
    return { endpoints: [], notes };
  }
  const { address, port, domainName } = lb.external;
  const endpoints: Endpoint[] = [{ name: `load balancer ${hostPort(address, port)}${lb.kubeVip ? ' (kube-vip)' : ''}`, address: hostPort(address, port), verifyName: true }];
  if (domainName) endpoints.push({ name: `load balancer ${hostPort(domainName, port)}`, address: hostPort(domainName, port), verifyName: true });
  for (const node of cluster.nodes.filter((n) => n.roles.includes('control-plane'))) {
    endpoints.push({ name: node.name, address: hostPort(node.accessIp ?? node.ip, apiPort), verifyName: false });
  }
  return { endpoints, notes };
}

export function checkApiEndpoints(probes: readonly EndpointProbe[], notes: readonly string[]): CheckOutcome {
  const findings: Finding[] = probes.filter((probe): probe is Extract<EndpointProbe, { ok: false }> => !probe.ok).map(findingOf);
  const table: OutcomeTable = {
    title: 'The API through its load balancer and each control plane',
    columns: ['ENDPOINT', 'URL', 'ANSWER'],
    rows: probes.map((probe) => [probe.endpoint.name, probe.url, probe.ok ? `ok${probe.gitVersion ? ` (${probe.gitVersion})` : ''}` : probe.error.message]),
  };
  return {
    check: API_ENDPOINTS_CHECK, status: findings.length > 0 ? 'fail' : 'pass', findings, table,
    ...(notes.length > 0 ? { reason: notes.join('; ') } : {}),
  };
}

function findingOf(probe: Extract<EndpointProbe, { ok: false }>): Finding {
  const lb = probe.endpoint.verifyName;
  if (probe.certificateName) {
    return {
      check: API_ENDPOINTS_CHECK, severity: 'block', where: probe.url,
      what: `the API certificate does not name ${probe.endpoint.address}: ${probe.error.message}`,
      why: `kubelets and kubeconfigs that reach the API through the load balancer fail TLS; a Kubespray run without ${variableOfField('apiServer.loadBalancer.external')} regenerated the certificate without the balancer's names`,
      fix: `set apiServer.loadBalancer.external to the balancer the cluster was built with (address${probe.endpoint.address.includes(':') ? ', port' : ''} and domainName), so the upgrade puts its names back into the certificate; check with openssl s_client -connect ${probe.endpoint.address}`,
    };
  }
  return lb
    ? {
        check: API_ENDPOINTS_CHECK, severity: 'block', where: probe.url,
        what: `the API does not answer through ${probe.endpoint.name}: ${probe.error.message}`,
        why: 'the upgrade restarts the API servers one at a time; clients and kubelets reach them through this balancer, so the control plane would be unreachable during and after the step',
        fix: `fix the load balancer (its backends are the control planes on port ${probe.endpoint.address.split(':').at(-1)}), or correct apiServer.loadBalancer.external in the cluster file`,
      }
    : {
        check: API_ENDPOINTS_CHECK, severity: 'block', where: probe.url,
        what: `control plane ${probe.endpoint.name} does not answer at ${probe.url}: ${probe.error.message}`,
        why: 'the upgrade restarts the other API servers one at a time: with this one down, the cluster loses its API during the step',
        fix: `bring the API server on ${probe.endpoint.name} back (crictl ps / journalctl -u kubelet there), or check apiServer.port and the node's ip in the cluster file`,
      };
}
