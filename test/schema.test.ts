/**
 * The published JSON Schemas (schema/*.schema.json) are what `kspray schema
 * DOCUMENT` prints, and what kspray really prints validates against them
 * (checked with Ajv, a full JSON Schema 2020-12 validator).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { k1ClusterFile, repoRoot, runCli, withTempDir } from './helpers/cli.js';

const DOCUMENTS = ['cluster', 'plan', 'preflight', 'status', 'report', 'events', 'artifacts'];

async function published(name: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(repoRoot, 'schema', `${name}.schema.json`), 'utf8')) as Record<string, unknown>;
}

function validator(schema: Record<string, unknown>): (value: unknown) => string[] {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '$'} ${error.message ?? ''}`));
}

describe('kspray schema', () => {
  it.each(DOCUMENTS)('prints the %s schema that schema/ publishes', async (name) => {
    const result = await runCli(['schema', ...(name === 'cluster' ? [] : [name])]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(await readFile(join(repoRoot, 'schema', `${name}.schema.json`), 'utf8'));
  });

  it('describes the cluster file strictly, and is what the k1 example points editors at', async () => {
    const schema = await published('cluster') as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'kubernetes', 'nodes']));
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['network', 'addons', 'extraVars']));
    const k1 = await readFile(k1ClusterFile, 'utf8');
    expect(k1.split('\n')[0]).toBe('# yaml-language-server: $schema=../../schema/cluster.schema.json');
  });

  it('validates what plan, preflight and status print with --json', async () => {
    await withTempDir(async (dir) => {
      const plan = await runCli(['plan', '1.16→1.18', '-c', k1ClusterFile, '--json']);
      expect(validator(await published('plan'))(JSON.parse(plan.stdout))).toEqual([]);
      const preflight = await runCli(['preflight', '--to', '1.18', '-c', k1ClusterFile, '--kubeconfig', join(dir, 'none.conf'), '--skip-hosts', '--json']);
      expect(validator(await published('preflight'))(JSON.parse(preflight.stdout))).toEqual([]);
      const status = await runCli(['status', '-c', k1ClusterFile, '--json']);
      expect(validator(await published('status'))(JSON.parse(status.stdout))).toEqual([]);
    });
  });

  it('refuses an unknown document with exit 2', async () => {
    const result = await runCli(['schema', 'journal']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('no schema for "journal"');
  });
});
