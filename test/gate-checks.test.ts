/**
 * One check of each kind of health gate, for real: a command run as an argv
 * with KUBECONFIG and the step it follows in its environment, an HTTP GET
 * against a local server, and Kubernetes conditions read from the fake API,
 * which sees only the reads each condition needs (a label selector in one
 * namespace, one Deployment), never a list of every pod.
 */
import { chmod, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateChecker } from '../src/gates/check-gate.js';
import type { PlanGate, PlanStep } from '../src/plan/types.js';
import { startKubeApiServer, type KubeApiServer, type KubeObject } from './fixtures/kube-api-server.js';
import { withTempDir } from './helpers/cli.js';

const after = { id: 'hop1:workers-1', hosts: ['k1-node02', 'k1-node03'] } as PlanStep;
const gate = (fields: Partial<PlanGate>): PlanGate => ({ name: 'g', kind: 'command', command: null, http: null, kubernetes: null, timeoutMs: 10_000, intervalMs: 1000, after: [after.id], ...fields });
const context = { after, attemptTimeoutMs: 10_000, signal: new AbortController().signal };

const pod = (name: string, ready: boolean): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'db', labels: { app: 'pg' } },
  spec: { nodeName: 'k1-node01' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
} as unknown as KubeObject);
const deployment: KubeObject = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'front', namespace: 'web', generation: 2 },
  spec: { replicas: 2 }, status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1 },
} as unknown as KubeObject;

describe('health gate checks', () => {
  let server: KubeApiServer;
  beforeAll(async () => {
    server = await startKubeApiServer({ objects: [pod('pg-0', true), pod('pg-1', false), deployment] });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('runs a command as an argv with KUBECONFIG and the step it follows, and passes on exit 0', async () => {
    await withTempDir(async (dir) => {
      const script = join(dir, 'check');
      await writeFile(script, '#!/bin/sh\necho "$1 $KUBECONFIG $KSPRAY_GATE_AFTER $KSPRAY_GATE_HOSTS"\n[ "$1" = "ok; rm -rf /" ]\n');
      await chmod(script, 0o755);
      const checker = createGateChecker({ kube: { kubeconfigPaths: [server.kubeconfigPath] }, cwd: dir });
      // The argument is one word, never a shell's: the `;` is data.
      expect(await checker.check(gate({ command: [script, 'ok; rm -rf /'] }), context)).toEqual({
        passed: true, output: `ok; rm -rf / ${server.kubeconfigPath} hop1:workers-1 k1-node02,k1-node03`,
      });
      expect((await checker.check(gate({ command: [script, 'no'] }), context)).passed).toBe(false);
      const missing = await checker.check(gate({ command: [join(dir, 'nope')] }), context).catch((error: Error) => ({ passed: false, output: error.message }));
      expect(missing.passed).toBe(false);
    });
  });

  it('GETs a URL and wants its status and text', async () => {
    let healthy = false;
    const web = http.createServer((_req, res) => {
      res.writeHead(healthy ? 200 : 503).end(healthy ? 'HEALTH_OK' : 'HEALTH_WARN: 1 osd down');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(web.address() as AddressInfo).port}/health`;
      const checker = createGateChecker({ kube: undefined, cwd: '/' });
      const check = gate({ kind: 'http', http: { url, status: 200, bodyContains: 'HEALTH_OK' } });
      expect(await checker.check(check, context)).toEqual({ passed: false, output: `GET ${url}: 503 (wanted 200), the body does not contain "HEALTH_OK": HEALTH_WARN: 1 osd down` });
      healthy = true;
      expect(await checker.check(check, context)).toEqual({ passed: true, output: `GET ${url}: 200: HEALTH_OK` });
    } finally {
      web.close();
    }
  });

  it('reads the pods of one selector and one Deployment from the API, nothing more', async () => {
    const checker = createGateChecker({ kube: { kubeconfigPaths: [server.kubeconfigPath] }, cwd: '/' });
    try {
      server.requests.length = 0;
      const pods = await checker.check(gate({ kind: 'kubernetes', kubernetes: { condition: 'pods-ready', namespace: 'db', name: null, selector: 'app=pg' } }), context);
      expect(pods).toEqual({ passed: false, output: '1 of 2 pod(s) of app=pg in db not ready: pg-1 (Running, not ready)' });
      const front = await checker.check(gate({ kind: 'kubernetes', kubernetes: { condition: 'deployment-available', namespace: 'web', name: 'front', selector: null } }), context);
      expect(front).toEqual({ passed: false, output: 'Deployment web/front: 1/2 available, 2 updated' });
      expect(server.requests).toEqual([
        'GET /version',
        'GET /api/v1/namespaces/db/pods?labelSelector=app%3Dpg&limit=500',
        'GET /apis/apps/v1/namespaces/web/deployments/front',
      ]);
    } finally {
      checker.close();
    }
  });
});
