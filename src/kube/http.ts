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
import { type CredentialsInfo, answerFailure, networkFailure } from './failures.js';
import { type KubeFailure, type KubeResult, fail, ok } from './result.js';

export interface HttpTarget {
  /** The API server URL (may carry a path prefix, e.g. behind Rancher). */
  server: string;
  agent: http.Agent | undefined;
  headers: Record<string, string>;
  /** user:password for basic auth, when the kubeconfig has one. */
  auth: string | undefined;
  /** What the kubeconfig presents, so that a 401 or a TLS failure names the part at fault. */
  credentials?: CredentialsInfo;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface SendOptions {
  method?: HttpMethod;
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

/**
 * Sends one request and parses a JSON answer; every failure is a KubeFailure,
 * never a throw. A write that times out may still have been applied: callers
 * that care read the object back (resourceVersion tells).
 */
export function sendJson(target: HttpTarget, path: string, options: SendOptions): Promise<KubeResult<unknown>> {
  const method = options.method ?? 'GET';
  let url: URL;
  let payload: string | undefined;
  try {
    url = requestUrl(target.server, path, options.query);
    payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  } catch (error) {
    return Promise.resolve(fail(unsendable(target, method, path, error)));
  }
  const headers: Record<string, string> = { Accept: 'application/json', ...target.headers };
  if (payload !== undefined) {
    headers['Content-Type'] = options.contentType ?? (method === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (result: KubeResult<unknown>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    let req: http.ClientRequest;
    try {
      req = transport.request(url, { method, headers, agent: target.agent, ...(target.auth ? { auth: target.auth } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => settle(fail(networkFailure(target.server, error, target.credentials))));
        res.on('end', () => settle(answer(target, path, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      });
    } catch (error) {
      // A header node refuses (a token with a newline in it) throws before anything is sent.
      settle(fail(unsendable(target, method, path, error)));
      return;
    }
    timer = setTimeout(() => {
      settle(fail({ kind: 'timeout', server: target.server, message: `cluster not reachable at ${target.server}: no answer to ${path} within ${options.timeoutMs} ms` }));
      req.destroy();
    }, options.timeoutMs);
    req.on('error', (error) => settle(fail(networkFailure(target.server, error, target.credentials))));
    req.end(payload);
  });
}

function unsendable(target: HttpTarget, method: string, path: string, error: unknown): KubeFailure {
  return { kind: 'kubeconfig', cause: 'incomplete', server: target.server, message: `cannot send ${method} ${path} to ${target.server}: ${error instanceof Error ? error.message : String(error)}` };
}

function answer(target: HttpTarget, path: string, status: number, text: string): KubeResult<unknown> {
  if (status >= 200 && status < 300) {
    try {
      return ok(JSON.parse(text) as unknown);
    } catch {
      return fail({ kind: 'invalid-response', server: target.server, message: `cluster at ${target.server} answered ${path} with something that is not JSON` });
    }
  }
  return fail(answerFailure(target.server, path, status, text, target.credentials));
}
