/**
 * A client of the fake API for tests of kspray's own API code: connected the
 * way kspray connects (client-node's kubeconfig, the server's CA and client
 * certificate), and `value()` to unwrap an answer that must have succeeded.
 */
import { type KubeClient, connectKube } from '../../src/kube/client.js';
import type { KubeResult } from '../../src/kube/result.js';
import type { KubeApiServer } from '../fixtures/kube-api-server.js';

export async function connectedClient(server: KubeApiServer): Promise<KubeClient> {
  const connected = await connectKube({ kubeconfigPaths: [server.kubeconfigPath] });
  if (!connected.ok) throw new Error(connected.error.message);
  return connected.value;
}

export function value<T>(result: KubeResult<T>): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}
