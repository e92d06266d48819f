/**
 * The canary soak: after the canary wave, apply watches the canary through
 * the cluster API, reading only the canary's node and the pods on it; a
 * regression stops the run before the next wave.
 */
import { describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeObject } from './fixtures/kube-api-server.js';
import { k1WithDisruptionsAllowed } from './fixtures/kube/k1.js';
import { withTempDir } from './helpers/cli.js';
import { K1_MASTERS, setupApplyFixture } from './helpers/apply-fixture.js';

function withWorkersNotReady(objects: KubeObject[]): KubeObject[] {
  return objects.map((object) => {
    if (object.kind !== 'Node' || K1_MASTERS.includes(object.metadata.name)) return object;
    const status = { ...(object.status as Record<string, unknown>), conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }] };
    return { ...object, status };
  });
}

describe('kspray apply --soak', () => {
  it('soaks the canary, then goes on; a NotReady canary stops the run before any other worker', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'] });
      // The fake API mirrors the fixture's fake nodes, so apply's verify step reads real-looking versions.
      const server = await startKubeApiServer({ objects: k1WithDisruptionsAllowed(), nodeStateDir: fx.stateDir });
      try {
        const args = ['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--kubeconfig', server.kubeconfigPath, '--soak', '2s', '--masters-only'];
        const masters = await fx.kspray(args);
        expect(masters.exitCode, masters.stderr).toBe(0);

        server.setObjects(withWorkersNotReady(k1WithDisruptionsAllowed()));
        const regressed = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--kubeconfig', server.kubeconfigPath, '--soak', '2s', '--workers-only']);
        expect(regressed.exitCode).toBe(1);
        expect(regressed.stderr).toMatch(/hop1:canary failed on (k1-node\d+): canary regression during the soak: node \1 is NotReady/);
        const canary = /hop1:canary failed on (k1-node\d+)/.exec(regressed.stderr)![1]!;
        const otherWorkers = fx.journal().filter((l) => l.play !== 'Gather facts' && l.host.startsWith('k1-node') && l.host !== canary);
        expect(otherWorkers).toEqual([]);

        server.setObjects(k1WithDisruptionsAllowed());
        server.requests.length = 0;
        const healed = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--kubeconfig', server.kubeconfigPath, '--soak', '2s', '--workers-only']);
        expect(healed.exitCode, healed.stderr).toBe(0);
        expect(healed.stderr).toMatch(new RegExp(`canary ${canary} healthy \\(check \\d+\\)`));
        expect(healed.stderr).toMatch(/all 8 nodes report v1\.17\.12, Ready and schedulable \(read from the cluster\)/);
        // The soak read the canary's node and the pods on it, and nothing else: no discovery, no list of every pod.
        const soak = [`GET /api/v1/nodes/${canary}`, `GET /api/v1/pods?fieldSelector=spec.nodeName%3D${canary}&limit=500`];
        const first = server.requests.indexOf(soak[0]!);
        const last = server.requests.lastIndexOf(soak[1]!);
        expect(first, server.requests.join('\n')).toBeGreaterThanOrEqual(0);
        const during = server.requests.slice(first, last + 1).filter((request) => request !== 'GET /version');
        expect(during.length).toBeGreaterThanOrEqual(4); // two checks at least
        expect(new Set(during)).toEqual(new Set(soak));
      } finally {
        await server.stop();
      }
    });
  });
});
