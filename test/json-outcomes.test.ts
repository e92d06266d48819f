/**
 * `--json` prints exactly one JSON document on stdout for every outcome of
 * every command that has it: success, failure, refusal, bad input, bad usage.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { k1ClusterFile, runCli, withTempDir } from './helpers/cli.js';

describe('--json on failures and bad input', () => {
  it('prints one JSON document with the exit code and the error, for every command that takes --json', async () => {
    await withTempDir(async (dir) => {
      const broken = join(dir, 'broken.yaml');
      await writeFile(broken, 'name: k1\nkubernetes: { version: "1.16" }\nnodes: []\n');
      const cases: Array<[string[], number, RegExp]> = [
        [["validate", "-c", broken], 1, /"valid":false/],
        [['plan', '--to', '1.15', '-c', k1ClusterFile], 2, /does not downgrade/],
        [['plan', '1.17→1.18', '-c', k1ClusterFile], 2, /FROM 1\.17 is not where the cluster is/],
        [['plan', '--to', '1.18', '-c', broken], 2, /is not a valid cluster file/],
        [['plan', '--to', '1.18', '-c', k1ClusterFile, '--no-such-flag'], 2, /unknown option/],
        [['preflight', '--to', '1.18', '-c', k1ClusterFile, '--hop', '0'], 2, /--hop 0 is not a hop number/],
        [['apply', '--to', '1.18', '-c', broken, '--yes'], 2, /is not a valid cluster file/],
        [['apply', '--to', '1.18', '-c', k1ClusterFile, '--yes', '--plan', join(dir, 'none.json')], 2, /give the target either|--plan runs a reviewed plan file/],
        [['apply', '-c', k1ClusterFile, '--yes', '--plan', join(dir, 'none.json')], 2, /cannot read the plan .*: no such file/],
        [['apply', '--to', '1.18', '-c', k1ClusterFile, '--yes', '--no-cluster-api'], 2, /--no-cluster-api without a --reason/],
        [['status', '-c', broken], 2, /is not a valid cluster file/],
        [['catalog', 'show', 'v9.9.9'], 2, /unknown Kubespray tag/],
      ];
      for (const [args, exitCode, message] of cases) {
        const result = await runCli([...args, '--json'], { cwd: dir });
        expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(exitCode);
        const document = JSON.parse(result.stdout) as Record<string, unknown>;
        expect(JSON.stringify(document), args.join(' ')).toMatch(message);
        if (args[0] !== 'validate') expect(document, args.join(' ')).toMatchObject({ ok: false, exitCode, error: { message: expect.any(String) } });
        expect(result.stderr, args.join(' ')).not.toMatch(/unexpected error|\n\s+at /);
      }
    });
  });

  it('puts the cluster file\'s problems, with their positions, in the error document', async () => {
    await withTempDir(async (dir) => {
      const broken = join(dir, 'broken.yaml');
      await writeFile(broken, 'name: k1\nkubernetes: { version: "1.16" }\nnodes: []\n');
      const result = await runCli(['plan', '--to', '1.18', '-c', broken, '--json']);
      const document = JSON.parse(result.stdout) as { error: { problems: Array<{ line: number; path: string }> } };
      expect(document.error.problems).toEqual(expect.arrayContaining([expect.objectContaining({ line: 2, path: 'kubernetes.version' })]));
    });
  });
});
