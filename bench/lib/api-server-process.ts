/**
 * The fake API server in a process of its own, serving the preflight bench's
 * cluster (preflight-cluster.ts): a real API server encodes its answers on
 * another machine, not in the client's event loop. Run through
 * `startApiServerProcess()`; as a child it answers over IPC: 'ready' with the
 * kubeconfig, then on 'stop' the requests it served, and exits.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startKubeApiServer } from '../../test/fixtures/kube-api-server.js';
import { generatePreflightCluster, VERSION } from './preflight-cluster.js';

type ChildMessage = { type: 'ready'; kubeconfigPath: string } | { type: 'stopped'; requests: string[] };

export interface ApiServerProcess {
  kubeconfigPath: string;
  /** Stops the server; resolves with the requests it served. */
  stop(): Promise<string[]>;
}

export async function startApiServerProcess(): Promise<ApiServerProcess> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const next = (): Promise<ChildMessage> => new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message as ChildMessage));
    child.once('exit', (code) => reject(new Error(`the fake API server process exited (${code})`)));
  });
  const ready = await next();
  if (ready.type !== 'ready') throw new Error('the fake API server process did not start');
  return {
    kubeconfigPath: ready.kubeconfigPath,
    async stop() {
      const stopped = next();
      child.send('stop');
      const answer = await stopped;
      return answer.type === 'stopped' ? answer.requests : [];
    },
  };
}

if (process.argv.includes('--serve') && process.send) {
  const server = await startKubeApiServer({ objects: generatePreflightCluster(), gitVersion: VERSION, serve: { 'networking.k8s.io/v1beta1': ['Ingress'] } });
  process.send({ type: 'ready', kubeconfigPath: server.kubeconfigPath } satisfies ChildMessage);
  process.once('message', () => {
    const requests = [...server.requests];
    void server.stop().then(() => process.send?.({ type: 'stopped', requests } satisfies ChildMessage, () => process.exit(0)));
  });
}
