/**
 * kspray apply in a maintenance window, against real ansible-playbook and the
 * Kubespray-shaped fixture: a run stops at a step boundary when the next step
 * would not end before the window closes (exit 0, journal says where), the
 * next run in the next window resumes and finishes; --report and --junit are
 * written after each run. The clock is the KSPRAY_NOW test hook: it starts at
 * the given instant and runs on in real time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunReportSchema, runReportJsonSchema, type RunReport } from '../src/report/run-report.js';
import { withTempDir } from './helpers/cli.js';
import { K1_MASTERS, k1Workers, setupApplyFixture } from './helpers/apply-fixture.js';
import { parseJUnit, validateJsonSchema } from './helpers/report-check.js';

const WINDOW = 'Sat 01:00-05:00 UTC';
// 2024-05-04 is a Saturday.
const SAT_0440 = '2024-05-04T04:40:00Z';
const SAT_0600 = '2024-05-04T06:00:00Z';
const NEXT_SAT_0100 = '2024-05-11T01:00:00Z';

function readReport(file: string): RunReport {
  const document = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  expect(validateJsonSchema(runReportJsonSchema(), document)).toEqual([]);
  return RunReportSchema.parse(document);
}

describe('kspray apply --window / --until', () => {
  it('refuses to run outside the window, stops at a step boundary before it closes, and resumes in the next one', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 2 });
      const report = join(dir, 'report.json');
      const junit = join(dir, 'junit.xml');
      const apply = (now: string, extra: string[] = []) =>
        fx.kspray(['apply', '-c', fx.clusterFile, '--skip-preflight', '--to', '1.17', '--window', WINDOW, '--report', report, '--junit', junit, ...extra], { KSPRAY_NOW: now });

      // An unattended window needs --yes.
      const unasked = await apply(SAT_0440);
      expect(unasked.exitCode).toBe(2);
      expect(unasked.stderr).toMatch(/--window and --until are for unattended runs: add --yes/);

      // Outside the window: nothing runs, exit 0, and it says when the window opens.
      const outside = await apply(SAT_0600, ['--yes']);
      expect(outside.exitCode, outside.stderr).toBe(0);
      expect(outside.stderr).toMatch(/not started: outside the maintenance window \(Sat 01:00-05:00 UTC\): it opens at 2024-05-11T01:00:00.000Z; nothing was run/);
      expect(fx.journal()).toEqual([]);
      expect(existsSync(report)).toBe(false);

      // 20 minutes before the close: the facts step (2 min without history) and the cache
      // cleanup (1 min) run; the control plane (3 masters, one at a time, 10 min each)
      // would end after 05:00.
      const stopped = await apply(SAT_0440, ['--yes']);
      expect(stopped.exitCode, stopped.stderr).toBe(0);
      expect(stopped.stderr).toMatch(/stopped at a step boundary: hop1:control-plane not started: it takes about 30 min and the window closes at 2024-05-04T05:00:00.000Z \(20 min left\)/);
      expect(fx.journal().every((line) => line.play === 'Gather facts')).toBe(true);
      expect(fx.journal().length).toBeGreaterThan(0);
      const status = JSON.parse((await fx.kspray(['status', '-c', fx.clusterFile, '--json'])).stdout) as { runStatus: string; resumeAt: string; steps: { done: number } };
      expect(status).toMatchObject({ runStatus: 'stopped-window', resumeAt: 'hop1:control-plane', steps: { done: 3 } });

      const first = readReport(report);
      expect(first.status).toBe('stopped-window');
      expect(first.hops[0]!.steps.map((step) => [step.id, step.status])).toEqual([
        ['hop1:facts', 'succeeded'], ['hop1:cleanup-caches', 'succeeded'], ['hop1:etcd-snapshot', 'succeeded'], ['hop1:control-plane', 'pending'], ['hop1:canary', 'pending'], ['hop1:workers-1', 'pending'], ['hop1:verify', 'pending'],
      ]);
      const firstJUnit = await parseJUnit(junit);
      expect(firstJUnit.cases.map((c) => [c.name, c.outcome])).toEqual([
        ['hop1:facts', 'passed'], ['hop1:cleanup-caches', 'passed'], ['hop1:etcd-snapshot', 'passed'], ['hop1:control-plane', 'skipped'], ['hop1:canary', 'skipped'], ['hop1:workers-1', 'skipped'], ['hop1:verify', 'skipped'],
      ]);

      // The next window: the run resumes at the control plane and finishes the hop.
      const resumed = await apply(NEXT_SAT_0100, ['--yes']);
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/resuming: 3 step\(s\) already done, next is hop1:control-plane/);
      const after = JSON.parse((await fx.kspray(['status', '-c', fx.clusterFile, '--json'])).stdout) as { runStatus: string; resumeAt: string | null };
      expect(after).toMatchObject({ runStatus: 'succeeded', resumeAt: null });
      const versions = [...K1_MASTERS, ...k1Workers(2)].map((host) => readFileSync(join(fx.stateDir, host, 'kubelet_version'), 'utf8').trim());
      expect(versions).toEqual(Array(5).fill('v1.17.12'));

      const second = readReport(report);
      expect(second.status).toBe('succeeded');
      expect(second.runId).not.toBe(first.runId);
      expect(second.startedAt).toMatch(/^2024-05-11T01:00/);
      expect(second.hops[0]!.steps.find((step) => step.id === 'hop1:facts')).toMatchObject({ status: 'succeeded', fromEarlierRun: true });
      expect(second.totals).toMatchObject({ steps: 7, succeeded: 7, failed: 0 });
      const secondJUnit = await parseJUnit(junit);
      expect(secondJUnit).toMatchObject({ tests: 7, failures: 0 });
      expect(secondJUnit.cases.every((c) => c.outcome === 'passed' && c.suite === 'hop1' && c.classname === 'kspray.k1.hop1')).toBe(true);
    });
  });

  it('--until a time already past runs nothing', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 1 });
      const result = await fx.kspray(['apply', '-c', fx.clusterFile, '--skip-preflight', '--to', '1.17', '--yes', '--until', '2024-05-04T04:00:00Z', '--json'], { KSPRAY_NOW: SAT_0440 });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ status: 'outside-window', ran: [] });
      expect(result.stderr).toMatch(/--until 2024-05-04T04:00:00.000Z has passed/);
      expect(fx.journal()).toEqual([]);
    });
  });
});
