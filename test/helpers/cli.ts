/**
 * Runs the built CLI (dist/, as users run it) as a real process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../src/process/exec.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const k1ClusterFile = join(repoRoot, 'inventories', 'k1', 'cluster.yaml');

/** Dummy values for k1's secret references: tests assert they never show up in output. */
export const k1SecretEnv = {
  K1_RBD_ADMIN_SECRET: 'AQBk1AdminKeyDoNotPrint==',
  K1_RBD_USER_SECRET: 'AQBk1UserKeyDoNotPrint==',
};

export interface CliResult { exitCode: number; stdout: string; stderr: string }

export async function runCli(args: readonly string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliResult> {
  const result = await run(['node', join(repoRoot, 'bin', 'kspray.js'), ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { NO_COLOR: '1', KSPRAY_CACHE_DIR: join(tmpdir(), 'kspray-test-cache-none'), ...options.env },
    reject: false,
  });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kspray-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
