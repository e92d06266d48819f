/**
 * Health gates between waves (upgrade.gates), on the fixture and a shared
 * run of worker batches: the gate is in the plan and the dry run; after the
 * canary it passes; after wave 1 it fails, and the run stops before wave 2
 * drains (the fixture's journal), exit 1, the journal, the --json document
 * and the report naming the gate with its output. The resumed run checks
 * the gate again first; it passes after a few tries and the run goes on.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlanDocument } from '../src/plan/types.js';
import { workerUpgradePlays } from './fixtures/kube/waves-cluster.js';
import { setupApplyFixture } from './helpers/apply-fixture.js';
import { withTempDir } from './helpers/cli.js';

/**
 * The gate: fails after the step named in fail-after (the service is degraded), and before passing waits
 * for the number of tries in pass-on-try; logs every call with the step it follows and the hosts of that step.
 */
const GATE = `#!/bin/sh
dir=$(dirname "$0")
echo "$KSPRAY_GATE_AFTER $KSPRAY_GATE_HOSTS" >> "$dir/calls.log"
if [ "$(cat "$dir/fail-after" 2>/dev/null)" = "$KSPRAY_GATE_AFTER" ]; then echo "shop: 2 of 3 replicas ready"; exit 1; fi
tries=$(( $(cat "$dir/tries" 2>/dev/null || echo 0) + 1 )); echo "$tries" > "$dir/tries"
if [ "$tries" -lt "$(cat "$dir/pass-on-try" 2>/dev/null || echo 1)" ]; then echo "shop: warming up (try $tries)"; exit 1; fi
echo "shop: 3 of 3 replicas ready"
`;

describe('kspray apply with health gates', () => {
  it('stops before the next wave drains when a gate fails after wave 1 (exit 1, named everywhere); the resumed run checks it again and goes on once it passes', async () => {
    await withTempDir(async (dir) => {
      const gate = join(dir, 'gate', 'shop-health');
      const fx = await setupApplyFixture(dir, {
        tags: ['v2.12.10', 'v2.13.4'], workers: 5,
        extra: { upgrade: { gates: [{ name: 'shop', command: [gate, '--namespace', 'shop'], timeout: '2s', interval: '200ms' }] } },
      });
      await mkdir(join(dir, 'gate'), { recursive: true });
      await writeFile(gate, GATE);
      await chmod(gate, 0o755);
      const batches = ['--batch', '2'];

      const plan = JSON.parse((await fx.kspray(['plan', '1.16→1.17', '-c', fx.clusterFile, ...batches, '--json'])).stdout) as PlanDocument;
      const [canary, wave1, wave2] = plan.hops[0]!.steps.filter((step) => step.kind === 'canary' || step.kind === 'workers');
      expect(plan.gates).toEqual([{
        name: 'shop', kind: 'command', command: [gate, '--namespace', 'shop'], http: null, kubernetes: null, timeoutMs: 2000, intervalMs: 200,
        after: [canary!.id, wave1!.id, wave2!.id],
      }]);
      expect(wave2!.sharedRun).toEqual(wave1!.sharedRun);
      const dry = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', ...batches, '--dry-run']);
      expect(dry.stdout).toContain(`then health gate shop: command ${gate} --namespace shop (within 2 s, every 0.2 s)`);
      const unknown = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', ...batches, '--yes', '--skip-gate', 'shoop', '--reason', 'typo']);
      expect(unknown.exitCode).toBe(2);
      expect(unknown.stderr).toContain('--skip-gate shoop: the plan has no such health gate');

      await writeFile(join(dir, 'gate', 'fail-after'), `${wave1!.id}\n`);
      const report = join(dir, 'report.json');
      const failed = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', ...batches, '--yes', '--json', '--report', report]);
      expect(failed.exitCode, failed.stderr).toBe(1);
      expect(failed.stderr).toContain(`health gate shop did not pass within 2 s`);
      expect(failed.stderr).toContain('shop: 2 of 3 replicas ready');
      expect(failed.stderr).toContain(`${wave2!.id} was not started`);
      // Wave 2 was never drained: no host of it ran the worker play.
      const plays = workerUpgradePlays('v2.13.4');
      const upgraded = () => fx.journal().filter((line) => plays.has(line.play) && line.host.startsWith('k1-node')).map((line) => line.host);
      expect(upgraded().sort()).toEqual([...canary!.hosts, ...wave1!.hosts].sort());
      const calls = (await readFile(join(dir, 'gate', 'calls.log'), 'utf8')).split('\n').filter(Boolean);
      expect(calls[0]).toBe(`${canary!.id} ${canary!.hosts.join(',')}`);
      expect(calls.slice(1).every((call) => call.startsWith(`${wave1!.id} `))).toBe(true);
      const document = JSON.parse(failed.stdout) as { status: string; exitCode: number; gate: { name: string; after: string; output: string }; failedStep: string };
      expect(document).toMatchObject({ status: 'failed', exitCode: 1, failedStep: wave2!.id, gate: { name: 'shop', after: wave1!.id, output: 'shop: 2 of 3 replicas ready' } });
      type Journal = { steps: Record<string, { status: string }>; gates: Array<{ name: string; after: string; status: string; attempts: number }>; runs: Array<{ status: string; message?: string }> };
      const journalFile = join(dir, 'inventories', 'k1', '.kspray', 'state', 'k1.json');
      const journal = JSON.parse(await readFile(journalFile, 'utf8')) as Journal;
      expect(journal.steps[wave1!.id]!.status).toBe('succeeded');
      expect(journal.steps[wave2!.id]!.status).toBe('pending');
      expect(journal.gates.map((g) => [g.name, g.after, g.status])).toEqual([['shop', canary!.id, 'passed'], ['shop', wave1!.id, 'failed']]);
      expect(journal.gates[1]!.attempts).toBeGreaterThan(1);
      expect(journal.runs.at(-1)).toMatchObject({ status: 'failed' });
      expect(journal.runs.at(-1)!.message).toContain('health gate shop did not pass');
      const written = JSON.parse(await readFile(report, 'utf8')) as { gates: Array<{ name: string; status: string }>; message: string };
      expect(written.gates.map((g) => [g.name, g.status])).toEqual([['shop', 'passed'], ['shop', 'failed']]);
      expect(written.message).toContain('health gate shop');

      // The service recovers slowly: the gate passes on its third try, and the run goes on.
      await writeFile(join(dir, 'gate', 'fail-after'), 'nothing\n');
      await writeFile(join(dir, 'gate', 'tries'), '0\n');
      await writeFile(join(dir, 'gate', 'pass-on-try'), '3\n');
      const resumed = await fx.kspray(['apply', '-c', fx.clusterFile, '--yes']);
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain('health gate shop: check 1 not passing yet: shop: warming up (try 1)');
      expect(resumed.stderr).toMatch(/health gate shop passed \(check 3,/);
      expect(upgraded().sort()).toEqual([...canary!.hosts, ...wave1!.hosts, ...wave2!.hosts].sort());
      const after = JSON.parse(await readFile(journalFile, 'utf8')) as Journal;
      expect(after.gates.slice(2).map((g) => [g.after, g.status, g.attempts])).toEqual([[wave1!.id, 'passed', 3], [wave2!.id, 'passed', 1]]);
    });
  });
});
