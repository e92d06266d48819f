/**
 * Whether an image's manifest exists, as a node's pull would first ask: the
 * registry v2 API, `HEAD /v2/<name>/manifests/<tag or digest>`, accepting
 * every manifest type a runtime accepts. A 401 is answered as the registry
 * asks (WWW-Authenticate): a Bearer challenge by fetching a pull token from
 * its realm (with the credentials, when the cluster configures them for this
 * registry, else anonymously), a Basic one with the credentials. Credentials
 * go only to the registries the cluster names as its mirrors, and to a token
 * realm over https or on the registry's own host; tokens and credentials are
 * registered for redaction and never part of a result.
 */
import { mirrorRequest } from './http.js';
import { registerSecret } from '../util/redact.js';

export interface ImageReference {
  /** host[:port] as written (docker.io for Docker Hub). */
  registry: string;
  /** The repository inside the registry (library/nginx). */
  name: string;
  /** A tag or a digest. */
  reference: string;
}

export interface ImageProbe {
  ref: string;
  state: 'present' | 'missing' | 'denied' | 'not-checked';
  status?: number;
  reason?: string;
}

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface ImageProbeOptions {
  /** Registries (host[:port]) the credentials belong to: the cluster's mirrors. */
  credentials?: { registries: ReadonlySet<string>; auth: RegistryCredentials } | undefined;
  /** Registries spoken to over plain http (the cluster's registries.insecure). */
  insecure: ReadonlySet<string>;
  timeoutMs: number;
  ca?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Pull tokens by realm, service and scope, and the authorization each repository answered to, shared by the probes of one check. */
  tokens: Map<string, Promise<string | undefined>>;
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
].join(', ');

/** repo:tag or repo@sha256:… as a runtime reads it (a first part without . or : or localhost is Docker Hub). */
export function parseImageReference(ref: string): ImageReference | undefined {
  const at = ref.indexOf('@');
  let path = at === -1 ? ref : ref.slice(0, at);
  let reference = at === -1 ? '' : ref.slice(at + 1);
  if (at === -1) {
    const colon = path.lastIndexOf(':');
    if (colon > path.lastIndexOf('/')) {
      reference = path.slice(colon + 1);
      path = path.slice(0, colon);
    } else {
      reference = 'latest';
    }
  }
  const parts = path.split('/');
  const first = parts[0] ?? '';
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  let name = hasRegistry ? parts.slice(1).join('/') : path;
  if (registry === 'docker.io' && !name.includes('/')) name = `library/${name}`;
  if (name === '' || reference === '') return undefined;
  return { registry, name, reference };
}

/** Where the registry's API answers: Docker Hub's is registry-1.docker.io. */
function apiBase(registry: string, insecure: ReadonlySet<string>): URL {
  const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
  return new URL(`${insecure.has(registry) ? 'http' : 'https'}://${host}`);
}

export async function probeImage(ref: string, options: ImageProbeOptions): Promise<ImageProbe> {
  const image = parseImageReference(ref);
  if (!image) return { ref, state: 'missing', reason: 'not an image reference' };
  const base = apiBase(image.registry, options.insecure);
  const url = new URL(`/v2/${image.name}/manifests/${image.reference}`, base);
  const credentials = options.credentials?.registries.has(image.registry) ? options.credentials.auth : undefined;
  const ask = (authorization?: string) => mirrorRequest({
    url, method: 'HEAD', timeoutMs: options.timeoutMs, ca: options.ca, signal: options.signal,
    headers: { Accept: MANIFEST_TYPES, ...(authorization ? { Authorization: authorization } : {}) },
  });

  // A repository already answered with a token is asked with it straight away.
  const known = `authorization\u0000${image.registry}/${image.name}`;
  const remembered = await options.tokens.get(known);
  let answer = await ask(remembered);
  if (answer.ok && answer.status === 401) {
    const challenge = parseChallenge(String(answer.headers['www-authenticate'] ?? ''));
    let authorization: string | undefined;
    if (challenge?.scheme === 'bearer') {
      const token = await pullToken(challenge.params, image, base, credentials, options);
      if (token === undefined) return { ref, state: 'denied', status: 401, reason: `the registry's token service (${challenge.params.realm ?? '?'}) gave no pull token${credentials ? ' for the configured credentials' : ': set offline.registryAuth'}` };
      authorization = `Bearer ${token}`;
    } else if (challenge?.scheme === 'basic' && credentials) {
      authorization = basic(credentials);
    } else {
      return { ref, state: 'denied', status: 401, reason: credentials ? 'the registry asks for an authentication kspray does not speak' : 'the registry wants credentials: set offline.registryAuth' };
    }
    answer = await ask(authorization);
    if (answer.ok && answer.status >= 200 && answer.status < 300) options.tokens.set(known, Promise.resolve(authorization));
  }
  if (!answer.ok) return { ref, state: answer.aborted ? 'not-checked' : 'missing', reason: answer.reason };
  if (answer.status >= 200 && answer.status < 300) return { ref, state: 'present', status: answer.status };
  if (answer.status === 401 || answer.status === 403) return { ref, state: 'denied', status: answer.status, reason: `HTTP ${answer.status}: the registry refused ${credentials ? 'the configured credentials' : 'an anonymous pull'}` };
  return { ref, state: 'missing', status: answer.status, reason: answer.status === 404 ? 'no such manifest (HTTP 404)' : `HTTP ${answer.status}` };
}

interface Challenge {
  scheme: 'bearer' | 'basic';
  params: Record<string, string>;
}

/** `Bearer realm="https://auth/token",service="registry",scope="repository:x:pull"` → its parameters. */
export function parseChallenge(header: string): Challenge | undefined {
  const match = /^\s*(Bearer|Basic)\b(.*)$/i.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const param of match[2]!.matchAll(/([A-Za-z]+)="([^"]*)"/g)) params[param[1]!.toLowerCase()] = param[2]!;
  return { scheme: match[1]!.toLowerCase() as Challenge['scheme'], params };
}

async function pullToken(params: Record<string, string>, image: ImageReference, base: URL, credentials: RegistryCredentials | undefined, options: ImageProbeOptions): Promise<string | undefined> {
  if (!params.realm) return undefined;
  let realm: URL;
  try {
    realm = new URL(params.realm, base);
  } catch {
    return undefined;
  }
  if (params.service) realm.searchParams.set('service', params.service);
  realm.searchParams.set('scope', `repository:${image.name}:pull`);
  // Credentials leave for the realm only over https, or to the registry's own host.
  const send = credentials && (realm.protocol === 'https:' || realm.host === base.host) ? credentials : undefined;
  const key = `${realm.toString()}\u0000${send ? send.username : ''}`;
  let token = options.tokens.get(key);
  if (!token) {
    token = fetchToken(realm, send, options);
    options.tokens.set(key, token);
  }
  return token;
}

async function fetchToken(realm: URL, credentials: RegistryCredentials | undefined, options: ImageProbeOptions): Promise<string | undefined> {
  const answer = await mirrorRequest({
    url: realm, method: 'GET', timeoutMs: options.timeoutMs, ca: options.ca, signal: options.signal,
    headers: { Accept: 'application/json', ...(credentials ? { Authorization: basic(credentials) } : {}) },
    maxBodyBytes: 64 * 1024,
  });
  if (!answer.ok || answer.status < 200 || answer.status >= 300) return undefined;
  try {
    const body = JSON.parse(answer.body.toString('utf8')) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (token) registerSecret(token);
    return token;
  } catch {
    return undefined;
  }
}

function basic(credentials: RegistryCredentials): string {
  const encoded = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  registerSecret(encoded);
  return `Basic ${encoded}`;
}
