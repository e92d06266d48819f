/**
 * How Kubernetes API access fails, as data. Nothing under src/kube throws for
 * an unreachable or unhappy cluster: callers get a KubeFailure whose message is
 * fit to print as is ("cluster not reachable at <server>: <reason>").
 */
export type KubeFailureKind =
  | 'kubeconfig' // no kubeconfig, unreadable, unknown context
  | 'unreachable' // connection refused, unknown host, TLS failure
  | 'timeout'
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'http' // any other non-2xx answer
  | 'invalid-response'; // not JSON, or not the shape asked for

export interface KubeFailure {
  kind: KubeFailureKind;
  /** The API server URL, when known. */
  server: string | undefined;
  /** One line, fit to print. */
  message: string;
  /** HTTP status, for 'unauthorized' … 'http'. */
  status?: number;
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
