/**
 * Which Ansible an executable is: `ansible-playbook --version`, whose first
 * line reads `ansible-playbook 2.9.6` up to Ansible 2.10 ("classic", the
 * all-in-one package) and `ansible-playbook [core 2.14.18]` from ansible-core
 * 2.11 on.
 */
import { run } from '../process/exec.js';

export interface AnsibleInstall {
  kind: 'core' | 'classic';
  /** As printed, e.g. '2.14.18', '2.9.27', '2.16.0rc1'. Compare with semver.coerce. */
  version: string;
  executable: string;
  pythonVersion?: string;
  /** The interpreter path Ansible printed after the python version (2.8+), if any. */
  pythonExecutable?: string;
  /** 'None' is mapped to undefined. */
  configFile?: string;
}

const FIRST_LINE = /^\s*(\S+)\s+(?:\[core\s+([^\]\s]+)\s*\]|(\d+\.\d+\S*))/m;

/** Parses --version output; undefined when the first line does not name a version. */
export function parseAnsibleVersion(text: string, executable = 'ansible-playbook'): AnsibleInstall | undefined {
  const first = FIRST_LINE.exec(text);
  if (!first) return undefined;
  const core = first[2];
  const install: AnsibleInstall = { kind: core ? 'core' : 'classic', version: (core ?? first[3])!, executable };
  const python = /^\s*python version = (\S+)(.*)$/m.exec(text);
  if (python) {
    install.pythonVersion = python[1]!;
    // e.g. `3.11.2 (main, Apr 28 2025, 14:11:48) [GCC 12.2.0] (/usr/bin/python3)`: the path is the last parenthesis.
    const path = /\((\/[^()]*)\)\s*$/.exec(python[2]!);
    if (path) install.pythonExecutable = path[1]!;
  }
  const config = /^\s*config file = (.+)$/m.exec(text);
  if (config && config[1]!.trim() !== 'None') install.configFile = config[1]!.trim();
  return install;
}

/**
 * Runs `EXECUTABLE --version` through the chokepoint. Throws the chokepoint's
 * ExecError when the executable is missing or fails, and an Error when its
 * output names no version.
 */
export async function detectAnsible(executable = 'ansible-playbook', options: { timeoutMs?: number } = {}): Promise<AnsibleInstall> {
  const result = await run([executable, '--version'], { timeoutMs: options.timeoutMs ?? 60_000, env: { ANSIBLE_NOCOLOR: 'true' } });
  const install = parseAnsibleVersion(result.stdout, executable);
  if (!install) throw new Error(`${executable} --version printed no Ansible version: ${result.stdout.split('\n')[0] ?? ''}`);
  return install;
}
