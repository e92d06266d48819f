/**
 * How Kubernetes API access fails, as data. Nothing under src/kube throws for
 * an unreachable or unhappy cluster: callers get a KubeFailure whose message is
 * fit to print as is ("cluster not reachable at <server>: <reason>").
 */
export type KubeFailureKind =
  | 'kubeconfig' // no kubeconfig, not YAML, unknown context, no server: see `cause`
  | 'unreachable' // connection refused, unknown host, network down
  | 'timeout'
  | 'tls' // the server's certificate failed verification: see `cause`
  | 'unauthorized' // 401: the credentials were refused (see `cause` for an expired client certificate)
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'conflict' // 409: AlreadyExists on a create, Conflict on a stale resourceVersion (`reason` tells which)
  | 'http' // any other non-2xx answer
  | 'invalid-response' // not JSON, or not the shape asked for (not a Kubernetes API?)
  | 'too-large'; // kspray's own check before sending: the object would exceed what the API server stores

/** Which of the field's failures, where one kind has several that need different fixes. */
export type KubeFailureCause =
  // kubeconfig
  | 'missing' // the file does not exist
  | 'invalid' // not YAML, or not a kubeconfig
  | 'unknown-context' // --context, or current-context, names no context of the file
  | 'incomplete' // no current context, no server, credentials that cannot be loaded
  // tls
  | 'unknown-ca' // the server's certificate is not signed by the kubeconfig's certificate authority
  | 'expired' // the server's certificate has expired
  | 'not-yet-valid' // the server's certificate is not valid yet (a clock behind)
  | 'hostname' // the server's certificate is not for the host in the kubeconfig's server URL
  | 'handshake' // any other TLS failure (no TLS at all, protocol mismatch)
  // invalid-response
  | 'not-kubernetes' // /version is not there, or not a Kubernetes answer: the server URL is not an API server
  // unauthorized
  | 'client-certificate-expired' // the kubeconfig's client certificate has expired (the server says only 401)
  | 'client-certificate-not-yet-valid';

export interface KubeFailure {
  kind: KubeFailureKind;
  /** The finer cause, for the kinds that have several (see KubeFailureCause). */
  cause?: KubeFailureCause;
  /** The API server URL, when known. */
  server: string | undefined;
  /** One line, fit to print. */
  message: string;
  /** HTTP status, for 'unauthorized' … 'http'. */
  status?: number;
  /** The Kubernetes Status `reason` of a failed answer (AlreadyExists, Conflict, NotFound, Invalid, …). */
  reason?: string;
  /** What to do about it, when kspray knows. */
  hint?: string;
}

export type KubeResult<T> = { ok: true; value: T } | { ok: false; error: KubeFailure };

export function ok<T>(value: T): KubeResult<T> {
  return { ok: true, value };
}

export function fail<T = never>(error: KubeFailure): KubeResult<T> {
  return { ok: false, error };
}
