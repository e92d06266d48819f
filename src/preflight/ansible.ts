/**
 * The Ansible each hop will run against the range its Kubespray tag accepts
 * (catalog: ansible.range, from the tag's own version check). Each tag pins
 * its own Ansible (2.7 for v2.12, 2.9 for v2.13, much newer later): outside
 * the range Kubespray's playbooks stop at their version assert, or fail
 * half way on a module that changed. Pure: the plan's hops and the local
 * ansible-playbook (system mode) in, findings out.
 */
import semver from 'semver';
import { inRange } from '../catalog/versions.js';
import type { PlanHop } from '../plan/types.js';
import type { CheckOutcome, Finding, OutcomeTable } from './types.js';

export const ANSIBLE_CHECK = 'ansible';

export type AnsibleCheckHop = Pick<PlanHop, 'index' | 'tag' | 'ansible'>;

export interface AnsibleCheckInput {
  hops: readonly AnsibleCheckHop[];
  /** The local ansible-playbook (system mode); undefined when none was found on PATH. */
  local: { version: string; executable: string } | undefined;
  /** --force-ansible: run outside the range anyway (blocks become warnings). */
  force?: boolean;
}

type Range = PlanHop['ansible']['range'];

export function rangeText(range: Range): string {
  const parts = [range.min_inclusive ? `>= ${range.min_inclusive}` : '', range.max_exclusive ? `< ${range.max_exclusive}` : ''].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'any';
}

/** Whether some release of an ansible-core minor ("2.16") lies in the range (2.16.14 does, for >= 2.16.4). */
export function coreMinorFits(core: string, range: Range): boolean {
  const minor = semver.coerce(core);
  if (!minor) return false;
  const min = range.min_inclusive === null ? null : semver.coerce(range.min_inclusive);
  const max = range.max_exclusive === null ? null : semver.coerce(range.max_exclusive);
  if (min && (minor.major < min.major || (minor.major === min.major && minor.minor < min.minor))) return false;
  if (max && semver.gte(`${minor.major}.${minor.minor}.0`, max)) return false;
  return true;
}

const FIX_OUTSIDE = 'set kubespray.ansible: venv in the cluster file (kspray then installs the pinned Ansible per Kubespray line), or pass --force-ansible to run anyway';

export function checkAnsibleVersions(input: AnsibleCheckInput): CheckOutcome {
  const findings: Finding[] = [];
  const rows: string[][] = [];
  for (const hop of [...input.hops].sort((a, b) => a.index - b.index)) {
    const { ansible } = hop;
    const pins = ansible.pins.join(', ') || 'no pin';
    const range = rangeText(ansible.range);
    const add = (severity: Finding['severity'], what: string, where: string, why: string, fix: string) =>
      findings.push({ check: ANSIBLE_CHECK, severity, hop: hop.index, what, where, why, fix, details: { tag: hop.tag, mode: ansible.mode, range: ansible.range, pins: ansible.pins, impliedCore: ansible.impliedCore } });

    if (ansible.mode === 'venv') {
      rows.push([String(hop.index), hop.tag, 'venv', ansible.impliedCore ? `core ${ansible.impliedCore}` : '?', range, pins]);
      if (ansible.impliedCore === null) {
        add('warn', `Kubespray ${hop.tag}'s requirements.txt pins no exact Ansible (${pins})`, ansible.venv?.dir ?? ansible.executable,
          'the venv gets whatever pip resolves today, likely an Ansible this tag was never run with',
          `check the venv's Ansible after it is created (${ansible.executable} --version) against ${range}`);
      } else if (!coreMinorFits(ansible.impliedCore, ansible.range)) {
        add(input.force ? 'warn' : 'block', `Kubespray ${hop.tag} pins ${pins} (ansible-core ${ansible.impliedCore}), outside the range its own playbooks accept (${range})`, ansible.venv?.dir ?? ansible.executable,
          'the tag\'s version check refuses the Ansible its requirements install', 'check the catalog (kspray catalog show TAG); pass --force-ansible to run anyway');
      } else {
        add('info', `hop ${hop.index} runs Ansible from a venv: ${pins} (ansible-core ${ansible.impliedCore}), within ${range}`, ansible.venv?.dir ?? ansible.executable,
          'each Kubespray line gets the Ansible it pins', 'nothing to do');
      }
      continue;
    }

    const local = input.local;
    rows.push([String(hop.index), hop.tag, 'system', local?.version ?? 'not found', range, pins]);
    if (!local) {
      add('block', 'ansible-playbook is not on PATH', 'PATH', `hop ${hop.index} (Kubespray ${hop.tag}) runs the system ansible-playbook`, 'install Ansible in the range, or set kubespray.ansible: venv in the cluster file');
      continue;
    }
    if (!inRange(local.version, ansible.range)) {
      add(input.force ? 'warn' : 'block', `Ansible ${local.version} is outside Kubespray ${hop.tag}'s range ${range} (pins ${pins})`, local.executable,
        input.force
          ? 'running anyway (--force-ansible): the tag\'s playbooks may stop at their version check or fail half way'
          : 'the tag\'s playbooks stop at their Ansible version check, or fail half way on a module that changed',
        FIX_OUTSIDE);
      continue;
    }
    const localMinor = semver.coerce(local.version);
    const pinned = ansible.impliedCore === null ? null : semver.coerce(ansible.impliedCore);
    if (localMinor && pinned && (localMinor.major !== pinned.major || localMinor.minor !== pinned.minor)) {
      add('warn', `Ansible ${local.version} is within Kubespray ${hop.tag}'s range ${range}, but the tag pins ${pins} (ansible-core ${ansible.impliedCore})`, local.executable,
        'the range only says what the tag\'s version check lets through; the tag was tested with the Ansible it pins',
        'set kubespray.ansible: venv for the pinned Ansible, or accept the risk');
      continue;
    }
    add('info', `Ansible ${local.version} is within Kubespray ${hop.tag}'s range ${range}`, local.executable, 'the tag\'s playbooks accept it', 'nothing to do');
  }
  const table: OutcomeTable = { title: 'Ansible per hop', columns: ['HOP', 'TAG', 'MODE', 'ANSIBLE', 'RANGE', 'PINS'], rows };
  return { check: ANSIBLE_CHECK, status: findings.some((f) => f.severity === 'block') ? 'fail' : 'pass', findings, table };
}
