/**
 * One apply per cluster, and stopping it. A second apply exits 3 naming the
 * holder. The first SIGINT stops at the next safe boundary: in a shared run
 * of worker waves, the wave in flight finishes its batch and the next wave is
 * never cordoned (the fixture's node state), exit 3 with the journal at that
 * boundary, and the same apply resumes there. A second SIGINT stops
 * ansible-playbook at once (no process left behind), and the journal names
 * the node it may have left cordoned.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlanDocument } from '../src/plan/types.js';
import { startKubeApiServer } from './fixtures/kube-api-server.js';
import { wavesCluster, workerUpgradePlays } from './fixtures/kube/waves-cluster.js';
import { repoRoot, withTempDir } from './helpers/cli.js';
import { fixtureWaivers, setupApplyFixture, type ApplyFixture } from './helpers/apply-fixture.js';

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function processesMentioning(text: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

interface Running {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startApply(fx: ApplyFixture, args: readonly string[], env: Record<string, string>): Running {
  const child = spawn('node', [join(repoRoot, 'bin', 'kspray.js'), 'apply', '-c', fx.clusterFile, '--yes', ...args, ...fixtureWaivers(args)], {
    cwd: fx.dir, env: { ...process.env, ...fx.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  return { child, stderr: () => stderr, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

type JournalFile = {
  interruption?: { signal: string; atBoundary?: boolean; step?: string };
  steps: Record<string, { status: string }>;
  cordonedByKspray: string[];
};

const journalOf = (dir: string): JournalFile => JSON.parse(readFileSync(join(dir, 'inventories', 'k1', '.kspray', 'state', 'k1.json'), 'utf8')) as JournalFile;

describe('kspray apply: lock and stopping', () => {
  it('stops a shared run of waves at the next batch boundary on the first SIGINT: the next wave is never cordoned; then resumes', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 10 });
      const generated = wavesCluster({ workers: 10 });
      const server = await startKubeApiServer({ objects: generated.objects, nodeStateDir: fx.stateDir });
      const target = ['--to', '1.17', '--kubeconfig', server.kubeconfigPath, '--max-unavailable', '5'];
      let run: Running | undefined;
      try {
        const plan = JSON.parse((await fx.kspray(['plan', '1.16→1.17', '-c', fx.clusterFile, '--json', '--kubeconfig', server.kubeconfigPath, '--max-unavailable', '5'])).stdout) as PlanDocument;
        const [canary, wave1, ...later] = plan.hops[0]!.steps.filter((step) => step.kind === 'canary' || step.kind === 'workers');
        expect(later.length).toBeGreaterThan(0);
        expect(wave1!.sharedRun).toBeDefined();

        run = startApply(fx, target, { KSPRAY_FIXTURE_HOST_SECONDS: '2' });
        // Wave 1 is draining: its first host is cordoned (the fixture's node upgrade is under way).
        await waitFor('a host of wave 1 to be cordoned', () => wave1!.hosts.some((host) => existsSync(join(fx.stateDir, host, 'cordoned'))));
        run.child.kill('SIGINT');
        expect(await run.exited, run.stderr()).toBe(3);
        expect(run.stderr()).toContain('SIGINT received: stopping at the next boundary');
        expect(run.stderr()).toMatch(new RegExp(`stopped as asked before ${later[0]!.id}, at a boundary: no host was left in flight`));

        // Wave 1 finished its batch: upgraded and uncordoned. No host of a later wave was ever cordoned.
        for (const host of [...canary!.hosts, ...wave1!.hosts]) {
          expect(readFileSync(join(fx.stateDir, host, 'kubelet_version'), 'utf8').trim(), host).toBe('v1.17.12');
          expect(existsSync(join(fx.stateDir, host, 'cordoned')), host).toBe(false);
        }
        for (const host of later.flatMap((step) => step.hosts)) expect(existsSync(join(fx.stateDir, host)), host).toBe(false);
        const journal = journalOf(dir);
        expect([canary, wave1].map((step) => journal.steps[step!.id]!.status)).toEqual(['succeeded', 'succeeded']);
        for (const step of later) expect(journal.steps[step.id]!.status).toBe('pending');
        expect(journal.interruption).toMatchObject({ signal: 'SIGINT', atBoundary: true });
        expect(journal.cordonedByKspray).toEqual([]);

        const resumed = await fx.kspray(['apply', '-c', fx.clusterFile, '--yes', '--skip-preflight', '--kubeconfig', server.kubeconfigPath]);
        expect(resumed.exitCode, resumed.stderr).toBe(0);
        expect(resumed.stderr).toContain(`next is ${later[0]!.id}`);
        const plays = workerUpgradePlays('v2.13.4');
        const upgrades = fx.journal().filter((line) => plays.has(line.play) && line.host.startsWith('k1-node')).map((line) => line.host).sort();
        expect(upgrades).toEqual(generated.workers);
      } finally {
        if (run?.child.exitCode === null) run.child.kill('SIGKILL');
        await server.stop();
      }
    });
  });

  it('refuses a second apply (exit 3, naming the holder); a second SIGINT stops ansible-playbook at once; then resumes', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 2 });
      const first = startApply(fx, ['--to', '1.17'], { KSPRAY_FIXTURE_HOST_SECONDS: '30' });
      try {
        // Wait until a master is being upgraded (cordoned, sleeping in the fixture's node upgrade).
        await waitFor('a node upgrade to start', () => existsSync(join(fx.stateDir, 'k1-master01', 'cordoned')));

        const second = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes']);
        expect(second.exitCode).toBe(3);
        expect(second.stderr).toContain(`pid ${first.child.pid}`);

        first.child.kill('SIGINT');
        await waitFor('the first SIGINT to be taken', () => first.stderr().includes('SIGINT received: stopping at the next boundary'));
        first.child.kill('SIGINT');
        expect(await first.exited).toBe(3);
        expect(first.stderr()).toContain('SIGINT: stopping ansible-playbook at once, the journal records where');
        await waitFor('ansible-playbook to be gone', () => processesMentioning(dir).length === 0, 30_000);

        const journal = journalOf(dir);
        expect(journal.interruption?.signal).toBe('SIGINT');
        expect(journal.interruption?.atBoundary).toBeUndefined();
        expect(journal.steps['hop1:control-plane']?.status).toBe('interrupted');
        expect(journal.steps['hop1:facts']?.status).toBe('succeeded');
        // Cut short in the control plane's (cordoning) play: the master it had started is left cordoned, and is kspray's to uncordon.
        expect(existsSync(join(fx.stateDir, 'k1-master01', 'cordoned'))).toBe(true);
        expect(journal.cordonedByKspray).toEqual(['k1-master01']);
        const status = JSON.parse((await fx.kspray(['status', '-c', fx.clusterFile, '--json'])).stdout) as { resumeAt: string; cordonedByKspray: string[] };
        expect(status).toMatchObject({ resumeAt: 'hop1:control-plane', cordonedByKspray: ['k1-master01'] });

        const resumed = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes']);
        expect(resumed.exitCode, resumed.stderr).toBe(0);
        expect(resumed.stderr).toMatch(/next is hop1:control-plane/);
        expect(journalOf(dir).cordonedByKspray).toEqual([]);
      } finally {
        if (first.child.exitCode === null) first.child.kill('SIGKILL');
      }
    });
  });
});
