/**
 * Asking mirrors over real sockets: a loopback files server and a loopback
 * registry stand-in (test/fixtures), as the mirror preflight asks them —
 * HEAD and the checksum of a download, the registry v2 manifest HEAD with
 * its Bearer token flow, credentials only where they belong, a bounded
 * number of requests at once and a total time limit that marks the rest
 * not checked.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeFile } from '../src/mirror/files.js';
import { probeMirror } from '../src/mirror/probe.js';
import { parseChallenge, parseImageReference, probeImage } from '../src/mirror/registry.js';
import { redact } from '../src/util/redact.js';
import { startFileServer, type FileServer } from './fixtures/file-server.js';
import { startRegistryServer, type RegistryServer } from './fixtures/registry-server.js';

const AUTH = { username: 'mirror', password: 'Mirr0r-Passw0rd-NotPrinted' };
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

let files: FileServer;
let open: RegistryServer;
let locked: RegistryServer;

beforeAll(async () => {
  [files, open, locked] = await Promise.all([startFileServer(), startRegistryServer(), startRegistryServer({ auth: AUTH })]);
  files.put('/mirror/dl.k8s.io/kubeadm', 'kubeadm-bytes');
});
afterAll(async () => {
  await Promise.all([files.stop(), open.stop(), locked.stop()]);
});

/** A file server that answers HEAD with 405, as some do; GET as a web server: a file, a redirect with a page, a 404 page, an empty file. */
async function startHeadRefusingServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method === 'HEAD') return void res.writeHead(405).end();
    if (req.url === '/kubeadm') return void res.writeHead(200, { 'Content-Length': '13' }).end('kubeadm-bytes');
    if (req.url === '/moved') return void res.writeHead(302, { Location: '/kubeadm' }).end('moved to /kubeadm\n');
    if (req.url === '/empty') return void res.writeHead(200, { 'Content-Length': '0' }).end();
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

const tokens = () => new Map<string, Promise<string | undefined>>();

describe('files', () => {
  it('answers HEAD with the status and size, and a missing file with 404', async () => {
    expect(await probeFile(`${files.url}/mirror/dl.k8s.io/kubeadm`, { verify: false, sha256: null, timeoutMs: 2000 })).toEqual({ url: `${files.url}/mirror/dl.k8s.io/kubeadm`, state: 'present', status: 200, size: 13 });
    expect(await probeFile(`${files.url}/mirror/none`, { verify: false, sha256: null, timeoutMs: 2000 })).toMatchObject({ state: 'missing', status: 404, reason: 'HTTP 404' });
    expect(files.requests.filter((r) => r.startsWith('HEAD '))).toHaveLength(2);
    // A copy that failed part way and left an empty file is no file to download.
    files.put('/mirror/empty', '');
    expect(await probeFile(`${files.url}/mirror/empty`, { verify: false, sha256: null, timeoutMs: 2000 })).toMatchObject({ state: 'missing', status: 200, size: 0, reason: 'an empty file (Content-Length: 0)' });
  });

  it('downloads and compares the sha256 with --verify-checksums', async () => {
    const url = `${files.url}/mirror/dl.k8s.io/kubeadm`;
    expect(await probeFile(url, { verify: true, sha256: sha('kubeadm-bytes'), timeoutMs: 2000 })).toMatchObject({ state: 'present', size: 13 });
    expect(await probeFile(url, { verify: true, sha256: sha('other'), timeoutMs: 2000 })).toMatchObject({ state: 'mismatch', reason: `sha256 ${sha('kubeadm-bytes')}, the tag expects ${sha('other')}` });
  });

  it('asks a server that refuses HEAD with GET and judges its status and size: a missing or empty file is no file', async () => {
    const refusing = await startHeadRefusingServer();
    const base = refusing.url;
    try {
      const ask = (path: string) => probeFile(`${base}${path}`, { verify: false, sha256: null, timeoutMs: 2000 });
      expect(await ask('/kubeadm')).toEqual({ url: `${base}/kubeadm`, state: 'present', status: 200, size: 13, reason: 'answered GET (HEAD refused)' });
      expect(await ask('/moved')).toMatchObject({ state: 'present', status: 200, size: 13 });
      expect(await ask('/none')).toMatchObject({ state: 'missing', status: 404, reason: 'HTTP 404' });
      expect(await ask('/empty')).toMatchObject({ state: 'missing', status: 200, size: 0 });
    } finally {
      await refusing.stop();
    }
  });

  it('checks the sha256 of the file a redirect leads to, not of the redirect\'s page and the file', async () => {
    const redirecting = await startHeadRefusingServer();
    try {
      const verify = (path: string) => probeFile(`${redirecting.url}${path}`, { verify: true, sha256: sha('kubeadm-bytes'), timeoutMs: 2000 });
      expect(await verify('/moved')).toMatchObject({ state: 'present', status: 200, size: 13 });
      expect(await verify('/none')).toMatchObject({ state: 'missing', status: 404, reason: 'HTTP 404' });
    } finally {
      await redirecting.stop();
    }
  });

  it('says when nothing listens, and what is not an HTTP URL', async () => {
    expect(await probeFile('http://127.0.0.1:9/x', { verify: false, sha256: null, timeoutMs: 2000 })).toMatchObject({ state: 'missing', reason: 'connection refused' });
    expect(await probeFile('ftp://mirror/x', { verify: false, sha256: null, timeoutMs: 2000 })).toMatchObject({ state: 'missing' });
  });
});

describe('images', () => {
  it('reads references as a runtime does', () => {
    expect(parseImageReference('nginx')).toEqual({ registry: 'docker.io', name: 'library/nginx', reference: 'latest' });
    expect(parseImageReference('quay.io/calico/node:v3.30.5')).toEqual({ registry: 'quay.io', name: 'calico/node', reference: 'v3.30.5' });
    expect(parseImageReference('127.0.0.1:5000/k8s/pause:3.10')).toEqual({ registry: '127.0.0.1:5000', name: 'k8s/pause', reference: '3.10' });
    expect(parseImageReference(`registry.local/x/y@sha256:${'a'.repeat(64)}`)).toEqual({ registry: 'registry.local', name: 'x/y', reference: `sha256:${'a'.repeat(64)}` });
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:x:pull"')).toEqual({
      scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:x:pull' },
    });
  });

  it('finds a manifest with HEAD /v2/<name>/manifests/<tag> on an open registry, and says which is missing', async () => {
    open.add(`${open.host}/calico/node:v3.30.5`);
    const options = { insecure: new Set([open.host]), timeoutMs: 2000, tokens: tokens() };
    expect(await probeImage(`${open.host}/calico/node:v3.30.5`, options)).toMatchObject({ state: 'present', status: 200 });
    expect(await probeImage(`${open.host}/calico/cni:v3.30.5`, options)).toMatchObject({ state: 'missing', status: 404, reason: 'no such manifest (HTTP 404)' });
    expect(open.requests).toContain('HEAD /v2/calico/node/manifests/v3.30.5 anonymous');
  });

  it('follows the Bearer challenge with the credentials the cluster names for its mirror, once per repository, and never prints them', async () => {
    locked.add(`${locked.host}/coredns/coredns:v1.12.0`);
    const shared = tokens();
    const options = { insecure: new Set([locked.host]), timeoutMs: 2000, tokens: shared, credentials: { registries: new Set([locked.host]), auth: AUTH } };
    expect(await probeImage(`${locked.host}/coredns/coredns:v1.12.0`, options)).toMatchObject({ state: 'present' });
    expect(await probeImage(`${locked.host}/coredns/coredns:v1.12.0`, options)).toMatchObject({ state: 'present' });
    const tokenRequests = locked.requests.filter((r) => r.startsWith('GET /token'));
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]).toContain('scope=repository%3Acoredns%2Fcoredns%3Apull');
    expect(locked.requests.filter((r) => r.startsWith('HEAD /v2/coredns/coredns/manifests/v1.12.0')).map((r) => r.split(' ').at(-1))).toEqual(['anonymous', 'bearer', 'bearer']);
    // Whatever went over the wire is masked wherever kspray prints.
    for (const header of locked.authorizations) expect(redact(header)).not.toContain(header.split(' ')[1]);
  });

  it('is denied with the wrong credentials or none, and sends none to a registry that is not the mirror', async () => {
    const wrong = { insecure: new Set([locked.host]), timeoutMs: 2000, tokens: tokens(), credentials: { registries: new Set([locked.host]), auth: { username: 'mirror', password: 'wrong' } } };
    expect(await probeImage(`${locked.host}/coredns/coredns:v1.12.0`, wrong)).toMatchObject({ state: 'denied', reason: expect.stringContaining('for the configured credentials') });
    const none = { insecure: new Set([locked.host]), timeoutMs: 2000, tokens: tokens() };
    expect(await probeImage(`${locked.host}/coredns/coredns:v1.12.0`, none)).toMatchObject({ state: 'denied', reason: expect.stringContaining('set offline.registryAuth') });
    const before = open.authorizations.length;
    const elsewhere = { insecure: new Set([open.host]), timeoutMs: 2000, tokens: tokens(), credentials: { registries: new Set([locked.host]), auth: AUTH } };
    await probeImage(`${open.host}/calico/node:v3.30.5`, elsewhere);
    expect(open.authorizations.length).toBe(before);
  });
});

describe('all of them, bounded', () => {
  it('keeps at most N requests open, and marks what the total time limit cut off as not checked', async () => {
    const slow = await startFileServer({ delayMs: 50 });
    try {
      const list = Array.from({ length: 12 }, (_, i) => ({ url: `${slow.url}/f${i}`, sha256: null }));
      for (const { url } of list) slow.put(new URL(url).pathname, 'x');
      const done = await probeMirror({ files: list, images: [], verifyChecksums: false, insecureRegistries: new Set(), limits: { concurrency: 3, requestTimeoutMs: 2000, totalTimeoutMs: 5000 } });
      expect([...done.files.values()].every((probe) => probe.state === 'present')).toBe(true);
      expect(slow.peak()).toBe(3);

      // Two answer at once, the rest hang: the total limit ends the wait for them.
      for (const { url } of list.slice(2)) slow.hang(new URL(url).pathname);
      const cut = await probeMirror({ files: list, images: [], verifyChecksums: false, insecureRegistries: new Set(), limits: { concurrency: 4, requestTimeoutMs: 60_000, totalTimeoutMs: 1500 } });
      expect(cut.timedOut).toBe(true);
      expect(list.map(({ url }) => cut.files.get(url)?.state)).toEqual([...Array(2).fill('present'), ...Array(10).fill('not-checked')]);
      expect(cut.files.get(list[5]!.url)?.reason).toBe('not checked: the time limit of the check ran out');
    } finally {
      await slow.stop();
    }
  });
});
