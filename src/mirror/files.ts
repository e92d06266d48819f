/**
 * Whether a file answers at its URL, as a node's download would ask for it:
 * HEAD (status and size: an empty file is missing), redirects followed as Kubespray's get_url follows
 * them; a server that refuses HEAD is asked with GET and hung up on after
 * the headers. With `verify`, the file is downloaded and its sha256 compared
 * with the one the tag checks.
 */
import { createHash } from 'node:crypto';
import { mirrorRequest, type MirrorRequest, type MirrorResponse } from './http.js';

export interface FileProbe {
  url: string;
  state: 'present' | 'missing' | 'mismatch' | 'not-checked';
  /** The last HTTP status, when there was an answer. */
  status?: number;
  /** Content-Length (HEAD) or the bytes downloaded (verify). */
  size?: number | null;
  /** What was wrong, in a few words. */
  reason?: string;
}

export interface FileProbeOptions {
  verify: boolean;
  /** The checksum the tag verifies the file with (verify compares it). */
  sha256: string | null;
  timeoutMs: number;
  ca?: string | undefined;
  signal?: AbortSignal | undefined;
}

const MAX_REDIRECTS = 5;

export async function probeFile(url: string, options: FileProbeOptions): Promise<FileProbe> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { url, state: 'missing', reason: 'not a URL' };
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return { url, state: 'missing', reason: `${target.protocol} is no HTTP URL` };
  if (!options.verify) return head(url, target, options);
  const hash = createHash('sha256');
  const answer = await follow(target, 'GET', options, { onData: (chunk) => hash.update(chunk) });
  if (!answer.response.ok) return failed(url, answer.response);
  const { status, bytes } = answer.response;
  if (status < 200 || status >= 300) return { url, state: 'missing', status, reason: `HTTP ${status}` };
  const sha256 = hash.digest('hex');
  if (options.sha256 !== null && sha256 !== options.sha256) return { url, state: 'mismatch', status, size: bytes, reason: `sha256 ${sha256}, the tag expects ${options.sha256}` };
  return { url, state: 'present', status, size: bytes };
}

async function head(url: string, target: URL, options: FileProbeOptions): Promise<FileProbe> {
  let answer = await follow(target, 'HEAD', options);
  // Some file servers answer HEAD with 405/501: ask with GET, read its status and headers, and hang up before the body.
  const refused = answer.response.ok && (answer.response.status === 405 || answer.response.status === 501);
  if (refused) answer = await follow(answer.url, 'GET', options, { headersOnly: true });
  if (!answer.response.ok) return failed(url, answer.response);
  const { status, headers } = answer.response;
  if (status < 200 || status >= 300) return { url, state: 'missing', status, reason: `HTTP ${status}` };
  const length = headers['content-length'];
  const size = length === undefined ? null : Number(length);
  // An empty file is a copy that failed part way: Kubespray's checksum would fail on every node.
  if (size === 0) return { url, state: 'missing', status, size, reason: 'an empty file (Content-Length: 0)' };
  return { url, state: 'present', status, size, ...(refused ? { reason: 'answered GET (HEAD refused)' } : {}) };
}

async function follow(start: URL, method: 'HEAD' | 'GET', options: FileProbeOptions, body: Pick<MirrorRequest, 'onData' | 'headersOnly'> = {}): Promise<{ url: URL; response: MirrorResponse }> {
  let url = start;
  for (let hop = 0; ; hop++) {
    const response = await mirrorRequest({ url, method, timeoutMs: options.timeoutMs, ca: options.ca, signal: options.signal, ...body });
    const location = response.ok && response.status >= 300 && response.status < 400 ? response.headers.location : undefined;
    if (location === undefined) return { url, response };
    if (hop >= MAX_REDIRECTS) return { url, response: { ok: false, reason: `more than ${MAX_REDIRECTS} redirects` } };
    url = new URL(location, url);
  }
}

function failed(url: string, response: Extract<MirrorResponse, { ok: false }>): FileProbe {
  return { url, state: response.aborted ? 'not-checked' : 'missing', reason: response.reason };
}
