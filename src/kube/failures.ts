/**
 * What went wrong talking to the API server, as a KubeFailure whose message
 * names the cause and whose hint says what to do: each failure an operator
 * meets with a Kubespray admin.conf (closed port, a kubeconfig of another
 * cluster, certificates past their year, a token refused) reads differently.
 * Pure: the transport (http.ts) hands over what it saw.
 */
import type { KubeFailure, KubeFailureCause } from './result.js';
import { variableOfField } from '../vars/select.js';
import { KUBESPRAY_VARS } from '../vars/table.js';

/** What the kubeconfig presents, so that a 401 or a TLS failure can say which part is wrong. */
export interface CredentialsInfo {
  /** The client certificate (client-certificate[-data]), when there is one and it parses. */
  clientCertificate?: { subject: string; issuer: string; validFrom: Date; validTo: Date };
  /** A bearer token (static, or from an exec/auth plugin). */
  token: boolean;
  /** certificate-authority[-data] is set; else the system's CAs are used. */
  caFromKubeconfig: boolean;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
};

/** OpenSSL's verification errors that mean "no trusted CA signed this certificate". */
const UNKNOWN_CA_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED',
]);

const KUBESPRAY_COPIES = `(Kubespray copies it into inventories/<name>/artifacts/ with ${variableOfField('access.kubeconfigLocalhost')}: true)`;
const COPY_ADMIN_CONF = `copy /etc/kubernetes/admin.conf from a control-plane node ${KUBESPRAY_COPIES}`;
const REFETCH_ADMIN_CONF = `copy /etc/kubernetes/admin.conf from a control-plane node of this cluster again ${KUBESPRAY_COPIES}`;

function tlsFailure(server: string, code: string, credentials: CredentialsInfo | undefined): KubeFailure {
  const base = { kind: 'tls' as const, server };
  const tls = (cause: KubeFailureCause, what: string, hint: string): KubeFailure => ({ ...base, cause, message: `TLS with ${server} failed: ${what} (${code})`, hint });
  if (UNKNOWN_CA_CODES.has(code)) {
    return credentials?.caFromKubeconfig === false
      ? tls('unknown-ca', "the server's certificate is not signed by a certificate authority this machine trusts, and the kubeconfig names none", 'set certificate-authority-data in the kubeconfig to the cluster CA (/etc/kubernetes/pki/ca.crt on a control-plane node)')
      : tls('unknown-ca', "the server's certificate is not signed by the kubeconfig's certificate authority", `the kubeconfig belongs to another cluster, or this cluster's CA changed: ${REFETCH_ADMIN_CONF}`);
  }
  if (code === 'CERT_HAS_EXPIRED') {
    return tls('expired', "the server's certificate has expired", 'renew the certificates on every control-plane node (kubeadm certs renew all), restart the control plane static pods, then copy the renewed /etc/kubernetes/admin.conf');
  }
  if (code === 'CERT_NOT_YET_VALID') {
    return tls('not-yet-valid', "the server's certificate is not valid yet", "this machine's clock, or the control plane's, is wrong: check NTP on both");
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return tls('hostname', `the server's certificate is not issued for ${hostOf(server)}`, `use the address the API server's certificate names (kubespray: ${KUBESPRAY_VARS.supplementaryAddresses} adds more)`);
  }
  return tls('handshake', 'the TLS handshake failed', 'check that the kubeconfig server URL is the API server (https, port 6443 by default)');
}

function hostOf(server: string): string {
  try {
    return new URL(server).hostname;
  } catch {
    return server;
  }
}

/** A request that got no answer: connection refused, DNS, TLS. */
export function networkFailure(server: string, error: unknown, credentials?: CredentialsInfo): KubeFailure {
  const code = (error as { code?: unknown }).code;
  const text = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && (UNKNOWN_CA_CODES.has(code) || /CERT|TLS|SSL/.test(code) || code === 'EPROTO')) return tlsFailure(server, code, credentials);
  const reason = typeof code === 'string' ? (NETWORK_REASONS[code] ? `${NETWORK_REASONS[code]} (${code})` : `${text} (${code})`) : text;
  return { kind: 'unreachable', server, message: `cluster not reachable at ${server}: ${reason}` };
}

interface StatusInfo {
  message: string | undefined;
  reason: string | undefined;
}

/** The `message` and `reason` of a Kubernetes Status body, if the body is one; else the first line of the text. */
export function statusInfo(text: string): StatusInfo {
  try {
    const body = JSON.parse(text) as { message?: unknown; reason?: unknown };
    return { message: typeof body.message === 'string' ? body.message : undefined, reason: typeof body.reason === 'string' ? body.reason : undefined };
  } catch {
    return { message: text.trim().split('\n')[0]?.slice(0, 200) || undefined, reason: undefined };
  }
}

function describeCertificate(cert: NonNullable<CredentialsInfo['clientCertificate']>): string {
  return `client certificate ${cert.subject}, issued by ${cert.issuer}, valid ${cert.validFrom.toISOString()} to ${cert.validTo.toISOString()}`;
}

/** Why the server may have said 401, from what the kubeconfig presented (the server never says why). */
function unauthorizedFailure(server: string, suffix: string, credentials: CredentialsInfo | undefined, now: Date): KubeFailure {
  const base = { kind: 'unauthorized' as const, status: 401, server, reason: 'Unauthorized' };
  const cert = credentials?.clientCertificate;
  if (cert && cert.validTo.getTime() < now.getTime()) {
    return {
      ...base,
      cause: 'client-certificate-expired',
      message: `cluster at ${server} rejected the credentials (401 Unauthorized): the kubeconfig's client certificate (${cert.subject}) expired on ${cert.validTo.toISOString()}`,
      hint: `Kubespray's admin.conf certificate is valid for one year: run kubeadm certs renew admin.conf on a control-plane node (kubeadm upgrades renew it too), then ${COPY_ADMIN_CONF}`,
    };
  }
  if (cert && cert.validFrom.getTime() > now.getTime()) {
    return {
      ...base,
      cause: 'client-certificate-not-yet-valid',
      message: `cluster at ${server} rejected the credentials (401 Unauthorized): the kubeconfig's client certificate (${cert.subject}) is valid only from ${cert.validFrom.toISOString()}`,
      hint: "this machine's clock, or the control plane's, is wrong: check NTP on both",
    };
  }
  const presented = cert ? describeCertificate(cert) : credentials?.token ? 'a bearer token' : 'no credentials';
  return {
    ...base,
    message: `cluster at ${server} rejected the credentials (401 Unauthorized)${suffix}; the kubeconfig presented ${presented}`,
    hint: cert
      ? `the client certificate is not signed by this cluster's CA (a kubeconfig of another cluster, or a CA replaced): ${REFETCH_ADMIN_CONF}`
      : credentials?.token ? 'the token is wrong, expired or revoked: get a new one, or use the cluster admin.conf' : `give the kubeconfig a user with credentials: ${REFETCH_ADMIN_CONF}`,
  };
}

/** A non-2xx answer. */
export function answerFailure(server: string, path: string, status: number, text: string, credentials?: CredentialsInfo, now = new Date()): KubeFailure {
  const { message: detail, reason } = statusInfo(text);
  const suffix = detail ? `: ${detail}` : '';
  const withReason = reason === undefined ? {} : { reason };
  if (status === 401) return unauthorizedFailure(server, detail && detail !== 'Unauthorized' ? suffix : '', credentials, now);
  if (status === 403) {
    return { kind: 'forbidden', status, server, ...withReason, message: `cluster at ${server} forbids ${path} (403 Forbidden)${suffix}`, hint: 'kspray reads nodes, pods, replicasets, poddisruptionbudgets and services cluster-wide, and writes its Lease and Secret in kube-system: use an admin kubeconfig' };
  }
  if (status === 404) return { kind: 'not-found', status, server, ...withReason, message: `${path} not found on ${server}${suffix}` };
  if (status === 409) return { kind: 'conflict', status, server, ...withReason, message: `cluster at ${server} refused ${path} (409 ${reason ?? 'Conflict'})${suffix}` };
  return { kind: 'http', status, server, ...withReason, message: `cluster at ${server} answered ${path} with HTTP ${status}${suffix}` };
}
