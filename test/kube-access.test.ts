/**
 * Reaching the API as an operator's kubeconfig does, and every way that fails
 * in the field, each really happening: over TLS against the fake API server
 * with its own CA (a kubeconfig of another cluster, certificates past their
 * year, a token refused), a port nobody listens on, kubeconfig files that are
 * missing, not YAML, or name no such context. Each failure must say its own
 * cause, as a kind (and cause) a caller can act on and a message an operator
 * can act on.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectKube } from '../src/kube/client.js';
import type { KubeFailure } from '../src/kube/result.js';
import { type KubeApiServer, kubeconfigText, startKubeApiServer } from './fixtures/kube-api-server.js';
import { brokenAccess } from './fixtures/kube/broken-access.js';
import { EXPIRED_NOT_AFTER, fakePki } from './fixtures/kube/pki.js';

let server: KubeApiServer;
let dir: string;

beforeAll(async () => {
  server = await startKubeApiServer({ objects: [], gitVersion: 'v1.18.10' });
  dir = await mkdtemp(join(tmpdir(), 'kspray-kube-access-'));
});
afterAll(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

async function failure(kubeconfig: string, context?: string): Promise<KubeFailure> {
  const result = await connectKube({ kubeconfigPaths: [kubeconfig], ...(context === undefined ? {} : { context }), timeoutMs: 5000 });
  if (result.ok) {
    result.value.close();
    throw new Error(`connected through ${kubeconfig}`);
  }
  return result.error;
}

describe('a kubeconfig as Kubespray writes admin.conf', () => {
  it('connects over https with the admin client certificate, checking the server against certificate-authority-data', async () => {
    const connected = await connectKube({ kubeconfigPaths: [server.kubeconfigPath] });

    expect(connected.ok && connected.value.serverVersion).toBe('v1.18.10');
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    if (connected.ok) connected.value.close();
  });

  it('connects with the token user too', async () => {
    const connected = await connectKube({ kubeconfigPaths: [await server.writeKubeconfig('token')] });

    expect(connected.ok && connected.value.serverVersion).toBe('v1.18.10');
    if (connected.ok) connected.value.close();
  });

  it('answers 401 with a Status body to a request without credentials, as kube-apiserver does', async () => {
    const pki = await fakePki();
    const response = await fetchWithCa(`${server.url}/api/v1/nodes`, pki.ca.cert);

    expect(response).toEqual({ status: 401, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 } });
  });
});

describe('each way of not reaching the API says its cause', () => {
  it('a closed port: connection refused', async () => {
    const gone = await startKubeApiServer([]);
    const kubeconfig = join(dir, 'closed.conf');
    await writeFile(kubeconfig, kubeconfigText({ server: gone.url, ca: gone.caCert, user: (await fakePki()).admin }));
    await gone.stop();

    expect(await failure(kubeconfig)).toMatchObject({ kind: 'unreachable', message: `cluster not reachable at ${gone.url}: connection refused (ECONNREFUSED)` });
  });

  it('a missing kubeconfig', async () => {
    const path = join(dir, 'nope.conf');

    expect(await failure(path)).toMatchObject({ kind: 'kubeconfig', cause: 'missing', message: `kubeconfig ${path} does not exist` });
  });

  it('a kubeconfig that is not YAML, at file:line:column', async () => {
    const path = join(dir, 'broken.conf');
    await writeFile(path, 'apiVersion: v1\nclusters: [\n  - name: x\n');

    const error = await failure(path);

    expect(error).toMatchObject({ kind: 'kubeconfig', cause: 'invalid' });
    expect(error.message).toMatch(new RegExp(`^${path}:\\d+:\\d+: the kubeconfig is not valid YAML: `));
  });

  it('an empty kubeconfig, and one that is not a mapping', async () => {
    await writeFile(join(dir, 'empty.conf'), '');
    await writeFile(join(dir, 'scalar.conf'), 'just a string\n');

    expect(await failure(join(dir, 'empty.conf'))).toMatchObject({ kind: 'kubeconfig', cause: 'invalid', message: `${join(dir, 'empty.conf')}: the kubeconfig is empty` });
    expect(await failure(join(dir, 'scalar.conf'))).toMatchObject({ kind: 'kubeconfig', cause: 'invalid', message: `${join(dir, 'scalar.conf')}: not a kubeconfig (expected a mapping with clusters, users and contexts)` });
  });

  it('an unknown context, asked for or named by current-context', async () => {
    const stale = join(dir, 'stale-context.conf');
    await writeFile(stale, kubeconfigText({ server: server.url, ca: server.caCert, user: (await fakePki()).admin, currentContext: 'gone' }));

    expect(await failure(server.kubeconfigPath, 'prod')).toMatchObject({ kind: 'kubeconfig', cause: 'unknown-context', message: 'context "prod" is not in the kubeconfig (contexts: fake)' });
    expect(await failure(stale)).toMatchObject({ kind: 'kubeconfig', cause: 'unknown-context', message: `current-context "gone" of ${stale} is not in the kubeconfig (contexts: fake)` });
  });

  it("a kubeconfig of another cluster: the server's certificate is not signed by the kubeconfig's CA", async () => {
    const error = await failure(await server.writeKubeconfig('foreign-ca'));

    expect(error).toMatchObject({ kind: 'tls', cause: 'unknown-ca' });
    expect(error.message).toMatch(new RegExp(`^TLS with ${server.url} failed: the server's certificate is not signed by the kubeconfig's certificate authority \\([A-Z_]+\\)$`));
    expect(error.hint).toContain('admin.conf');
  });

  it("an expired server certificate: the server's certificate has expired", async () => {
    const expired = await startKubeApiServer({ objects: [], servingCertificate: 'expired' });
    try {
      const error = await failure(expired.kubeconfigPath);

      expect(error).toMatchObject({ kind: 'tls', cause: 'expired', message: `TLS with ${expired.url} failed: the server's certificate has expired (CERT_HAS_EXPIRED)` });
      expect(error.hint).toContain('kubeadm certs renew');
    } finally {
      await expired.stop();
    }
  });

  it('an expired client certificate: refused with 401, and kspray says the certificate expired and when', async () => {
    const error = await failure(await server.writeKubeconfig('expired-client-certificate'));

    expect(error).toMatchObject({ kind: 'unauthorized', cause: 'client-certificate-expired', status: 401 });
    expect(error.message).toBe(`cluster at ${server.url} rejected the credentials (401 Unauthorized): the kubeconfig's client certificate (O=system:masters, CN=kubernetes-admin) expired on ${isoOf(EXPIRED_NOT_AFTER)}`);
    expect(error.hint).toContain('kubeadm certs renew admin.conf');
  });

  it("a client certificate of another cluster's CA: 401 naming the certificate", async () => {
    const error = await failure(await server.writeKubeconfig('foreign-client-certificate'));

    expect(error).toMatchObject({ kind: 'unauthorized', status: 401 });
    expect(error.cause).toBeUndefined();
    expect(error.message).toMatch(/rejected the credentials \(401 Unauthorized\); the kubeconfig presented client certificate O=system:masters, CN=kubernetes-admin, issued by CN=kubernetes, valid /);
    expect(error.hint).toContain("not signed by this cluster's CA");
  });

  it('a token the server does not know, and no credentials at all: 401 saying what was presented', async () => {
    const token = await failure(await server.writeKubeconfig('wrong-token'));
    const none = await failure(await server.writeKubeconfig('no-credentials'));

    expect(token).toMatchObject({ kind: 'unauthorized', message: `cluster at ${server.url} rejected the credentials (401 Unauthorized); the kubeconfig presented a bearer token` });
    expect(none).toMatchObject({ kind: 'unauthorized', message: `cluster at ${server.url} rejected the credentials (401 Unauthorized); the kubeconfig presented no credentials` });
  });
});

describe('the broken-access fixture (for CLI tests of issue 10)', () => {
  it('gives each cause its own kind or cause, and its own message once paths and URLs are set aside', async () => {
    const set = await brokenAccess(server, dir);
    try {
      const seen = await Promise.all(set.cases.map(async (c) => {
        const context = c.args.includes('--context') ? c.args[c.args.indexOf('--context') + 1] : undefined;
        const error = await failure(c.kubeconfig, context);
        return { cause: c.cause, expected: c.expected, got: { kind: error.kind, ...(error.cause === undefined ? {} : { cause: error.cause }) }, message: error.message };
      }));

      for (const { cause, expected, got } of seen) expect({ cause, ...got }).toEqual({ cause, ...expected });
      expect(seen.find((s) => s.cause === 'not-kubernetes')?.message).toMatch(/^https:\/\/127\.0\.0\.1:\d+ is not a Kubernetes API server: \/version not found on https:\/\/127\.0\.0\.1:\d+: <html><body>404 Not Found<\/body><\/html>$/);
      const shapes = seen.map((s) => s.message.replace(/https:\/\/127\.0\.0\.1:\d+/g, 'URL').replace(new RegExp(`${dir}/[\\w.-]+`, 'g'), 'FILE').replace(/:\d+:\d+:/, ':L:C:'));
      expect(new Set(shapes).size).toBe(seen.length);
    } finally {
      await set.stop();
    }
  });
});

function isoOf(opensslTime: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(opensslTime);
  if (!m) throw new Error(opensslTime);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z`;
}

async function fetchWithCa(url: string, ca: string): Promise<{ status: number; body: unknown }> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    https.get(url, { ca }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    }).on('error', reject);
  });
}
