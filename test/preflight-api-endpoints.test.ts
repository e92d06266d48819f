/**
 * api-endpoints end to end: probes over real sockets with the kubeconfig's
 * own credentials. The fake API server listens on 127.0.0.1; the control
 * planes 127.0.0.2–4 are TCP forwarders to it on the same port (as a load
 * balancer's backends would be), so one can be stopped. A real TLS server
 * with its own CA (openssl) shows the certificate-name check: reached at an
 * address its certificate does not name, the balancer is refused.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeEndpoints } from '../src/kube/endpoints.js';
import { cluster as clusterSchema } from '../src/model/schema.js';
import { apiEndpointsOf, checkApiEndpoints } from '../src/preflight/api-endpoints.js';
import { run } from '../src/process/exec.js';
import { type KubeApiServer, startKubeApiServer } from './fixtures/kube-api-server.js';

const open = new Map<Server, Set<Socket>>();

async function forward(host: string, port: number, to: number): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    const upstream = createConnection({ host: '127.0.0.1', port: to });
    sockets.add(socket).add(upstream);
    socket.pipe(upstream).pipe(socket);
    const close = () => { socket.destroy(); upstream.destroy(); };
    socket.on('error', close);
    upstream.on('error', close);
    socket.on('close', close);
  });
  open.set(server, sockets);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}

/** Stops listening and drops the connections it carries (a stopped backend, not a draining one). */
async function closeServer(server: Server): Promise<void> {
  for (const socket of open.get(server) ?? []) socket.destroy();
  await new Promise<void>((resolve) => { server.close(() => resolve()); });
}

function haCluster(lbAddress: string, lbPort: number, apiPort: number) {
  return clusterSchema.parse({
    name: 'ha', kubernetes: { version: '1.16.3' },
    nodes: [
      { name: 'cp1', ip: '127.0.0.2', roles: ['control-plane', 'etcd'] },
      { name: 'cp2', ip: '127.0.0.3', roles: ['control-plane', 'etcd'] },
      { name: 'cp3', ip: '127.0.0.4', roles: ['control-plane', 'etcd'] },
      { name: 'w1', ip: '127.0.0.9', roles: ['worker'] },
    ],
    apiServer: { port: apiPort, loadBalancer: { external: { address: lbAddress, port: lbPort } } },
  });
}

describe('api-endpoints through the fake API server', () => {
  let api: KubeApiServer;
  let port: number;
  const forwarders = new Map<string, Server>();

  beforeAll(async () => {
    api = await startKubeApiServer({ gitVersion: 'v1.16.3' });
    port = Number(new URL(api.url).port);
    for (const host of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) forwarders.set(host, await forward(host, port, port));
  });
  afterAll(async () => {
    for (const server of forwarders.values()) await closeServer(server);
    await api.stop();
  });

  async function check(lbAddress: string, lbPort: number) {
    const { endpoints, notes } = apiEndpointsOf(haCluster(lbAddress, lbPort, port));
    const result = await probeEndpoints({ kubeconfigPaths: [api.kubeconfigPath] }, endpoints, 2_000);
    if (!result.ok) throw new Error(result.error.message);
    return checkApiEndpoints(result.probes, notes);
  }

  it('passes when the balancer and every control plane answer, with the kubeconfig\'s token', async () => {
    const outcome = await check('127.0.0.1', port);
    expect(outcome).toMatchObject({ status: 'pass', findings: [] });
    expect(outcome.table?.rows.map((row) => [row[0], row[2]])).toEqual([
      [`load balancer 127.0.0.1:${port}`, 'ok (v1.16.3)'], ['cp1', 'ok (v1.16.3)'], ['cp2', 'ok (v1.16.3)'], ['cp3', 'ok (v1.16.3)'],
    ]);
    expect(api.requests.filter((r) => r === 'GET /version').length).toBeGreaterThanOrEqual(4);
  });

  it('blocks naming the control plane that does not answer', async () => {
    await closeServer(forwarders.get('127.0.0.3')!);
    forwarders.delete('127.0.0.3');
    const outcome = await check('127.0.0.1', port);
    expect(outcome.status).toBe('fail');
    expect(outcome.findings).toEqual([expect.objectContaining({ severity: 'block', what: expect.stringMatching(/^control plane cp2 does not answer at https?:\/\/127\.0\.0\.3:\d+: .*connection refused/) })]);
  });

  it('blocks when nothing answers at the balancer\'s address', async () => {
    const idle = createServer();
    await new Promise<void>((resolve) => idle.listen(0, '127.0.0.1', resolve));
    const free = (idle.address() as AddressInfo).port;
    await closeServer(idle);
    const outcome = await check('127.0.0.1', free);
    expect(outcome.findings[0]).toMatchObject({ severity: 'block', what: expect.stringContaining(`the API does not answer through load balancer 127.0.0.1:${free}`) });
  });
});

describe('api-endpoints over TLS: the balancer\'s certificate must name it', () => {
  let dir: string;
  let server: https.Server;
  let forwarder: Server;
  let port: number;
  let kubeconfig: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kspray-tls-'));
    const ssl = (args: string[]) => run(['openssl', ...args], { cwd: dir });
    await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=kspray-test-ca', '-keyout', 'ca.key', '-out', 'ca.crt']);
    await ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=kube-apiserver', '-keyout', 'server.key', '-out', 'server.csr']);
    await writeFile(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,IP:127.0.0.2\n');
    await ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'san.ext', '-out', 'server.crt']);
    server = https.createServer({ key: await readFile(join(dir, 'server.key')), cert: await readFile(join(dir, 'server.crt')) }, (req, res) => {
      if (req.headers.authorization !== 'Bearer tls-token') return void res.writeHead(401).end('{}');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ gitVersion: 'v1.20.7' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    // 127.0.0.5 is not in the certificate: a balancer there is refused; 127.0.0.2 is, as a control plane.
    forwarder = await forward('127.0.0.5', port, port);
    const second = await forward('127.0.0.2', port, port);
    forwarders.push(second);
    const ca = (await readFile(join(dir, 'ca.crt'))).toString('base64');
    kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, [
      'apiVersion: v1', 'kind: Config',
      'clusters:', '- name: tls', '  cluster:', `    server: https://127.0.0.1:${port}`, `    certificate-authority-data: ${ca}`,
      'users:', '- name: admin', '  user:', '    token: tls-token',
      'contexts:', '- name: tls', '  context:', '    cluster: tls', '    user: admin', 'current-context: tls', '',
    ].join('\n'));
  });
  const forwarders: Server[] = [];
  afterAll(async () => {
    for (const f of [forwarder, ...forwarders]) await closeServer(f);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts the balancer at a name its certificate has, refuses it at one it lacks; control planes need the CA only', async () => {
    const cluster = clusterSchema.parse({
      name: 'tls', kubernetes: { version: '1.20.7' },
      nodes: [{ name: 'cp1', ip: '127.0.0.2', roles: ['control-plane', 'etcd'] }, { name: 'w1', ip: '127.0.0.9', roles: ['worker'] }],
      apiServer: { port, loadBalancer: { external: { address: '127.0.0.1', port } } },
    });
    const named = apiEndpointsOf(cluster);
    const good = await probeEndpoints({ kubeconfigPaths: [kubeconfig] }, named.endpoints, 2_000);
    expect(good.ok && checkApiEndpoints(good.probes, named.notes)).toMatchObject({ status: 'pass', findings: [] });

    const unnamed = apiEndpointsOf({ ...cluster, apiServer: { port, loadBalancer: { external: { address: '127.0.0.5', port } } } });
    const bad = await probeEndpoints({ kubeconfigPaths: [kubeconfig] }, unnamed.endpoints, 2_000);
    const outcome = bad.ok ? checkApiEndpoints(bad.probes, unnamed.notes) : undefined;
    expect(outcome?.findings).toEqual([expect.objectContaining({ severity: 'block', what: expect.stringContaining('the API certificate does not name 127.0.0.5') })]);
  });
});
