/**
 * A small JSON-over-HTTP(S) transport for the Kubernetes API. Authentication
 * and TLS material come from @kubernetes/client-node's KubeConfig (see
 * client.ts); the requests themselves go through node:http so that a 100k-pod
 * list is parsed once with JSON.parse instead of being deserialized into
 * model classes (several times slower), and so that every request has a hard
 * deadline.
 */
import http from 'node:http';
import https from 'node:https';
import { type KubeFailure, type KubeResult, fail, ok } from './result.js';

export interface HttpTarget {
  /** The API server URL (may carry a path prefix, e.g. behind Rancher). */
  server: string;
  agent: http.Agent | undefined;
  headers: Record<string, string>;
  /** user:password for basic auth, when the kubeconfig has one. */
  auth: string | undefined;
}

export interface SendOptions {
  method?: 'GET' | 'PATCH';
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  contentType?: string;
  timeoutMs: number;
}

/** Builds the request URL: the server's own path prefix, then the API path, then the query. */
export function requestUrl(server: string, path: string, query: SendOptions['query'] = {}): URL {
  const url = new URL(server);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
  }
  return url;
}

/** Sends one request and parses a JSON answer; every failure is a KubeFailure. */
export function sendJson(target: HttpTarget, path: string, options: SendOptions): Promise<KubeResult<unknown>> {
  const url = requestUrl(target.server, path, options.query);
  const method = options.method ?? 'GET';
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { Accept: 'application/json', ...target.headers };
  if (payload !== undefined) {
    headers['Content-Type'] = options.contentType ?? 'application/merge-patch+json';
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: KubeResult<unknown>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = transport.request(url, { method, headers, agent: target.agent, ...(target.auth ? { auth: target.auth } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => settle(fail(networkFailure(target.server, error))));
      res.on('end', () => settle(answer(target.server, path, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
    });
    const timer = setTimeout(() => {
      settle(fail({ kind: 'timeout', server: target.server, message: `cluster not reachable at ${target.server}: no answer to ${path} within ${options.timeoutMs} ms` }));
      req.destroy();
    }, options.timeoutMs);
    req.on('error', (error) => settle(fail(networkFailure(target.server, error))));
    req.end(payload);
  });
}

function answer(server: string, path: string, status: number, text: string): KubeResult<unknown> {
  if (status >= 200 && status < 300) {
    try {
      return ok(JSON.parse(text) as unknown);
    } catch {
      return fail({ kind: 'invalid-response', server, message: `cluster at ${server} answered ${path} with something that is not JSON` });
    }
  }
  const detail = statusMessage(text);
  const suffix = detail ? `: ${detail}` : '';
  if (status === 401) {
    return fail({ kind: 'unauthorized', status, server, message: `cluster at ${server} rejected the credentials (401 Unauthorized)${suffix}`, hint: 'check the kubeconfig user (token or client certificate may have expired)' });
  }
  if (status === 403) {
    return fail({ kind: 'forbidden', status, server, message: `cluster at ${server} forbids ${path} (403 Forbidden)${suffix}`, hint: 'kspray reads nodes, pods, replicasets, poddisruptionbudgets and services cluster-wide: use an admin kubeconfig' });
  }
  if (status === 404) return fail({ kind: 'not-found', status, server, message: `${path} not found on ${server}${suffix}` });
  return fail({ kind: 'http', status, server, message: `cluster at ${server} answered ${path} with HTTP ${status}${suffix}` });
}

/** The `message` of a Kubernetes Status body, if the body is one. */
function statusMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    return typeof body.message === 'string' ? body.message : undefined;
  } catch {
    return text.trim().split('\n')[0]?.slice(0, 200) || undefined;
  }
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
};

export function networkFailure(server: string, error: unknown): KubeFailure {
  const code = (error as { code?: unknown }).code;
  const text = error instanceof Error ? error.message : String(error);
  const reason = typeof code === 'string' ? (REASONS[code] ? `${REASONS[code]} (${code})` : `${text} (${code})`) : text;
  const tls = typeof code === 'string' && /CERT|TLS|SSL|SELF_SIGNED/.test(code);
  return {
    kind: 'unreachable',
    server,
    message: `cluster not reachable at ${server}: ${tls ? `TLS: ${reason}` : reason}`,
    ...(tls ? { hint: "the server's certificate does not match the kubeconfig's certificate-authority-data" } : {}),
  };
}
