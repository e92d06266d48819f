/**
 * Does the API answer at these addresses? One `GET /version` per endpoint
 * with the kubeconfig's own credentials and CA (whatever scheme its server
 * uses), for the load balancer in front of the API servers and for each
 * control plane behind it. The load balancer's certificate must name the
 * address it is reached at (a Kubespray run without loadbalancer_apiserver
 * regenerates the API certificate without it); a control plane's only needs
 * to be signed by the cluster's CA. Failures are answers, never exceptions.
 */
import http from 'node:http';
import https from 'node:https';
import { sendJson } from './http.js';
import { loadKubeConfig } from './client.js';
import type { KubeFailure } from './result.js';
import type { KubeAccess } from './types.js';

export interface Endpoint {
  /** What it is, for messages: "load balancer 192.168.30.10:6443", "k1-master01". */
  name: string;
  /** host:port (IPv6 in brackets). */
  address: string;
  /** Whether the server certificate must name `address` (the load balancer) or only chain to the CA. */
  verifyName: boolean;
}

export type EndpointProbe =
  | { endpoint: Endpoint; url: string; ok: true; gitVersion: string | undefined }
  /** certificateName: the TLS failure is a certificate that does not name the address (failures.ts: tls/hostname). */
  | { endpoint: Endpoint; url: string; ok: false; error: KubeFailure; certificateName: boolean };

export async function probeEndpoints(access: KubeAccess, endpoints: readonly Endpoint[], timeoutMs = 5_000): Promise<{ ok: true; probes: EndpointProbe[] } | { ok: false; error: KubeFailure }> {
  const loaded = await loadKubeConfig(access);
  if (!loaded.ok) return loaded;
  const { kc, server } = loaded.value;
  const options: https.RequestOptions = {};
  try {
    await kc.applyToHTTPSOptions(options);
  } catch (error) {
    return { ok: false, error: { kind: 'kubeconfig', server, message: `the kubeconfig cannot authenticate: ${(error as Error).message}` } };
  }
  const scheme = new URL(server).protocol;
  const headers = Object.fromEntries(Object.entries(options.headers ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const auth = typeof options.auth === 'string' ? options.auth : undefined;
  const probes = await Promise.all(endpoints.map(async (endpoint): Promise<EndpointProbe> => {
    const url = `${scheme}//${endpoint.address}`;
    const agent = scheme === 'http:'
      ? new http.Agent()
      : new https.Agent({
          ...(options.ca ? { ca: options.ca } : {}), ...(options.cert ? { cert: options.cert } : {}), ...(options.key ? { key: options.key } : {}),
          ...(options.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
          // A control plane answers for the cluster if its certificate chains to the cluster's CA.
          ...(endpoint.verifyName ? {} : { checkServerIdentity: () => undefined }),
        });
    try {
      const answer = await sendJson({ server: url, agent, headers, auth }, '/version', { timeoutMs });
      if (answer.ok) {
        const version = (answer.value as { gitVersion?: unknown }).gitVersion;
        return { endpoint, url, ok: true, gitVersion: typeof version === 'string' ? version : undefined };
      }
      return { endpoint, url, ok: false, error: answer.error, certificateName: answer.error.kind === 'tls' && answer.error.cause === 'hostname' };
    } finally {
      agent.destroy();
    }
  }));
  return { ok: true, probes };
}
