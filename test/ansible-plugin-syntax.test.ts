/**
 * The callback plugin must load on every Ansible the catalog pins (2.7 … 2.18),
 * so on Python 2.7 and 3.5+: checked here by source rules and by compiling it
 * with every interpreter this machine has (pyenv's included).
 */
import { copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackPluginDir } from '../src/ansible/events-env.js';
import { run } from '../src/process/exec.js';

const PLUGIN = join(callbackPluginDir, 'kspray_events.py');

/** Interpreters to compile with: python3 always; Python 2 and old 3.x where installed. */
async function interpreters(): Promise<string[]> {
  const found = ['python3'];
  const pyenv = join(process.env.PYENV_ROOT ?? join(homedir(), '.pyenv'), 'versions');
  const versions = await readdir(pyenv).catch(() => [] as string[]);
  for (const version of versions) {
    if (/^(2\.7|3\.[5-9])\b/.test(version)) found.push(join(pyenv, version, 'bin', 'python'));
  }
  for (const name of ['python2', 'python2.7']) {
    const probe = await run([name, '--version'], { reject: false }).catch(() => undefined);
    if (probe?.exitCode === 0) found.push(name);
  }
  return found;
}

describe('kspray_events.py', () => {
  let source: string;
  let dir: string;
  beforeAll(async () => {
    source = await readFile(PLUGIN, 'utf8');
    dir = await mkdtemp(join(tmpdir(), 'kspray-plugin-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses no Python-3-only syntax', () => {
    expect(source).not.toMatch(/(^|[^\w])[fF][rR]?['"]/m); // f-strings
    expect(source).not.toMatch(/^\s*(async |nonlocal )/m);
    expect(source).not.toMatch(/def \w+\([^)]*\*,/); // keyword-only arguments
    expect(source).not.toMatch(/\)\s*->/); // annotations
    expect(source).toContain('from __future__ import (absolute_import, division, print_function)');
  });

  it('declares itself as a callback that must be enabled, in both spellings', () => {
    expect(source).toMatch(/CALLBACK_TYPE = '(notification|aggregate)'/);
    expect(source).toMatch(/CALLBACK_NEEDS_WHITELIST = True/);
    expect(source).toMatch(/CALLBACK_NEEDS_ENABLED = True/);
  });

  it('compiles with every Python available', async () => {
    // A copy, so no __pycache__ lands in the package.
    const copy = join(dir, 'kspray_events.py');
    await copyFile(PLUGIN, copy);
    const pythons = await interpreters();

    for (const python of pythons) {
      const result = await run([python, '-m', 'py_compile', copy], { reject: false });
      expect({ python, exitCode: result.exitCode, stderr: result.stderr }).toEqual({ python, exitCode: 0, stderr: '' });
    }
    expect(pythons.length).toBeGreaterThanOrEqual(1);
  });
});
