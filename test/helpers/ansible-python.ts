/**
 * The Python that runs Ansible here (the interpreter named on the first line
 * of ansible-playbook), so tests read YAML with Ansible's own loader and
 * PyYAML — whatever `python3` on PATH happens to be.
 */
import { readFileSync } from 'node:fs';
import { findOnPath } from '../../src/util/which.js';

export function ansiblePython(): string {
  const playbook = findOnPath('ansible-playbook');
  if (!playbook) throw new Error('ansible-playbook is not on PATH (tests need Ansible: see README)');
  const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(readFileSync(playbook, 'utf8').split('\n')[0] ?? '');
  if (!shebang) throw new Error(`${playbook} has no interpreter line`);
  // `#!/usr/bin/env python3` names the interpreter in its second word.
  return shebang[1]!.endsWith('/env') && shebang[2] ? shebang[2] : shebang[1]!;
}
