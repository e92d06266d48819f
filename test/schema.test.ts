import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './helpers/cli.js';

describe('kspray schema', () => {
  it('prints the JSON Schema that the checked-in schema/cluster.schema.json holds (editors read that file)', async () => {
    const result = await runCli(['schema']);
    expect(result.exitCode).toBe(0);
    const schema = JSON.parse(result.stdout) as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'kubernetes', 'nodes']));
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['network', 'addons', 'extraVars']));
    expect(result.stdout).toBe(await readFile(join(repoRoot, 'schema', 'cluster.schema.json'), 'utf8'));
  });

  it('is what the k1 example points editors at', async () => {
    const k1 = await readFile(join(repoRoot, 'inventories', 'k1', 'cluster.yaml'), 'utf8');
    expect(k1.split('\n')[0]).toBe('# yaml-language-server: $schema=../../schema/cluster.schema.json');
  });
});
