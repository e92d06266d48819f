/**
 * The cluster's real state is the truth (issue 10), end to end on the
 * Kubespray-shaped fixture and the fake HTTPS API: no downgrade after a
 * finished apply, the cluster file kept true (comments and all), a stale file
 * or a typed FROM refused, a hop in progress resumed, a reviewed plan file run
 * only when kspray plans the same today, and no API, no drain.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeObject } from './fixtures/kube-api-server.js';
import { brokenAccess } from './fixtures/kube/broken-access.js';
import { k1WithDisruptionsAllowed } from './fixtures/kube/k1.js';
import { fixtureWaivers, K1_MASTERS, k1Workers, setupApplyFixture, type ApplyFixture } from './helpers/apply-fixture.js';
import { repoRoot, withTempDir } from './helpers/cli.js';

/** The fixture's cluster file as an operator keeps it: comments above, beside and below the settings. */
async function withComments(fx: ApplyFixture): Promise<string> {
  const plain = await readFile(fx.clusterFile, 'utf8');
  const text = `# k1: the reference cluster, kept by the platform team\n${plain
    .replace(/^( {2}version: v1\.16\.3)$/m, '$1   # what runs now')
    .replace(/^(kubespray:)$/m, '# the tag it was deployed with, and how Ansible runs\n$1')}\n# end of file\n`;
  await writeFile(fx.clusterFile, text);
  return text;
}

function withNodesAt(objects: KubeObject[], version: string): KubeObject[] {
  return objects.map((object) => (object.kind !== 'Node' ? object : {
    ...object, status: { ...(object.status as Record<string, unknown>), nodeInfo: { ...((object.status as { nodeInfo?: object }).nodeInfo), kubeletVersion: version } },
  }));
}

describe('the cluster\'s real state is the truth', () => {
  it('after a finished 1.16→1.18 apply: the file says where the cluster is, comments kept; plan says already there; an older target runs nothing', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4', 'v2.14.2'], workers: 2 });
      const original = await withComments(fx);
      const done = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.18', '--yes']);
      expect(done.exitCode, done.stderr).toBe(0);
      expect(done.stderr).toContain(`hop 1 done: updated ${fx.clusterFile}: kubernetes.version: v1.16.3 → v1.17.12, kubespray.tag: v2.12.10 → v2.13.4`);
      expect(done.stderr).toContain(`hop 2 done: updated ${fx.clusterFile}: kubernetes.version: v1.17.12 → v1.18.10, kubespray.tag: v2.13.4 → v2.14.2`);
      // Only the two values changed: every comment, and everything else, as the operator wrote it.
      expect(await readFile(fx.clusterFile, 'utf8')).toBe(original.replace('v1.16.3', 'v1.18.10').replace('tag: v2.12.10', 'tag: v2.14.2'));

      const plan = await fx.kspray(['plan', '--to', '1.18', '-c', fx.clusterFile]);
      expect(plan.exitCode).toBe(0);
      expect(plan.stdout).toBe('k1 already runs v1.18.10 (Kubespray v2.14.2): nothing to plan\n');
      const lines = fx.journal().length;
      const older = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes']);
      expect(older.exitCode).toBe(2);
      expect(older.stderr).toContain('1.17 is older than what the cluster runs (v1.18.10): kspray does not downgrade');
      expect(fx.journal()).toHaveLength(lines);
      const status = await fx.kspray(['status', '-c', fx.clusterFile, '--json']);
      expect(status.exitCode).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ runStatus: 'succeeded', runs: { version: 'v1.18.10', tag: 'v2.14.2', source: 'journal' } });

      // An older copy of the cluster file (a stale checkout) is refused, naming both sources.
      await writeFile(fx.clusterFile, original);
      const stale = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.18', '--yes', '--json']);
      expect(stale.exitCode).toBe(2);
      expect(stale.stderr).toContain("the cluster file and kspray's journal disagree: the journal says kspray left the cluster at v1.18.10 (Kubespray v2.14.2)");
      expect(stale.stderr).toContain('set kubernetes.version: v1.18.10 and kubespray.tag: v2.14.2');
      expect(JSON.parse(stale.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { kind: 'usage' } });
      expect(fx.journal()).toHaveLength(lines);
    });
  });

  it('refuses a cluster file the live nodes contradict, and resumes the hop --masters-only left, with or without the journal', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'] });
      const ahead = await startKubeApiServer({ objects: withNodesAt(k1WithDisruptionsAllowed(), 'v1.18.10'), gitVersion: 'v1.18.10' });
      try {
        for (const command of [['plan', '--to', '1.17'], ['apply', '--to', '1.17', '--yes']]) {
          const result = await fx.kspray([...command, '-c', fx.clusterFile, '--kubeconfig', ahead.kubeconfigPath]);
          expect(result.exitCode, command.join(' ')).toBe(2);
          expect(result.stderr).toContain('the live cluster and the cluster file disagree: every node runs v1.18.10; the API server runs v1.18.10, the cluster file says v1.16.3 (v2.12.10)');
        }
        expect(fx.journal()).toEqual([]);
      } finally {
        await ahead.stop();
      }

      const server = await startKubeApiServer({ objects: k1WithDisruptionsAllowed(), nodeStateDir: fx.stateDir });
      try {
        const masters = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--kubeconfig', server.kubeconfigPath, '--masters-only']);
        expect(masters.exitCode, masters.stderr).toBe(0);
        // The file still says 1.16.3: the hop is not finished.
        expect(await readFile(fx.clusterFile, 'utf8')).toContain('version: v1.16.3');
        const resumed = await fx.kspray(['plan', '--to', '1.17', '-c', fx.clusterFile, '--kubeconfig', server.kubeconfigPath]);
        expect(resumed.exitCode, resumed.stderr).toBe(0);
        expect(resumed.stderr).toContain('resuming the unfinished plan the journal recorded (v1.16.3 → v1.17.12)');
        expect(resumed.stderr).toMatch(/live cluster .*: 5 nodes run v1\.16\.3; k1-master01, k1-master02, k1-master03 run v1\.17\.12; the API server runs v1\.17\.12/);
        expect(resumed.stdout).toMatch(/Upgrade the control plane and etcd \[--limit kube-master:etcd\]  \(done\)/);
        expect(resumed.stdout).not.toMatch(/canary worker.*\(done\)/);

        // Without the journal (a fresh machine), the live cluster shows the same hop half done.
        await rm(join(fx.dir, 'inventories', 'k1', '.kspray', 'state'), { recursive: true });
        const fresh = await fx.kspray(['plan', '--to', '1.17', '-c', fx.clusterFile, '--kubeconfig', server.kubeconfigPath, '--json']);
        expect(fresh.exitCode, fresh.stderr).toBe(0);
        expect((JSON.parse(fresh.stdout) as { hops: Array<{ fromVersion: string; toVersion: string }> }).hops.map((h) => [h.fromVersion, h.toVersion])).toEqual([['v1.16.3', 'v1.17.12']]);
        const workers = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--kubeconfig', server.kubeconfigPath, '--workers-only']);
        expect(workers.exitCode, workers.stderr).toBe(0);
        expect(await readFile(fx.clusterFile, 'utf8')).toContain('version: v1.17.12');
      } finally {
        await server.stop();
      }
    });
  });

  it('applies a reviewed plan file only when kspray plans the same today: never an edited argv, a changed cluster, lock file or catalog', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 2 });
      const planFile = join(dir, 'plan.json');
      const planned = await fx.kspray(['plan', '--to', '1.17', '-c', fx.clusterFile, '--output', planFile, '--json']);
      expect(planned.exitCode, planned.stderr).toBe(0);
      const reviewed = await readFile(planFile, 'utf8');
      const cluster = await readFile(fx.clusterFile, 'utf8');
      const marker = join(dir, 'pwned');
      const apply = () => fx.kspray(['apply', '-c', fx.clusterFile, '--plan', planFile, '--yes']);
      const refusedWith = async (message: string | RegExp): Promise<void> => {
        const result = await apply();
        expect(result.exitCode, result.stderr).toBe(2);
        expect(result.stderr).toContain(`${planFile} is not what kspray plans for it today, so nothing runs`);
        expect(result.stderr).toMatch(message);
        expect(fx.journal()).toEqual([]);
        expect(existsSync(marker)).toBe(false);
      };

      const edited = JSON.parse(reviewed) as { hops: Array<{ steps: Array<{ kind: string; argv: string[] | null }> }>; inputs: { catalog: string } };
      edited.hops[0]!.steps.find((step) => step.kind === 'control-plane')!.argv = ['sh', '-c', `touch ${marker}`];
      await writeFile(planFile, JSON.stringify(edited));
      await refusedWith(/step hop1:control-plane differs from kspray's plan \(argv\)/);

      await writeFile(planFile, reviewed);
      await writeFile(fx.clusterFile, cluster.replace(/^nodes:\n/m, 'nodes:\n  - name: k1-node09\n    ip: 192.168.31.99\n    roles: [worker]\n    vars: { ansible_connection: local }\n'));
      await refusedWith(/cluster file: node k1-node09 added/);
      await writeFile(fx.clusterFile, cluster.replace('mode: ipvs', 'mode: iptables'));
      await refusedWith(/cluster file: kubeProxy\.mode changed from "ipvs" to "iptables"/);
      await writeFile(fx.clusterFile, cluster);

      const pinned = await fx.kspray(['pin', '-c', fx.clusterFile, '--tag', 'v2.13.4']);
      expect(pinned.exitCode, pinned.stderr).toBe(0);
      await refusedWith(/kspray\.lock\.yaml was added since/);
      await rm(join(fx.dir, 'inventories', 'k1', 'kspray.lock.yaml'));

      const otherCatalog = JSON.parse(reviewed) as typeof edited;
      otherCatalog.inputs.catalog = `sha256:${'0'.repeat(64)}`;
      await writeFile(planFile, JSON.stringify(otherCatalog));
      await refusedWith(/it was made with another Kubespray catalog/);

      const damaged = await (async () => {
        await writeFile(planFile, '{"planVersion": 2, "hops": "x"}');
        return apply();
      })();
      expect(damaged.exitCode).toBe(2);
      expect(damaged.stderr).toMatch(/is not a kspray plan: /);

      await writeFile(planFile, reviewed);
      const ran = await apply();
      expect(ran.exitCode, ran.stderr).toBe(0);
      expect(new Set(fx.journal().map((line) => line.kubeVersion))).toEqual(new Set(['v1.17.12']));
      expect(existsSync(marker)).toBe(false);
    });
  });

  it('no API, no drain: every way of not reaching it blocks preflight and apply, naming the cause; --no-cluster-api --reason runs, recorded', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 1 });
      const server = await startKubeApiServer({ objects: k1WithDisruptionsAllowed() });
      const confs = await mkdtemp(join(tmpdir(), 'kspray-broken-'));
      const broken = await brokenAccess(server, confs);
      try {
        for (const access of broken.cases) {
          const preflight = await fx.kspray(['preflight', '--to', '1.17', '-c', fx.clusterFile, ...access.args, '--skip-hosts', '--json']);
          expect(preflight.exitCode, `${access.cause}: ${preflight.stderr}`).toBe(1);
          const report = JSON.parse(preflight.stdout) as { findings: Array<{ check: string; severity: string; what: string }> };
          const block = report.findings.find((f) => f.check === 'cluster-api');
          expect(block, access.cause).toMatchObject({ severity: 'block' });
          expect(block!.what, access.cause).toMatch(/^the cluster API cannot be read: /);

          const apply = await fx.kspray(['apply', '--to', '1.17', '-c', fx.clusterFile, '--yes', ...access.args, '--json']);
          expect(apply.exitCode, `${access.cause}: ${apply.stderr}`).toBe(1);
          expect(JSON.parse(apply.stdout)).toMatchObject({ status: 'refused', exitCode: 1, ran: [] });
          expect(apply.stderr).toContain('refused: preflight blocks in cluster-api; nothing of it was run');
          expect(apply.stderr).toContain('--no-cluster-api --reason TEXT');
          expect(fx.journal(), access.cause).toEqual([]);
        }
        const causes = Object.fromEntries(await Promise.all(broken.cases.map(async (access) => {
          const result = await fx.kspray(['preflight', '--to', '1.17', '-c', fx.clusterFile, ...access.args, '--skip-hosts', '--json']);
          return [access.cause, (JSON.parse(result.stdout) as { findings: Array<{ check: string; what: string }> }).findings.find((f) => f.check === 'cluster-api')!.what];
        })));
        expect(causes['unknown-ca']).toContain("not signed by the kubeconfig's certificate authority");
        expect(causes['expired-client-certificate']).toMatch(/client certificate .* expired/);
        expect(causes['wrong-token']).toContain('401');
        expect(causes['closed-port']).toContain('connection refused');
        expect(causes['missing-kubeconfig']).toContain('does not exist');

        const report = join(dir, 'report.json');
        const waived = await fx.kspray(['apply', '--to', '1.17', '-c', fx.clusterFile, '--yes', '--kubeconfig', join(confs, 'no-such.conf'),
          '--no-cluster-api', '--reason', 'API behind a broken LB, budgets checked by hand (CHG-77)', '--report', report]);
        expect(waived.exitCode, waived.stderr).toBe(0);
        expect(fx.journal().length).toBeGreaterThan(0);
        const journal = JSON.parse(await readFile(join(fx.dir, 'inventories', 'k1', '.kspray', 'state', 'k1.json'), 'utf8')) as { runs: Array<{ flags: { noClusterApi?: string } }> };
        expect(journal.runs.at(-1)!.flags.noClusterApi).toBe('API behind a broken LB, budgets checked by hand (CHG-77)');
        expect(JSON.parse(await readFile(report, 'utf8'))).toMatchObject({ status: 'succeeded', noClusterApi: 'API behind a broken LB, budgets checked by hand (CHG-77)' });
      } finally {
        await broken.stop();
        await server.stop();
        await rm(confs, { recursive: true, force: true });
      }
    });
  });

  it('says every outcome of apply in one JSON document, and status exits 1 after a failure, naming the step and its cause', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 1 });
      const failed = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--json'], { KSPRAY_FIXTURE_FAIL_HOSTS: 'k1-master02' });
      expect(failed.exitCode).toBe(1);
      expect(JSON.parse(failed.stdout)).toMatchObject({
        status: 'failed', exitCode: 1, failedStep: 'hop1:control-plane', failedHosts: ['k1-master02'], hop: 1,
        message: expect.stringContaining('hop1:control-plane failed on k1-master02'), logPath: expect.stringMatching(/hop1-control-plane\.log$/),
      });
      const status = await fx.kspray(['status', '-c', fx.clusterFile]);
      expect(status.exitCode).toBe(1);
      expect(status.stdout).toContain('failed step: hop1:control-plane (hop 1, control-plane)');
      expect(status.stdout).toContain('failed hosts: k1-master02');
      expect(status.stdout).toContain('runs Kubernetes v1.16.3, Kubespray v2.12.10 (the cluster file)');
      expect(K1_MASTERS.concat(k1Workers(1)).every((host) => !fx.journal().some((l) => l.host === host && l.kubeVersion !== 'v1.17.12'))).toBe(true);
    });
  });
});

describe('apply at a terminal', () => {
  it('runs the hop\'s preflight before it asks, shows its verdict in the question, and a "no" records no run', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 1 });
      const server = await startKubeApiServer({ objects: k1WithDisruptionsAllowed(), nodeStateDir: fx.stateDir });
      try {
        // `script` gives kspray a real terminal (a pty); the answer goes in once the question is out.
        const command = ['node', join(repoRoot, 'bin', 'kspray.js'), 'apply', '-c', fx.clusterFile, '--to', '1.17', '--kubeconfig', server.kubeconfigPath, ...fixtureWaivers(['--kubeconfig'])]
          .map((word) => `'${word}'`).join(' ');
        const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: dir, env: { ...process.env, ...fx.env, NO_COLOR: '1', CI: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
        let screen = '';
        const asked = new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => {
          screen += chunk.toString();
          if (screen.includes('Run it? [y/N]')) resolve();
        }));
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        await asked;
        child.stdin.write('n\r');
        expect(await exited).toBe(0);
        const question = screen.indexOf('Run it? [y/N]');
        expect(screen.indexOf('Preflight, hop 1, v1.16.3 → v1.17.12')).toBeGreaterThan(-1);
        expect(screen.indexOf('Preflight, hop 1, v1.16.3 → v1.17.12')).toBeLessThan(question);
        expect(screen.slice(0, question)).toMatch(/Preflight: Preflight, hop 1[\s\S]*Result: nothing blocks/);
        expect(screen).toContain('hop 1 declined at the prompt: nothing of it was run');
        expect(fx.journal()).toEqual([]);
        const status = await fx.kspray(['status', '-c', fx.clusterFile, '--json']);
        expect(status.exitCode).toBe(0);
        expect(JSON.parse(status.stdout)).toMatchObject({ runId: null, runStatus: null, runDiedUnrecorded: null });
      } finally {
        await server.stop();
      }
    });
  });
});
