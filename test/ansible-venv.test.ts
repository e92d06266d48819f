import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureVenv, requirementsHash, venvCommands } from '../src/ansible/venv.js';

describe('venvCommands', () => {
  it('builds the venv and pip argv for a Kubespray line under the cache', () => {
    const commands = venvCommands({ cacheDir: '/c', line: '2.13', requirementsFile: '/ws/v2.13.2/requirements.txt' });

    expect(commands).toEqual({
      venvDir: '/c/venvs/kubespray-2.13',
      argvs: [
        ['python3', '-m', 'venv', '/c/venvs/kubespray-2.13'],
        ['/c/venvs/kubespray-2.13/bin/pip', 'install', '-r', '/ws/v2.13.2/requirements.txt'],
      ],
      ansiblePlaybook: '/c/venvs/kubespray-2.13/bin/ansible-playbook',
      ansibleInventory: '/c/venvs/kubespray-2.13/bin/ansible-inventory',
      markerFile: '/c/venvs/kubespray-2.13/.kspray-requirements.sha256',
    });
  });

  it('uses the given interpreter and clears a venv whose requirements changed', () => {
    const commands = venvCommands({ cacheDir: '/c', line: '2.12', requirementsFile: 'r.txt', python: 'python3.8', clear: true });

    expect(commands.argvs[0]).toEqual(['python3.8', '-m', 'venv', '--clear', '/c/venvs/kubespray-2.12']);
  });

  it('refuses a line that would escape the cache directory', () => {
    expect(() => venvCommands({ cacheDir: '/c', line: '../../etc', requirementsFile: 'r.txt' })).toThrow(/not a Kubespray line/);
  });
});

describe('ensureVenv (real python3 -m venv, requirements that install nothing)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kspray-venv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the venv once, then only again (cleared) when the requirements change', async () => {
    const requirementsFile = join(dir, 'requirements.txt');
    await writeFile(requirementsFile, '# nothing to install\n');
    const firstHash = await requirementsHash(requirementsFile);
    const spec = { cacheDir: join(dir, 'cache'), line: '2.23', requirementsFile };

    const first = await ensureVenv(spec, { logFile: join(dir, 'venv.log') });
    const second = await ensureVenv(spec);
    await writeFile(requirementsFile, '# still nothing, but different\n');
    // Creating a venv takes ~15 s here: an aborted signal shows what would run, without running it.
    const third = await ensureVenv(spec, { signal: AbortSignal.abort() }).catch((error: unknown) => error);

    expect(first.installed).toBe(true);
    await access(join(first.venvDir, 'bin', 'python'));
    await access(join(first.venvDir, 'bin', 'pip'));
    expect(await readFile(first.markerFile, 'utf8')).toBe(`${firstHash}\n`);
    expect(second.installed).toBe(false);
    expect(third).toMatchObject({ name: 'ExecError', argv: ['python3', '-m', 'venv', '--clear', first.venvDir] });
    // Not finished, so not marked: the next run tries again.
    expect(await readFile(first.markerFile, 'utf8')).toBe(`${firstHash}\n`);
  });

  it('hashes included requirement files too', async () => {
    const main = join(dir, 'req-main.txt');
    const included = join(dir, 'req-2.9.txt');
    await writeFile(main, '-r req-2.9.txt\n');
    await writeFile(included, 'ansible==2.9.27\n');
    const before = await requirementsHash(main);

    await writeFile(included, 'ansible==2.9.20\n');

    expect(await requirementsHash(main)).not.toBe(before);
  });
});
