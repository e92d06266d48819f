/**
 * One Python venv per Kubespray line, holding the Ansible that line pins
 * (2.7 for 2.12, 2.9 for 2.13, ansible-core later): the commands are built
 * purely, and run only when the venv's marker (a hash of the requirements)
 * does not match, so a second hop on the same line costs nothing.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { run } from '../process/exec.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { venvCommands, type VenvCommands, type VenvSpec } from './venv-commands.js';

export { venvCommands, type VenvCommands, type VenvSpec } from './venv-commands.js';

/**
 * sha256 over the requirements file and the files it includes (`-r`, `-c`,
 * one level is what Kubespray uses), plus the interpreter name: a change to
 * any of them means a different venv.
 */
export async function requirementsHash(requirementsFile: string, python = 'python3'): Promise<string> {
  const hash = createHash('sha256').update(`python=${python}\n`);
  const text = await readFile(requirementsFile, 'utf8');
  hash.update(text);
  for (const match of text.matchAll(/^\s*(?:-r|-c|--requirement|--constraint)[\s=]+(\S+)/gm)) {
    const included = resolve(dirname(requirementsFile), match[1]!);
    hash.update(`\n${included}\n`);
    hash.update(await readFile(included, 'utf8').catch(() => '(missing)'));
  }
  return hash.digest('hex');
}

export interface EnsureVenvOptions {
  logFile?: string;
  signal?: AbortSignal;
  /** Default 20 minutes: pip may build wheels. */
  timeoutMs?: number;
}

export interface EnsuredVenv extends VenvCommands {
  /** False when the marker matched and nothing ran. */
  installed: boolean;
}

/** pip settings an operator may rely on (a mirror, a CA): passed on explicitly, as the chokepoint drops PIP_*. */
const PIP_PASSTHROUGH = ['PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'PIP_TRUSTED_HOST', 'PIP_CERT', 'PIP_CONFIG_FILE', 'PIP_FIND_LINKS'];

/** Creates or updates the line's venv unless its marker shows the same requirements are already installed. */
export async function ensureVenv(spec: VenvSpec, options: EnsureVenvOptions = {}): Promise<EnsuredVenv> {
  const markerFile = venvCommands(spec).markerFile;
  const wanted = await requirementsHash(spec.requirementsFile, spec.python ?? 'python3');
  const current = await readFile(markerFile, 'utf8').catch(() => undefined);
  if (current?.trim() === wanted) return { ...venvCommands(spec), installed: false };
  // A marker for other requirements: start from an empty venv. No marker: a first or an unfinished install.
  const commands = venvCommands({ ...spec, clear: current !== undefined });

  const env: Record<string, string | undefined> = { PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' };
  for (const name of PIP_PASSTHROUGH) env[name] = process.env[name];
  for (const argv of commands.argvs) {
    await run(argv, {
      env,
      timeoutMs: options.timeoutMs ?? 20 * 60_000,
      ...(options.logFile === undefined ? {} : { logFile: options.logFile }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  }
  // Written last: a venv whose install failed or was interrupted is retried next time.
  await writeFileAtomic(commands.markerFile, `${wanted}\n`);
  return { ...commands, installed: true };
}
