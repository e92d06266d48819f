/**
 * The commands that make one Kubespray line's venv (venv.ts runs them): pure,
 * so `kspray plan` can show them without loading what runs them.
 */
import { join } from 'node:path';

export interface VenvSpec {
  /** kspray's cache directory (cacheDir()). */
  cacheDir: string;
  /** The Kubespray line, e.g. '2.13'. */
  line: string;
  /** The tag's requirements.txt. */
  requirementsFile: string;
  /** The interpreter that creates the venv. Default 'python3'. */
  python?: string;
  /** Empty the venv first (`--clear`): its requirements changed, and leftovers of the old Ansible must go. */
  clear?: boolean;
}

export interface VenvCommands {
  venvDir: string;
  /** Create the venv, then install the requirements into it: run in this order. */
  argvs: [string[], string[]];
  ansiblePlaybook: string;
  ansibleInventory: string;
  /** Holds the requirements hash once the install succeeded. */
  markerFile: string;
}

const MARKER = '.kspray-requirements.sha256';

export function venvCommands(spec: VenvSpec): VenvCommands {
  if (!/^[\w.-]+$/.test(spec.line)) throw new Error(`venvCommands: not a Kubespray line: ${spec.line}`);
  const venvDir = join(spec.cacheDir, 'venvs', `kubespray-${spec.line}`);
  const bin = join(venvDir, 'bin');
  return {
    venvDir,
    argvs: [
      [spec.python ?? 'python3', '-m', 'venv', ...(spec.clear ? ['--clear'] : []), venvDir],
      [join(bin, 'pip'), 'install', '-r', spec.requirementsFile],
    ],
    ansiblePlaybook: join(bin, 'ansible-playbook'),
    ansibleInventory: join(bin, 'ansible-inventory'),
    markerFile: join(venvDir, MARKER),
  };
}
