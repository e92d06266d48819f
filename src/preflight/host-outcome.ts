/**
 * A host check's outcome from what kspray's playbook left. A gathering that
 * could not run says 'skipped' with Ansible's words; an unreachable host is a
 * blocking finding of that check: the upgrade would stop at the same host.
 * Pure.
 */
import type { HostFactsResult } from './host-facts.js';
import type { CheckOutcome, Finding, HopContext } from './types.js';

export function fromHostResult(check: string, result: HostFactsResult, hop: HopContext, evaluate: (byHost: Record<string, unknown>) => CheckOutcome): CheckOutcome {
  if (result.kind === 'error') {
    const detail = result.stderrTail.split('\n').map((l) => l.trim()).filter(Boolean).at(-1);
    return { check, status: 'skipped', findings: [], reason: `the hosts could not be asked: ${result.message}${detail ? ` (${detail})` : ''}` };
  }
  const unreachable: Finding[] = result.kind === 'unreachable'
    ? result.unreachable.map((host) => ({
      check, severity: 'block' as const, hop: hop.index, where: host,
      what: `${host} is unreachable over Ansible`,
      why: 'Kubespray must reach every host it upgrades; the upgrade would stop at this host',
      fix: `check SSH to ${host} (ansible -i INVENTORY ${host} -m ping) and its entry in the cluster file, then re-run kspray preflight`,
    }))
    : [];
  if (Object.keys(result.byHost).length === 0) {
    return { check, status: 'fail', findings: unreachable, reason: 'no host answered' };
  }
  const outcome = evaluate(result.byHost);
  if (unreachable.length === 0) return outcome;
  return { ...outcome, status: 'fail', findings: [...unreachable, ...outcome.findings] };
}
