/**
 * One apply per cluster, and Ctrl-C: a second apply exits 3 naming the
 * holder; SIGINT stops ansible-playbook (no process left behind), exits 3,
 * and leaves a journal the next run resumes from.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, withTempDir } from './helpers/cli.js';
import { setupApplyFixture } from './helpers/apply-fixture.js';

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function processesMentioning(text: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

describe('kspray apply: lock and interruption', () => {
  it('refuses a second apply (exit 3, naming the holder) and stops cleanly on SIGINT, then resumes', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 2 });
      const journalFile = join(dir, 'inventories', 'k1', '.kspray', 'state', 'k1.json');
      const first = spawn('node', [join(repoRoot, 'bin', 'kspray.js'), 'apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--skip-preflight', '--no-cluster-api', '--reason', 'the fixture has no Kubernetes API'], {
        cwd: dir, env: { ...process.env, ...fx.env, KSPRAY_FIXTURE_HOST_SECONDS: '30', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let firstErr = '';
      first.stderr.on('data', (chunk: Buffer) => (firstErr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
      try {
        // Wait until a master is being upgraded (cordoned, sleeping in the fixture's node upgrade).
        await waitFor('a node upgrade to start', () => existsSync(join(fx.stateDir, 'k1-master01', 'cordoned')));

        const second = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes']);
        expect(second.exitCode).toBe(3);
        expect(second.stderr).toContain(`pid ${first.pid}`);

        first.kill('SIGINT');
        expect(await exited).toBe(3);
        expect(firstErr).toMatch(/SIGINT received/);
        await waitFor('ansible-playbook to be gone', () => processesMentioning(dir).length === 0, 30_000);

        type JournalFile = { interruption?: { signal: string }; steps: Record<string, { status: string }>; cordonedByKspray: string[] };
        const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as JournalFile;
        expect(journal.interruption?.signal).toBe('SIGINT');
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
        expect((JSON.parse(readFileSync(journalFile, 'utf8')) as JournalFile).cordonedByKspray).toEqual([]);
      } finally {
        if (first.exitCode === null) first.kill('SIGKILL');
      }
    });
  });
});
