/**
 * One HTTP(S) request to a mirror, with a hard deadline: node:http(s), never
 * a shell tool, every failure a value (never a throw), nothing printed. The
 * body is handed to `onData` as it arrives (a checksum over a download), or
 * kept up to a small limit (a token answer); a HEAD has none.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

export interface MirrorRequest {
  url: URL;
  method: 'HEAD' | 'GET';
  headers?: Record<string, string>;
  /** Milliseconds until the whole exchange (connect, headers, body) is given up. */
  timeoutMs: number;
  /** Extra CA certificates (PEM) for https. */
  ca?: string | undefined;
  signal?: AbortSignal | undefined;
  /** GET: every chunk of a 2xx answer's body, the file (then `body` stays empty; another answer's body, a redirect's or an error page, is dropped). */
  onData?: (chunk: Buffer) => void;
  /** GET: answered at the status and headers, the body never read (a HEAD for a server that refuses HEAD). */
  headersOnly?: boolean;
  /** GET without onData: the most bytes kept (default 1 MiB); more is an error. */
  maxBodyBytes?: number;
}

export type MirrorResponse =
  | { ok: true; status: number; headers: IncomingHttpHeaders; body: Buffer; bytes: number }
  | { ok: false; reason: string; aborted?: boolean };

export function mirrorRequest(request: MirrorRequest): Promise<MirrorResponse> {
  const { url } = request;
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve) => {
    let settled = false;
    let req: http.ClientRequest | undefined;
    const settle = (response: MirrorResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      req?.destroy();
      resolve(response);
    };
    const onAbort = (): void => settle({ ok: false, reason: 'not checked: the time limit of the check ran out', aborted: true });
    const timer = setTimeout(() => settle({ ok: false, reason: `no answer within ${request.timeoutMs} ms` }), request.timeoutMs);
    if (request.signal?.aborted) {
      onAbort();
      return;
    }
    request.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      req = transport.request(url, {
        method: request.method,
        headers: { 'User-Agent': 'kspray-mirror-check', ...request.headers },
        ...(url.protocol === 'https:' && request.ca ? { ca: request.ca } : {}),
      }, (res) => {
        if (request.headersOnly) {
          // Hanging up makes the unread response emit an error ("aborted"): nobody waits for it any more.
          res.on('error', () => undefined);
          settle({ ok: true, status: res.statusCode ?? 0, headers: res.headers, body: Buffer.alloc(0), bytes: 0 });
          return;
        }
        const chunks: Buffer[] = [];
        let bytes = 0;
        const limit = request.maxBodyBytes ?? 1024 * 1024;
        const status = res.statusCode ?? 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (request.onData) {
            // The file is a 2xx answer's body: a redirect's page or an error page is no part of its checksum.
            if (status >= 200 && status < 300) request.onData(chunk);
          } else if (bytes <= limit) chunks.push(chunk);
          else settle({ ok: false, reason: `answer larger than ${limit} bytes` });
        });
        res.on('error', (error) => settle({ ok: false, reason: describe(error) }));
        res.on('end', () => settle({ ok: true, status, headers: res.headers, body: Buffer.concat(chunks), bytes }));
      });
    } catch (error) {
      settle({ ok: false, reason: describe(error) });
      return;
    }
    req.on('error', (error) => settle({ ok: false, reason: describe(error) }));
    req.end();
  });
}

/** A network error in the operator's words (the code says most: ECONNREFUSED, ENOTFOUND, a certificate the CA does not sign). */
function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'host not found';
  if (e.code === 'ECONNRESET') return 'connection reset';
  if (typeof e.code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO/.test(e.code)) return `TLS: ${e.message} (offline.caFile names the CA a private mirror's certificate is signed by)`;
  return e.message ?? String(error);
}
