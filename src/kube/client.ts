/**
 * The Kubernetes API, as kspray uses it: a kubeconfig loaded with
 * @kubernetes/client-node (auth plugins, client certificates, proxies all as
 * kubectl would), and a small typed facade over JSON requests with short
 * timeouts. client-node is slow to load (~0.7 s), so it is imported only here,
 * lazily, and only commands that talk to a cluster pay for it.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { CredentialsInfo } from './failures.js';
import { type HttpMethod, type HttpTarget, sendJson } from './http.js';
import { kubeconfigTextProblem } from './kubeconfig.js';
import { type KubeFailure, type KubeFailureCause, type KubeResult, fail, ok } from './result.js';
import type { KubeAccess } from './types.js';
import { variableOfField } from '../vars/select.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** The first request tells whether the cluster is there at all: do not make the operator wait long for "no". */
export const PROBE_TIMEOUT_MS = 5_000;
const DEFAULT_PAGE_SIZE = 500;
/** Exec-plugin and OIDC tokens expire; re-ask client-node for headers this often. */
const AUTH_REFRESH_MS = 60_000;

export interface ListOptions {
  query?: Record<string, string | number | undefined>;
  /** Items per page (`limit`); the server answers with a `continue` token while more remain. */
  pageSize?: number;
}

export interface KubeClient {
  readonly server: string;
  readonly context: string;
  /** The API server's gitVersion, as probed on connect (undefined with probe: false). */
  readonly serverVersion: string | undefined;
  getJson(path: string, query?: Record<string, string | number | undefined>): Promise<KubeResult<unknown>>;
  /** Every item of a list, page by page; `map` turns each raw item into what the caller keeps (undefined drops it). */
  list<R>(path: string, map: (item: unknown) => R | undefined, options?: ListOptions): Promise<KubeResult<R[]>>;
  patch(path: string, body: unknown, contentType?: string): Promise<KubeResult<unknown>>;
  /** Creates: 201 with the stored object; a taken name is a 'conflict' failure with reason AlreadyExists. */
  post(path: string, body: unknown): Promise<KubeResult<unknown>>;
  /** Replaces: with metadata.resourceVersion in the body, a stale one is a 'conflict' failure with reason Conflict. */
  put(path: string, body: unknown): Promise<KubeResult<unknown>>;
  /** Deletes; `options` is a DeleteOptions body, e.g. { preconditions: { uid, resourceVersion } } (409 Conflict when they do not hold). */
  delete(path: string, options?: unknown): Promise<KubeResult<unknown>>;
  /** Cordon (true) or uncordon (false) a node. */
  setUnschedulable(node: string, unschedulable: boolean): Promise<KubeResult<void>>;
  /** Releases kept-alive connections. */
  close(): void;
}

export interface ConnectOptions {
  /** GET /version on connect, so an unreachable cluster fails here with a clear message. Default true. */
  probe?: boolean;
}

export async function connectKube(access: KubeAccess, options: ConnectOptions = {}): Promise<KubeResult<KubeClient>> {
  const loaded = await loadKubeConfig(access);
  if (!loaded.ok) return loaded;
  const { kc, server, context } = loaded.value;
  const timeoutMs = access.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  let target: HttpTarget;
  try {
    target = await buildTarget(kc, server);
  } catch (error) {
    return fail(kubeconfigFailure(`kubeconfig context "${context}" cannot authenticate: ${messageOf(error)}`, 'incomplete', server));
  }
  let authAt = Date.now();
  const refreshAuth = async (): Promise<void> => {
    if (Date.now() - authAt < AUTH_REFRESH_MS) return;
    authAt = Date.now();
    try {
      const fresh = await requestOptions(kc);
      target = { ...target, headers: headersOf(fresh), auth: typeof fresh.auth === 'string' ? fresh.auth : undefined, credentials: credentialsOf(fresh) };
    } catch {
      // Keep the headers we have; the request itself will say 401 if they expired.
    }
  };

  const getJson = async (path: string, query?: Record<string, string | number | undefined>, timeout = timeoutMs) => {
    await refreshAuth();
    return sendJson(target, path, { query: query ?? {}, timeoutMs: timeout });
  };
  const write = async (method: HttpMethod, path: string, body: unknown, contentType?: string) => {
    await refreshAuth();
    return sendJson(target, path, { method, body, timeoutMs, ...(contentType === undefined ? {} : { contentType }) });
  };

  let serverVersion: string | undefined;
  if (options.probe !== false) {
    const probed = await getJson('/version', undefined, Math.min(PROBE_TIMEOUT_MS, timeoutMs));
    if (!probed.ok) {
      target.agent?.destroy();
      return notKubernetes(probed.error) ? fail(notKubernetesFailure(server, probed.error.message)) : probed;
    }
    const gitVersion = (probed.value as { gitVersion?: unknown }).gitVersion;
    if (typeof gitVersion !== 'string') {
      target.agent?.destroy();
      return fail(notKubernetesFailure(server, `cluster at ${server} answered /version without a gitVersion`));
    }
    serverVersion = gitVersion;
  }

  const client: KubeClient = {
    server,
    context,
    serverVersion,
    getJson: (path, query) => getJson(path, query),
    async list<R>(path: string, map: (item: unknown) => R | undefined, listOptions: ListOptions = {}): Promise<KubeResult<R[]>> {
      const out: R[] = [];
      let token: string | undefined;
      do {
        const page = await getJson(path, { ...listOptions.query, limit: listOptions.pageSize ?? DEFAULT_PAGE_SIZE, continue: token });
        if (!page.ok) return page;
        const body = page.value as { items?: unknown; metadata?: { continue?: unknown } };
        if (!Array.isArray(body.items)) {
          return fail({ kind: 'invalid-response', server, message: `cluster at ${server} answered ${path} without an items list` });
        }
        for (const item of body.items) {
          const kept = map(item);
          if (kept !== undefined) out.push(kept);
        }
        token = typeof body.metadata?.continue === 'string' && body.metadata.continue !== '' ? body.metadata.continue : undefined;
      } while (token !== undefined);
      return ok(out);
    },
    patch: (path, body, contentType = 'application/merge-patch+json') => write('PATCH', path, body, contentType),
    post: (path, body) => write('POST', path, body),
    put: (path, body) => write('PUT', path, body),
    delete: (path, options) => write('DELETE', path, options),
    async setUnschedulable(node, unschedulable) {
      // As kubectl uncordon does: a null removes the field rather than writing false.
      const patched = await client.patch(`/api/v1/nodes/${encodeURIComponent(node)}`, { spec: { unschedulable: unschedulable ? true : null } });
      return patched.ok ? ok(undefined) : patched;
    },
    close() {
      target.agent?.destroy();
    },
  };
  return ok(client);
}

interface LoadedKubeConfig {
  kc: KubeConfig;
  server: string;
  context: string;
}

/** Loads and merges the kubeconfig files (first definition of a name wins, as with kubectl) and selects the context. */
export async function loadKubeConfig(access: KubeAccess): Promise<KubeResult<LoadedKubeConfig>> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const [first] = access.kubeconfigPaths;
  if (first === undefined) return fail(kubeconfigFailure('no kubeconfig given', 'missing'));
  const kc = new KubeConfig();
  for (const [index, path] of access.kubeconfigPaths.entries()) {
    const problem = readProblem(path);
    if (problem) return fail(problem);
    try {
      if (index === 0) kc.loadFromFile(path);
      else {
        const extra = new KubeConfig();
        extra.loadFromFile(path);
        mergeFirstWins(kc, extra);
      }
    } catch (error) {
      return fail(kubeconfigFailure(`${path}: not a usable kubeconfig: ${messageOf(error)}`, 'invalid'));
    }
  }
  const known = () => kc.getContexts().map((c) => c.name).join(', ') || 'none';
  if (access.context !== undefined) {
    if (!kc.getContextObject(access.context)) {
      return fail(kubeconfigFailure(`context "${access.context}" is not in the kubeconfig (contexts: ${known()})`, 'unknown-context', undefined, 'pass --context with one of the contexts listed, or none for the current-context'));
    }
    kc.setCurrentContext(access.context);
  }
  const context = kc.getCurrentContext();
  if (context && !kc.getContextObject(context)) {
    return fail(kubeconfigFailure(`current-context "${context}" of ${first} is not in the kubeconfig (contexts: ${known()})`, 'unknown-context', undefined, 'pass --context NAME, or fix current-context'));
  }
  const cluster = kc.getCurrentCluster();
  if (!context || !cluster) {
    return fail(kubeconfigFailure(`kubeconfig ${first} has no usable current context`, 'incomplete', undefined, 'pass --context NAME'));
  }
  if (!cluster.server) return fail(kubeconfigFailure(`cluster "${cluster.name}" in the kubeconfig has no server`, 'incomplete'));
  return ok({ kc, server: cluster.server, context });
}

/** A kubeconfig file that is not there, cannot be read, or is not YAML: said with its path (and line:col). */
function readProblem(path: string): KubeFailure | undefined {
  if (!existsSync(path)) return kubeconfigFailure(`kubeconfig ${path} does not exist`, 'missing', undefined, `pass --kubeconfig PATH of an existing file (Kubespray copies admin.conf to inventories/<name>/artifacts/ with ${variableOfField('access.kubeconfigLocalhost')}: true)`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return kubeconfigFailure(`cannot read kubeconfig ${path}: ${messageOf(error)}`, 'invalid');
  }
  const problem = kubeconfigTextProblem(text, path);
  return problem === undefined ? undefined : kubeconfigFailure(problem, 'invalid', undefined, 'fix the file, or copy /etc/kubernetes/admin.conf from a control-plane node again');
}

function mergeFirstWins(into: KubeConfig, extra: KubeConfig): void {
  for (const cluster of extra.getClusters()) if (!into.getCluster(cluster.name)) into.addCluster(cluster);
  for (const user of extra.getUsers()) if (!into.getUser(user.name)) into.addUser(user);
  for (const context of extra.getContexts()) if (!into.getContextObject(context.name)) into.addContext(context);
  if (!into.currentContext && extra.currentContext) into.currentContext = extra.currentContext;
}

async function requestOptions(kc: KubeConfig): Promise<https.RequestOptions> {
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  return options;
}

async function buildTarget(kc: KubeConfig, server: string): Promise<HttpTarget> {
  const options = await requestOptions(kc);
  let agent = options.agent instanceof http.Agent ? options.agent : undefined;
  if (!kc.getCurrentCluster()?.proxyUrl) {
    // client-node's agent does not keep connections alive; a paged pod list makes hundreds of requests.
    agent = server.startsWith('http:')
      ? new http.Agent({ keepAlive: true })
      : new https.Agent({
          keepAlive: true,
          ...pick(options, ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername']),
        });
  }
  return { server, agent, headers: headersOf(options), auth: typeof options.auth === 'string' ? options.auth : undefined, credentials: credentialsOf(options) };
}

/** What the kubeconfig presents, as the failure messages name it. A certificate that does not parse is left to the TLS layer to refuse. */
function credentialsOf(options: https.RequestOptions): CredentialsInfo {
  const authorization = Object.entries(headersOf(options)).find(([key]) => key.toLowerCase() === 'authorization')?.[1] ?? '';
  const info: CredentialsInfo = { token: /^Bearer /i.test(authorization), caFromKubeconfig: options.ca !== undefined };
  const cert = Array.isArray(options.cert) ? options.cert[0] : options.cert;
  if (cert !== undefined) {
    try {
      const parsed = new X509Certificate(typeof cert === 'string' ? cert : Buffer.from(cert));
      info.clientCertificate = { subject: oneLine(parsed.subject), issuer: oneLine(parsed.issuer), validFrom: new Date(parsed.validFrom), validTo: new Date(parsed.validTo) };
    } catch {
      // Not a PEM we can read: the handshake will say what is wrong with it.
    }
  }
  return info;
}

/** X509Certificate gives "O=system:masters\nCN=kubernetes-admin". */
function oneLine(name: string): string {
  return name.split('\n').join(', ');
}

function headersOf(options: https.RequestOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.headers ?? {})) {
    if (typeof value === 'string' || typeof value === 'number') headers[key] = String(value);
    else if (Array.isArray(value)) headers[key] = value.join(', ');
  }
  return headers;
}

function pick<T extends object, K extends keyof T>(source: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

/**
 * A /version that is not there (a 404 that is no Kubernetes Status) or not
 * JSON: the kubeconfig points at something that is not an API server. A 5xx
 * stays what it is: an API server restarting behind a load balancer answers so.
 */
function notKubernetes(error: KubeFailure): boolean {
  return error.kind === 'invalid-response' || (error.kind === 'not-found' && error.reason === undefined);
}

function notKubernetesFailure(server: string, detail: string): KubeFailure {
  return {
    kind: 'invalid-response',
    cause: 'not-kubernetes',
    server,
    message: `${server} is not a Kubernetes API server: ${detail}`,
    hint: 'check the server URL in the kubeconfig: kube-apiserver listens on https://<control-plane>:6443 (or the load balancer in front of it)',
  };
}

function kubeconfigFailure(message: string, cause: KubeFailureCause, server?: string, hint?: string): KubeFailure {
  return { kind: 'kubeconfig', cause, server, message, ...(hint === undefined ? {} : { hint }) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
